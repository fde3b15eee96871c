/** What callers send. The client adds `stream` and `stream_options` itself. */
export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/** A function the model may call (OpenAI-compatible `tools` entry); `parameters` is a JSON schema. */
export type ToolDefinition = {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
};

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ReasoningEffort = 'low' | 'high' | 'max';

/**
 * DeepSeek thinks unless a request says otherwise (and `deepseek-flash` would then answer every
 * customer slowly and at reasoning prices), so each request carries its mode explicitly.
 */
export type Thinking = { enabled: false } | { enabled: true; effort: ReasoningEffort };

export type ChatCompletionBody = {
  /** A configured upstream model id; DeepSeek renames models, so never a literal in code. */
  model: string;
  /** Required, so no caller can fall into DeepSeek's thinking default by leaving it out. */
  thinking: Thinking;
  messages: ChatMessage[];
  /** Already capped by the caller: unbounded output is unbounded cost. */
  max_tokens: number;
  /** A stable hash of our user id (never an email): DeepSeek isolates scheduling and caching by it. */
  user_id: string;
  /** Sent only without thinking: thinking ignores sampling parameters. */
  temperature?: number;
  top_p?: number;
  /**
   * Functions offered to the model. Without thinking only: a thinking model's tool-call turns must
   * send their `reasoning_content` back on every later request, which we do not keep.
   */
  tools?: readonly ToolDefinition[];
  tool_choice?: ToolChoice;
};

export type ProviderUsage = {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  promptCacheHitTokens: number;
  promptCacheMissTokens: number;
  /** Thinking models only: the part of `completionTokens` spent on reasoning. */
  reasoningTokens?: number;
};

/** `stop`, `length`, `content_filter`, `tool_calls`, `insufficient_system_resource`, or whatever comes next. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'insufficient_system_resource' | (string & {});

/**
 * What the stream yields. `reasoning` is a thinking model's scratchpad: callers must not show or store
 * it as the answer. Iterate to the end: `usage` may arrive before or after `finish`.
 */
export type ProviderEvent =
  | { type: 'delta'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'usage'; usage: ProviderUsage }
  /** A complete function call, emitted once its streamed pieces are joined (just before `finish`). */
  | { type: 'tool_call'; id: string; name: string; arguments: string }
  | { type: 'finish'; reason: FinishReason };

/** One piece of a streamed tool call: the first carries `id` and the name, later ones more `arguments`. */
export type WireToolCallDelta = {
  index?: number;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
};

/** The parts of a `chat.completion.chunk` we read; everything is optional because upstreams vary. */
export type WireChunk = {
  choices?: Array<{
    delta?: { content?: string | null; reasoning_content?: string | null; tool_calls?: WireToolCallDelta[] | null };
    finish_reason?: string | null;
  }>;
  usage?: WireUsage | null;
  /** Some OpenAI-compatible servers report a failure inside an otherwise 200 stream. */
  error?: unknown;
};

export type WireUsage = {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
};
