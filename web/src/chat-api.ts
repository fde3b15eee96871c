import { ApiError, get, type Page, query, request, send } from './api';
import type { Citation } from './documents-api';
import type { ConversationState } from './live';
import { SseParser } from './sse';

export type ChatConfig = { models: { id: string; default: boolean }[]; canned: boolean; assistantName: string };
export type Source = 'faq' | 'model';
export type Meta = { conversationId: string; messageId: string; model: string; source: Source };
export type Usage = { promptTokens: number; completionTokens: number; totalTokens: number; cacheHitTokens: number };
export type Done = {
  usage: Usage;
  finishReason: string;
  processingMs: number;
  sources: Citation[];
  /** The conversation's state after the turn (the assistant may have handed it to a person). */
  state?: ConversationState;
};
/** A message sent while a person holds the conversation: stored for them, not answered by the model. */
export type Accepted = { conversationId: string; messageId: string; state: ConversationState };
export type ConversationSummary = {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  messageCount: number;
  state?: ConversationState;
};
export type StoredMessage = {
  id: string;
  role: 'user' | 'assistant' | 'operator' | 'system';
  content: string;
  author?: { name: string; role: string } | null;
  source: Source | null;
  incomplete: boolean;
  createdAt: string;
};

/** `null` when this server has no chat endpoints (yet). */
export async function chatConfig(): Promise<ChatConfig | null> {
  try {
    return await get<ChatConfig>('/api/v1/chat/config');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export const listConversations = (page = 1) =>
  get<Page<ConversationSummary>>(`/api/v1/conversations${query({ page, pageSize: 50 })}`);
export const getConversation = (id: string) =>
  get<{ conversation: ConversationSummary; messages: StoredMessage[] }>(
    `/api/v1/conversations/${encodeURIComponent(id)}`,
  );
export const deleteConversation = (id: string) =>
  request<void>('DELETE', `/api/v1/conversations/${encodeURIComponent(id)}`);

export type StreamHandlers = {
  meta(meta: Meta): void;
  delta(text: string): void;
  done(done: Done): void;
  /** 202: a person holds the conversation; no stream follows. */
  accepted(accepted: Accepted): void;
};

/**
 * Sends one user turn and feeds the server-sent events to `handlers` as they arrive. Errors
 * before the stream starts and `error` events both reject with an ApiError; `signal` (the Stop
 * button) aborts the request, which the server records as an incomplete answer.
 */
export async function streamChat(
  body: { message: string; conversationId?: string; model?: string },
  handlers: StreamHandlers,
  signal: AbortSignal,
): Promise<void> {
  const res = await send('POST', '/api/v1/chat', body, { signal, accept: 'text/event-stream' });
  if (res.status === 202) {
    handlers.accepted((await res.json()) as Accepted);
    return;
  }
  if (!res.body) throw new ApiError(502, 'NO_STREAM', 'The answer could not be read. Please try again.');
  const reader = res.body.getReader();
  // `stream: true` keeps a multi-byte character split across chunks intact.
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        const data = JSON.parse(event.data) as unknown;
        if (event.event === 'meta') handlers.meta(data as Meta);
        else if (event.event === 'delta') handlers.delta((data as { text: string }).text);
        else if (event.event === 'done') {
          finished = true;
          handlers.done(data as Done);
        } else if (event.event === 'error') {
          const { code, message } = data as { code: string; message: string };
          throw new ApiError(200, code, message);
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
  if (!finished) throw new ApiError(502, 'STREAM_CUT', 'The answer was cut off. Please try again.');
}
