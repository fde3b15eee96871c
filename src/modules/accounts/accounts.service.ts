import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type User, users } from '../../db/schema';
import { AppError } from '../../lib/errors';
import { isUniqueViolation } from '../../lib/sql-errors';
import { consumeAccountToken, peekAccountToken } from '../account-tokens/account-tokens';
import type { AccountChanged } from '../admission/admission.client';
import { audit, auditStatement } from '../audit/audit.service';
import { type AuthDeps, assertPasswordAllowed, type RequestMeta } from '../auth/auth.service';
import { unlockAllStatements } from '../auth/lockout';
import { endSessions } from '../auth/refresh-token';
import { purgeStaleUnverified } from './purge';
import { holdUsername, usernameUnavailable } from './username-holds';

export const usernameTaken = () => new AppError(409, 'USERNAME_TAKEN', 'This username is taken. Choose another.');
export const invalidLink = () =>
  new AppError(400, 'INVALID_TOKEN', 'This link is invalid, has expired or was already used. Ask for a new one.');

type RegisterInput = { email: string; username: string; password: string; fullName?: string | undefined };

export type Registration = { kind: 'created'; user: User } | { kind: 'existing'; user: User };

/**
 * Starts an account, unverified. An address that already has one gets the same answer after the same
 * Argon2 work, and the requested username is held for the verification window just as a new account
 * would hold it, so nothing a caller can observe depends on whether the email existed. A taken
 * username is said plainly, whatever the email: usernames are public, emails are not.
 */
export async function registerAccount(input: RegisterInput, deps: AuthDeps): Promise<Registration> {
  const { db, config, hasher, meta } = deps;
  await assertPasswordAllowed(input.password, input, config);
  const passwordHash = hasher.hash(input.password, config.password.argon2);

  // Whoever holds it: answering differently for its owner's email would map public names to private emails.
  if (await usernameUnavailable(db, input.username)) throw usernameTaken();
  await purgeStaleUnverified(db, input.email);

  let created: User | undefined;
  try {
    [created] = await db
      .insert(users)
      .values({ email: input.email, username: input.username, fullName: input.fullName || null, passwordHash })
      .onConflictDoNothing({ target: users.email })
      .returning();
  } catch (error) {
    // The name went to a concurrent sign-up between the check and the insert.
    if (isUniqueViolation(error)) throw usernameTaken();
    throw error;
  }
  if (created) {
    await audit(db, { action: 'register', outcome: 'success', actorId: created.id, targetId: created.id, ...meta });
    return { kind: 'created', user: created };
  }
  const [existing] = await db.select().from(users).where(eq(users.email, input.email)).limit(1);
  if (!existing) throw usernameTaken();
  await db.batch([
    holdUsername(db, input.username),
    auditStatement(db, { action: 'register_duplicate', outcome: 'denied', targetId: existing.id, ...meta }),
  ]);
  return { kind: 'existing', user: existing };
}

type AccountDeps = { db: Db; meta: RequestMeta; accountChanged: AccountChanged };

/** Follows a verification link: the address is confirmed, and admission hears of it (chat opens at once). */
export async function verifyEmail(token: string, { db, meta, accountChanged }: AccountDeps): Promise<void> {
  const userId = await consumeAccountToken(db, token, 'verify_email');
  if (!userId) throw invalidLink();
  await db.batch([
    db
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${Date.now()})` })
      .where(eq(users.id, userId)),
    auditStatement(db, { action: 'email_verify', outcome: 'success', actorId: userId, targetId: userId, ...meta }),
  ]);
  await accountChanged(userId);
}

export async function findByEmail(db: Db, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return user;
}

/**
 * Follows a reset link with a new password. The link is spent only once the password passes the
 * policy (a refused password can be corrected). The reset proves the mailbox, so it also confirms the
 * address; it ends every session, lifts every lockout and does not sign in: the next sign-in asks for
 * the second factor as usual, so a reset never bypasses 2FA.
 */
export async function resetPassword(
  token: string,
  newPassword: string,
  deps: Pick<AuthDeps, 'db' | 'config' | 'hasher' | 'meta'> & { accountChanged: AccountChanged },
): Promise<User> {
  const { db, config, hasher, meta } = deps;
  const holder = await peekAccountToken(db, token, 'reset_password');
  const [user] = holder ? await db.select().from(users).where(eq(users.id, holder)).limit(1) : [];
  if (!user) throw invalidLink();
  await assertPasswordAllowed(newPassword, user, config);
  const passwordHash = hasher.hash(newPassword, config.password.argon2);
  if ((await consumeAccountToken(db, token, 'reset_password')) !== user.id) throw invalidLink();
  await db.batch([
    db
      .update(users)
      .set({ passwordHash, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${Date.now()})` })
      .where(eq(users.id, user.id)),
    ...unlockAllStatements(db, user.id),
  ]);
  const ended = await endSessions(db, user.id, {});
  await deps.accountChanged(user.id);
  await audit(db, {
    action: 'password_reset',
    outcome: 'success',
    actorId: user.id,
    targetId: user.id,
    detail: { sessionsEnded: ended.length },
    ...meta,
  });
  return user;
}

/**
 * Follows a mailed sign-in link (sent when the account-wide threshold was passed and the password was
 * right): the account-wide lock is lifted and the sign-in continues, second factor included.
 */
export async function useSigninLink(token: string, { db, meta }: Pick<AuthDeps, 'db' | 'meta'>): Promise<User> {
  const userId = await consumeAccountToken(db, token, 'signin_link');
  const [user] = userId ? await db.select().from(users).where(eq(users.id, userId)).limit(1) : [];
  if (!user?.isActive) throw invalidLink();
  await db.batch([
    db.update(users).set({ failedLoginCount: 0, lockedUntil: null }).where(eq(users.id, user.id)),
    auditStatement(db, { action: 'signin_link', outcome: 'success', actorId: user.id, targetId: user.id, ...meta }),
  ]);
  return { ...user, failedLoginCount: 0, lockedUntil: null };
}
