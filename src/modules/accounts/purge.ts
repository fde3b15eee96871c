import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accountTokens, signinChallenges, users } from '../../db/schema';
import { log } from '../../lib/logger';
import { auditStatement } from '../audit/audit.service';
import { releaseExpiredHolds } from './username-holds';

/** An address nobody confirmed within this long is given back (its account removed). */
export const UNVERIFIED_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const unverifiedBefore = (now: number) =>
  and(isNull(users.emailVerifiedAt), lt(users.createdAt, new Date(now - UNVERIFIED_TTL_MS)));

/** Before a sign-up with this address: a stale unverified account must not keep the real owner out. */
export const purgeStaleUnverified = (db: Db, email: string, now = Date.now()) =>
  db.delete(users).where(and(eq(users.email, email), unverifiedBefore(now)));

/** The scheduled sweep: stale unverified accounts, released holds, spent links and challenges. */
export async function purgeExpired(db: Db, now = Date.now()) {
  const expired = new Date(now);
  const [removed] = await db.batch([
    db.delete(users).where(unverifiedBefore(now)).returning({ id: users.id }),
    releaseExpiredHolds(db, now),
    db.delete(accountTokens).where(or(lt(accountTokens.expiresAt, expired), lt(accountTokens.usedAt, expired))),
    db.delete(signinChallenges).where(lt(signinChallenges.expiresAt, expired)),
  ]);
  if (removed.length > 0) {
    log('info', 'removed unverified accounts', { count: removed.length });
    const [first, ...rest] = removed.map(({ id }) =>
      auditStatement(db, { action: 'unverified_purge', outcome: 'success', targetId: id, detail: { days: 7 } }),
    );
    if (first) await db.batch([first, ...rest]);
  }
  return { unverifiedRemoved: removed.length };
}
