import type { ConversationState } from '../../db/schema';
import type { CallerRole } from '../../lib/caller-role';
import type { ProviderErrorCode } from '../provider/provider.errors';

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
  | {
      type: 'done';
      usage: ChatUsage;
      finishReason: string;
      processingMs: number;
      sources: Source[];
      /** The conversation's state after the turn: `waiting` when the assistant handed it to a person. */
      state: ConversationState;
    }
  | { type: 'error'; code: ProviderErrorCode; message: string };

/** Receives a turn's events in order; a sink that throws (the client left) ends the turn early. */
export type EventSink = (event: ChatEvent) => Promise<void> | void;

/**
 * A started turn. `run` hands its events to the sink and always ends the turn's lease, however the
 * sink or the upstream behave; a turn that is never run gives its lease back on its own.
 */
export type ChatTurn = { meta: ChatMeta; run: (sink: EventSink) => Promise<void> };

/** A message to a conversation a person has (or is about to have): stored for the operators, not answered (202). */
export type HeldMessage = { held: { conversationId: string; messageId: string; state: ConversationState } };

/**
 * Who takes the turn. `models`: an API key's own model list (null: every model the role allows). A guest
 * (`role: 'guest'`, `id` = visitor id) chats on a site under that site's limits, and their conversations
 * carry the site and the identity its server signed, if any.
 */
export type ChatCaller = {
  id: string;
  role: CallerRole;
  models?: readonly string[] | null;
  guest?: {
    siteId: string;
    customer?: { id: string; email: string } | undefined;
    messagesPerDay: number;
    tokensPerDay: number;
  };
};

export type FaqHit = { id: string; question: string; answer: string };

/** The knowledge base as the chat sees it: a strong match answers alone, weaker ones ground the model. */
export type FaqLookup = (message: string) => Promise<{ strong: FaqHit | undefined; references: FaqHit[] }>;

/** A document an answer was grounded on: what the client shows as a citation. */
export type Source = { documentId: string; name: string; section: string | null };

/** A chunk of a published document that matched the message. */
export type DocumentChunkHit = Source & { content: string };

/** The published documents as the chat sees them: the best chunks for a message. */
export type DocumentLookup = (message: string) => Promise<DocumentChunkHit[]>;
