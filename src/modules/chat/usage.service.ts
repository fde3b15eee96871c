import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { usageDaily } from '../../db/schema';

/** Budgets reset at midnight UTC, the same moment for every edge location. */
export const utcDay = (now = Date.now()) => new Date(now).toISOString().slice(0, 10);

export type UsageDelta = {
  promptTokens: number;
  completionTokens: number;
  cacheHitTokens: number;
  chats: number;
  faqAnswers: number;
};

/** One upsert that adds to today's row: concurrent requests add up instead of overwriting. */
export function addUsageStatement(db: Db, userId: string, delta: UsageDelta, now = Date.now()) {
  return db
    .insert(usageDaily)
    .values({ userId, day: utcDay(now), ...delta })
    .onConflictDoUpdate({
      target: [usageDaily.userId, usageDaily.day],
      set: {
        promptTokens: sql`${usageDaily.promptTokens} + ${delta.promptTokens}`,
        completionTokens: sql`${usageDaily.completionTokens} + ${delta.completionTokens}`,
        cacheHitTokens: sql`${usageDaily.cacheHitTokens} + ${delta.cacheHitTokens}`,
        chats: sql`${usageDaily.chats} + ${delta.chats}`,
        faqAnswers: sql`${usageDaily.faqAnswers} + ${delta.faqAnswers}`,
      },
    });
}
