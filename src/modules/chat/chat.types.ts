import type { Role } from '../../db/schema';
import type { ProviderErrorCode } from './provider/provider.errors';

export type AnswerSource = 'faq' | 'model';

export type ChatUsage = {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cacheHitTokens: number;
  /** The part of `completionTokens` a thinking model spent on reasoning (never shown); 0 without thinking. */
  reasoningTokens: number;
};

export type ChatMeta = { conversationId: string; messageId: string; model: string; source: AnswerSource };

/** What one chat turn produces after its meta: text as it arrives, then exactly one `done` or `error`. */
export type ChatEvent =
  | { type: 'delta'; text: string }
  | { type: 'done'; usage: ChatUsage; finishReason: string; processingMs: number }
  | { type: 'error'; code: ProviderErrorCode; message: string };

/** Receives a turn's events in order; a sink that throws (the client left) ends the turn early. */
export type EventSink = (event: ChatEvent) => Promise<void> | void;

/**
 * A started turn. `run` hands its events to the sink and always ends the turn's lease, however the
 * sink or the upstream behave; a turn that is never run gives its lease back on its own.
 */
export type ChatTurn = { meta: ChatMeta; run: (sink: EventSink) => Promise<void> };

/** `models`: an API key's own model list (null: every model the role allows). */
export type ChatCaller = { id: string; role: Role; models?: readonly string[] | null };

export type FaqHit = { id: string; question: string; answer: string };

/** The knowledge base as the chat sees it: a strong match answers alone, weaker ones ground the model. */
export type FaqLookup = (message: string) => Promise<{ strong: FaqHit | undefined; references: FaqHit[] }>;
