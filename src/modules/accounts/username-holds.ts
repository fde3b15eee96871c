import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { usernameHolds, users } from '../../db/schema';

/** As long as a verification link lives: the window in which a new account would hold its name unverified. */
export const HOLD_MS = 24 * 60 * 60 * 1000;

/** Taken by an account (any case) or held for a recent sign-up attempt; `exceptUserId` may keep its own. */
export async function usernameUnavailable(db: Db, username: string, exceptUserId?: string): Promise<boolean> {
  const lower = username.toLowerCase();
  const [[owner], [hold]] = await Promise.all([
    db.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = ${lower}`).limit(1),
    db
      .select({ expiresAt: usernameHolds.expiresAt })
      .from(usernameHolds)
      .where(and(eq(usernameHolds.usernameLower, lower), gt(usernameHolds.expiresAt, new Date())))
      .limit(1),
  ]);
  return (owner !== undefined && owner.id !== exceptUserId) || hold !== undefined;
}

export const holdUsername = (db: Db, username: string, now = Date.now()) =>
  db
    .insert(usernameHolds)
    .values({ usernameLower: username.toLowerCase(), expiresAt: new Date(now + HOLD_MS) })
    .onConflictDoUpdate({ target: usernameHolds.usernameLower, set: { expiresAt: new Date(now + HOLD_MS) } });

export const releaseExpiredHolds = (db: Db, now = Date.now()) =>
  db.delete(usernameHolds).where(lt(usernameHolds.expiresAt, new Date(now)));
