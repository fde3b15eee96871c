import { count, gte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { conversations, messages, usageDaily } from '../../db/schema';
import { utcDay } from '../chat/usage.service';

/** Days shown in the per-day series (tokens and chats, handoffs). */
export const STATS_DAYS = 14;

/**
 * Chat figures for operators: totals, the FAQ hit rate (answers given from the knowledge base
 * without the model, over all answers) and tokens and chats per UTC day. Aggregates only.
 */
export async function chatStats(db: Db, now = Date.now()) {
  const since = utcDay(now - (STATS_DAYS - 1) * 86_400_000);
  const [[conversationCount], [messageCount], totals, byDay] = await Promise.all([
    db.select({ value: count() }).from(conversations),
    db.select({ value: count() }).from(messages),
    db
      .select({
        chats: sql<number>`coalesce(sum(${usageDaily.chats}), 0)`,
        faqAnswers: sql<number>`coalesce(sum(${usageDaily.faqAnswers}), 0)`,
        promptTokens: sql<number>`coalesce(sum(${usageDaily.promptTokens}), 0)`,
        completionTokens: sql<number>`coalesce(sum(${usageDaily.completionTokens}), 0)`,
      })
      .from(usageDaily),
    db
      .select({
        date: usageDaily.day,
        promptTokens: sql<number>`sum(${usageDaily.promptTokens})`,
        completionTokens: sql<number>`sum(${usageDaily.completionTokens})`,
        chats: sql<number>`sum(${usageDaily.chats})`,
      })
      .from(usageDaily)
      .where(gte(usageDaily.day, since))
      .groupBy(usageDaily.day)
      .orderBy(usageDaily.day),
  ]);
  const total = totals[0] ?? { chats: 0, faqAnswers: 0, promptTokens: 0, completionTokens: 0 };
  const chats = Number(total.chats);
  const faqAnswers = Number(total.faqAnswers);
  const filled = new Map(byDay.map((d) => [d.date, d]));
  const tokensByDay = Array.from({ length: STATS_DAYS }, (_, i) => {
    const date = utcDay(now - (STATS_DAYS - 1 - i) * 86_400_000);
    const day = filled.get(date);
    return {
      date,
      promptTokens: Number(day?.promptTokens ?? 0),
      completionTokens: Number(day?.completionTokens ?? 0),
      chats: Number(day?.chats ?? 0),
    };
  });
  return {
    conversations: conversationCount?.value ?? 0,
    messages: messageCount?.value ?? 0,
    chats,
    faqAnswers,
    faqHitRate: chats === 0 ? 0 : Math.round((faqAnswers / chats) * 1000) / 1000,
    promptTokens: Number(total.promptTokens),
    completionTokens: Number(total.completionTokens),
    tokensByDay,
  };
}
