import { and, eq, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { loginFailures, users } from '../../db/schema';
import { ipBucket } from '../../lib/rate-limit/rate-limit.keys';
import { audit, auditStatement } from '../audit/audit.service';
import type { RequestMeta } from './auth.service';

/**
 * The lockout that protects rather than punishes. Failures are counted per account *and* client (an
 * IPv4 address, an IPv6 /64): LOCKOUT_THRESHOLD of them lock that pair for LOCKOUT_MINUTES, so an
 * attacker locks out only themselves. All clients together count towards LOCKOUT_ACCOUNT_THRESHOLD
 * (much higher); past it a correct password is not enough on its own: a one-time link is mailed to the
 * owner, who can always sign in with it. Admin unlock, a password reset or time lift both.
 */
export const clientKey = (ip: string | null | undefined) => ipBucket(ip || 'unknown');

export async function pairLocked(db: Db, userId: string, client: string, now = Date.now()): Promise<boolean> {
  const [row] = await db
    .select({ lockedUntil: loginFailures.lockedUntil })
    .from(loginFailures)
    .where(and(eq(loginFailures.userId, userId), eq(loginFailures.client, client)))
    .limit(1);
  return (row?.lockedUntil?.getTime() ?? 0) > now;
}

export type FailureAction = 'login' | 'password_change' | 'mfa_verify';

/**
 * Counts one failure for the pair and for the account, each in one statement (concurrent failures
 * cannot undercount), with its audit row, in one batch. A pair's count older than a lockout period
 * starts again, so a typo a month is never a lockout.
 */
export async function recordFailedLogin(
  userId: string,
  { db, config, meta }: { db: Db; config: Config; meta: RequestMeta },
  action: FailureAction = 'login',
  client = clientKey(meta.ip),
): Promise<void> {
  const { lockoutThreshold, lockoutMs, accountLockoutThreshold } = config.auth;
  const now = Date.now();
  const lockUntil = now + lockoutMs;
  const stale = now - lockoutMs;
  const previous = sql`CASE WHEN ${loginFailures.updatedAt} < ${stale} THEN 0 ELSE ${loginFailures.count} END`;
  const [[pair], [account]] = await db.batch([
    db
      .insert(loginFailures)
      .values({ userId, client, count: 1, updatedAt: new Date(now) })
      .onConflictDoUpdate({
        target: [loginFailures.userId, loginFailures.client],
        set: {
          // The counter restarts when the lock is set, so an expired lock gives a fresh set of attempts.
          count: sql`CASE WHEN ${previous} + 1 >= ${lockoutThreshold} THEN 0 ELSE ${previous} + 1 END`,
          lockedUntil: sql`CASE WHEN ${previous} + 1 >= ${lockoutThreshold} THEN ${lockUntil} ELSE ${loginFailures.lockedUntil} END`,
          updatedAt: new Date(now),
        },
      })
      .returning({ lockedUntil: loginFailures.lockedUntil }),
    db
      .update(users)
      .set({
        failedLoginCount: sql`CASE WHEN ${users.failedLoginCount} + 1 >= ${accountLockoutThreshold} THEN 0 ELSE ${users.failedLoginCount} + 1 END`,
        lockedUntil: sql`CASE WHEN ${users.failedLoginCount} + 1 >= ${accountLockoutThreshold} THEN ${lockUntil} ELSE ${users.lockedUntil} END`,
      })
      .where(eq(users.id, userId))
      .returning({ lockedUntil: users.lockedUntil }),
    auditStatement(db, { action, outcome: 'failure', targetId: userId, detail: { reason: 'bad_secret' }, ...meta }),
  ]);
  const minutes = lockoutMs / 60_000;
  if (pair?.lockedUntil?.getTime() === lockUntil) {
    await audit(db, {
      action: 'lockout',
      outcome: 'denied',
      targetId: userId,
      detail: { scope: 'client', minutes },
      ...meta,
    });
  }
  if (account?.lockedUntil?.getTime() === lockUntil) {
    await audit(db, {
      action: 'lockout',
      outcome: 'denied',
      targetId: userId,
      detail: { scope: 'account', minutes },
      ...meta,
    });
  }
}

/** A finished sign-in from this client: its pair's count and the account-wide count start again. */
export const clearFailuresStatements = (db: Db, userId: string, client: string) =>
  [
    db.delete(loginFailures).where(and(eq(loginFailures.userId, userId), eq(loginFailures.client, client))),
    db.update(users).set({ failedLoginCount: 0, lockedUntil: null }).where(eq(users.id, userId)),
  ] as const;

/** Admin unlock and password reset: every pair and the account lock are lifted. */
export const unlockAllStatements = (db: Db, userId: string) =>
  [
    db.delete(loginFailures).where(eq(loginFailures.userId, userId)),
    db.update(users).set({ failedLoginCount: 0, lockedUntil: null }).where(eq(users.id, userId)),
  ] as const;
