import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { conversations, messages } from '../../db/schema';
import { titleFrom } from '../conversations/conversations.service';
import { faqHitStatement } from '../faqs/faqs.service';
import type { AnswerSource, ChatUsage } from './chat.types';
import { addUsageStatement } from './usage.service';

export type TurnRecord = {
  db: Db;
  userId: string;
  conversationId: string;
  isNewConversation: boolean;
  /** False for OpenAI-compatible calls: usage is counted, the text is not kept. */
  persist: boolean;
  messageId: string;
  userMessage: string;
  answer: string;
  source: AnswerSource;
  model: string;
  faqId?: string;
  usage: ChatUsage;
  usageEstimated: boolean;
  incomplete: boolean;
  finishReason: string;
};

/**
 * Writes a finished (or stopped) turn in two concurrent D1 batches: today's usage and the FAQ hit,
 * and the conversation (new, or its counters) with both messages. It runs after the last delta, so the
 * answer itself never waits for it.
 */
export async function recordTurn(turn: TurnRecord): Promise<void> {
  const { db } = turn;
  const now = Date.now();
  const usage = addUsageStatement(db, turn.userId, {
    promptTokens: turn.usage.promptTokens,
    completionTokens: turn.usage.completionTokens,
    cacheHitTokens: turn.usage.cacheHitTokens,
    chats: 1,
    faqAnswers: turn.source === 'faq' ? 1 : 0,
  });
  const faqHit = turn.faqId ? faqHitStatement(db, turn.faqId) : undefined;
  // Usage is written on its own and first: it is what budgets are checked against, so nothing about the
  // conversation (deleted mid-stream, say, which fails the message insert) may roll it back.
  const counting = db.batch(faqHit ? [usage, faqHit] : [usage]);
  if (!turn.persist) {
    await counting;
    return;
  }
  const conversation = turn.isNewConversation
    ? db
        .insert(conversations)
        .values({ id: turn.conversationId, userId: turn.userId, title: titleFrom(turn.userMessage), messageCount: 2 })
    : db
        .update(conversations)
        .set({ messageCount: sql`${conversations.messageCount} + 2`, updatedAt: new Date(now) })
        .where(eq(conversations.id, turn.conversationId));
  const rows = db.insert(messages).values([
    { conversationId: turn.conversationId, role: 'user', content: turn.userMessage, createdAt: new Date(now - 1) },
    {
      id: turn.messageId,
      conversationId: turn.conversationId,
      role: 'assistant',
      content: turn.answer,
      source: turn.source,
      model: turn.source === 'model' ? turn.model : null,
      faqId: turn.faqId ?? null,
      promptTokens: turn.usage.promptTokens,
      completionTokens: turn.usage.completionTokens,
      cacheHitTokens: turn.usage.cacheHitTokens,
      usageEstimated: turn.usageEstimated,
      incomplete: turn.incomplete,
      finishReason: turn.finishReason,
      createdAt: new Date(now),
    },
  ]);
  // Two independent batches, sent together: one round trip of latency, and neither can undo the other.
  await Promise.all([counting, db.batch([conversation, rows])]);
}
