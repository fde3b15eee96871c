/** Behaviour switches; each can also come from an `X-Fake-*` header or a `[fake:name=N]` phrase. */
export type FakeSwitches = {
  /** Time "queued" before the first chunk; keep-alive comments are sent meanwhile. */
  firstTokenDelayMs?: number;
  /** Pause between streamed tokens. */
  tokenDelayMs?: number;
  /** Interval of `: keep-alive` comments while queued (default 1000). */
  keepaliveMs?: number;
  /** End the stream (no `[DONE]`) after this many token chunks; 0 = never. */
  cutAfter?: number;
  /** Answer with this HTTP status and DeepSeek's error body (400/401/402/422/429/500/503). */
  status?: number;
  /** Fail this many times per key (the `X-Fake-Fail-Key` header, else API key + message), then succeed. */
  failTimes?: number;
  /**
   * 1: call `handoff_to_human` (when the request offers it) as the words "talk to a person", "human" or
   * "agent" in the last user message also do; 2: call a function the request did not offer.
   */
  handoff?: number;
};

export type FakeDeepSeekOptions = FakeSwitches & {
  /**
   * Ids listed by `GET /models` and the only ones completions accept (others get DeepSeek's 400
   * "Model Not Exist"); default `['deepseek-flash']`.
   */
  models?: string[];
  /** Upper bound for `max_tokens` (400 above it). */
  maxTokensLimit?: number;
  /** Clock for `created`. */
  now?: () => number;
};

export type FakeDeepSeekStats = {
  requests: number;
  /** Streams or JSON answers sent to the end. */
  completed: number;
  /** Answers whose client went away (request aborted or body cancelled) before the end. */
  aborted: number;
  /** Streams ended on purpose without `[DONE]`. */
  cut: number;
  /** The last accepted completion request, for asserting what a client sent. */
  lastRequest: { headers: Headers; body: unknown } | undefined;
};

export type FakeDeepSeek = {
  /** A web-standard fetch handler, as in a Worker's `export default { fetch }`. */
  fetch: (request: Request) => Promise<Response>;
  stats: FakeDeepSeekStats;
};

export function createFakeDeepSeek(options?: FakeDeepSeekOptions): FakeDeepSeek;

/** The statuses `status` can take, each with DeepSeek's error body. */
export const fakeErrorStatuses: number[];
/** The sentence every canned answer ends with. */
export const cannedNotice: string;
/** The exact text streamed for a last user message (before any `max_tokens` cut). */
export function cannedAnswer(lastUserMessage: string): string;
/** The fake's token count for a text (0.3 per ASCII, 0.6 per other character, as DeepSeek documents). */
export function approxTokens(text: string): number;
/** The short text streamed before a `handoff_to_human` call. */
export const handoffPreamble: string;
/** The `reason` the fake gives in its `handoff_to_human` call. */
export const handoffReason: string;
/** The function the fake calls on `[fake:handoff=2]`, never one a request offers. */
export const UNKNOWN_TOOL: string;
/** The summary the fake writes for a request whose last user message holds a `<transcript>`. */
export function cannedSummary(lastUserMessage: string): string;
/** The exact reasoning text streamed first unless the request disables thinking. */
export function cannedReasoning(lastUserMessage: string): string;
