import { and, isNotNull, lt, notExists, or, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { accountTokens, auditEvents, conversations, refreshTokens, sessions, visitors } from '../../db/schema';

export type RetentionCounts = {
  guestConversations: number;
  visitors: number;
  refreshTokens: number;
  sessions: number;
  auditEvents: number;
  accountLinks: number;
};

/**
 * What the daily Cron Trigger deletes, in one D1 batch: guest conversations untouched for
 * GUEST_RETENTION_DAYS (their messages go with them), visitors whose token expired and who have no
 * conversation left, refresh tokens and sessions past their absolute expiry (no token of theirs can
 * work any more), and audit events older than AUDIT_RETENTION_DAYS. Accounts' own conversations are
 * theirs to delete and are never touched. Mailed links (verification, reset, sign-in) go once they are
 * used or expired: a hash that can no longer open anything is nothing to keep.
 */
export async function purgeExpired(db: Db, config: Config, now = Date.now()): Promise<RetentionCounts> {
  const { retention } = config.guest;
  const at = (msAgo: number) => new Date(now - msAgo);
  const results = await db.batch([
    db
      .delete(conversations)
      .where(and(isNotNull(conversations.visitorId), lt(conversations.updatedAt, at(retention.guestConversationsMs))))
      .returning({ id: conversations.id }),
    db
      .delete(visitors)
      .where(
        and(
          lt(visitors.expiresAt, new Date(now)),
          notExists(
            db.select({ one: sql`1` }).from(conversations).where(sql`${conversations.visitorId} = ${visitors.id}`),
          ),
        ),
      )
      .returning({ id: visitors.id }),
    db
      .delete(refreshTokens)
      .where(lt(refreshTokens.expiresAt, new Date(now)))
      .returning({ id: refreshTokens.id }),
    db
      .delete(sessions)
      .where(lt(sessions.expiresAt, new Date(now)))
      .returning({ id: sessions.id }),
    db
      .delete(auditEvents)
      .where(lt(auditEvents.createdAt, at(retention.auditEventsMs)))
      .returning({ id: auditEvents.id }),
    db
      .delete(accountTokens)
      .where(or(lt(accountTokens.expiresAt, new Date(now)), isNotNull(accountTokens.usedAt)))
      .returning({ id: accountTokens.id }),
  ]);
  const [guestConversations, expiredVisitors, tokens, endedSessions, events, links] = results;
  return {
    guestConversations: guestConversations.length,
    visitors: expiredVisitors.length,
    refreshTokens: tokens.length,
    sessions: endedSessions.length,
    auditEvents: events.length,
    accountLinks: links.length,
  };
}
