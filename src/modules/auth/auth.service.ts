import { eq, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { type User, users } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { AccountChanged } from '../admission/admission.client';
import { type AuditInput, audit, auditStatement } from '../audit/audit.service';
import { signAccessToken } from './access-token';
import type { PasswordHasher } from './password-hasher';
import { needsRehash } from './password-hasher';
import { checkPassword } from './password-policy';
import { endSessions, findLiveFamily, issueRefreshToken, rotateRefreshToken } from './refresh-token';
import { sessionOrigin } from './session-origin';
import { toPublicUser } from './user-view';

/** Who is asking, for the audit trail. */
export type RequestMeta = Pick<AuditInput, 'ip' | 'userAgent' | 'requestId'>;

export type AuthDeps = { db: Db; config: Config; hasher: PasswordHasher; dummyHash: string; meta: RequestMeta };

/** One message for every way a login can fail, so none of them tells an attacker anything. */
export const invalidCredentials = () =>
  new AppError(401, 'INVALID_CREDENTIALS', 'The email or password is incorrect, or the account is temporarily locked.');

export async function assertPasswordAllowed(
  password: string,
  context: { email?: string; username?: string },
  config: Config,
) {
  const violation = await checkPassword(password, context, config.password);
  if (violation) throw new AppError(400, violation.code, violation.message);
}

type RegisterInput = { email: string; username: string; password: string; fullName?: string | undefined };

/**
 * Creates an account. A duplicate email gets the same 201 and body shape as a new one (with an id
 * that belongs to no one) after the same Argon2 work, so registration cannot be used to find out
 * who has an account. A taken username is said plainly, whatever the email: usernames are public, emails are not.
 */
export async function registerUser(input: RegisterInput, deps: AuthDeps) {
  const { db, config, hasher, meta } = deps;
  await assertPasswordAllowed(input.password, input, config);
  const passwordHash = hasher.hash(input.password, config.password.argon2);

  const [nameOwner] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.username}) = ${input.username.toLowerCase()}`)
    .limit(1);
  // Whoever owns it: answering differently for its owner's email would map public names to private emails.
  if (nameOwner) throw new AppError(409, 'USERNAME_TAKEN', 'This username is taken. Choose another.');

  const [created] = await db
    .insert(users)
    .values({ email: input.email, username: input.username, fullName: input.fullName || null, passwordHash })
    .onConflictDoNothing()
    .returning();
  if (created) {
    await audit(db, { action: 'register', outcome: 'success', actorId: created.id, targetId: created.id, ...meta });
    return toPublicUser(created);
  }

  await audit(db, { action: 'register_duplicate', outcome: 'denied', ...meta });
  const now = new Date();
  return toPublicUser({
    id: crypto.randomUUID(),
    email: input.email,
    username: input.username,
    fullName: input.fullName || null,
    passwordHash: '',
    role: 'user',
    isActive: true,
    failedLoginCount: 0,
    lockedUntil: null,
    tokenVersion: 0,
    lastLoginAt: null,
    createdAt: now,
    updatedAt: now,
  });
}

/**
 * Checks credentials with the same Argon2 work on every path (unknown email, locked, inactive,
 * wrong password) and one answer for all failures. Failed attempts count towards a lockout.
 */
export async function verifyCredentials(email: string, password: string, deps: AuthDeps): Promise<User> {
  const { db, config, hasher, dummyHash, meta } = deps;
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const now = Date.now();
  const matches = hasher.verify(user?.passwordHash ?? dummyHash, password);

  if (!user) {
    await audit(db, { action: 'login', outcome: 'failure', detail: { reason: 'unknown_email' }, ...meta });
    throw invalidCredentials();
  }
  const locked = user.lockedUntil !== null && user.lockedUntil.getTime() > now;
  if (locked || !user.isActive) {
    const reason = locked ? 'locked' : 'inactive';
    await audit(db, { action: 'login', outcome: 'denied', targetId: user.id, detail: { reason }, ...meta });
    throw invalidCredentials();
  }
  if (!matches) {
    await recordFailedLogin(user.id, deps);
    throw invalidCredentials();
  }

  const updates: Partial<typeof users.$inferInsert> = {
    failedLoginCount: 0,
    lockedUntil: null,
    lastLoginAt: new Date(now),
  };
  if (needsRehash(user.passwordHash, config.password.argon2)) {
    updates.passwordHash = hasher.hash(password, config.password.argon2);
  }
  const [fresh] = await db.update(users).set(updates).where(eq(users.id, user.id)).returning();
  await audit(db, {
    action: 'login',
    outcome: 'success',
    actorId: user.id,
    targetId: user.id,
    detail: updates.passwordHash ? { rehashed: true } : null,
    ...meta,
  });
  return fresh ?? user;
}

/**
 * Counts the failure in one statement (concurrent failures cannot undercount) and locks at the
 * threshold. The count and its audit row go in one batch, so a wrong password costs the same one D1
 * write round trip as an unknown email (only the lockout itself adds one).
 */
export async function recordFailedLogin(
  userId: string,
  { db, config, meta }: Pick<AuthDeps, 'db' | 'config' | 'meta'>,
  action: 'login' | 'password_change' = 'login',
): Promise<void> {
  const { lockoutThreshold, lockoutMs } = config.auth;
  const lockUntil = Date.now() + lockoutMs;
  const count = db
    .update(users)
    .set({
      // The counter restarts when the lock is set, so an expired lock gives a fresh set of attempts.
      failedLoginCount: sql`CASE WHEN ${users.failedLoginCount} + 1 >= ${lockoutThreshold} THEN 0 ELSE ${users.failedLoginCount} + 1 END`,
      lockedUntil: sql`CASE WHEN ${users.failedLoginCount} + 1 >= ${lockoutThreshold} THEN ${lockUntil} ELSE ${users.lockedUntil} END`,
    })
    .where(eq(users.id, userId))
    .returning({ lockedUntil: users.lockedUntil });
  const [[row]] = await db.batch([
    count,
    auditStatement(db, { action, outcome: 'failure', targetId: userId, detail: { reason: 'bad_password' }, ...meta }),
  ]);
  if (row?.lockedUntil && row.lockedUntil.getTime() === lockUntil) {
    await audit(db, {
      action: 'lockout',
      outcome: 'denied',
      targetId: userId,
      detail: { minutes: lockoutMs / 60_000 },
      ...meta,
    });
  }
}

export type Session = { accessToken: string; expiresIn: number; refreshToken: string; refreshExpiresAt: Date };

export async function accessTokenFor(
  user: Pick<User, 'id' | 'role' | 'tokenVersion'>,
  sessionId: string,
  config: Config,
) {
  const accessToken = await signAccessToken(
    { sub: user.id, role: user.role, tv: user.tokenVersion, sid: sessionId },
    config.auth,
  );
  return { accessToken, expiresIn: config.auth.accessTokenTtlSeconds };
}

export async function startSession(
  user: User,
  { db, config, meta }: Pick<AuthDeps, 'db' | 'config' | 'meta'>,
): Promise<Session> {
  const refresh = await issueRefreshToken(db, user.id, config.auth.refreshTokenTtlMs, sessionOrigin(meta));
  const access = await accessTokenFor(user, refresh.familyId, config);
  return { ...access, refreshToken: refresh.token, refreshExpiresAt: refresh.expiresAt };
}

/** Rotates the refresh token; a replayed one revokes its family and is reported. */
export async function refreshSession(
  presented: string,
  deps: Omit<AuthDeps, 'hasher' | 'dummyHash'> & { accountChanged: AccountChanged },
): Promise<Session> {
  const { db, config, meta } = deps;
  const result = await rotateRefreshToken(db, presented);
  if (result.outcome === 'reused') {
    // Whoever replayed it may also hold a live access token from that family: end those too.
    await db
      .update(users)
      .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, result.userId));
    await deps.accountChanged(result.userId);
    await audit(db, {
      action: 'refresh_reuse',
      outcome: 'denied',
      targetId: result.userId,
      detail: { familyId: result.familyId },
      ...meta,
    });
    throw sessionExpired();
  }
  if (result.outcome === 'invalid') throw sessionExpired();

  const [user] = await db.select().from(users).where(eq(users.id, result.userId)).limit(1);
  if (!user?.isActive) {
    await endSessions(db, result.userId, {});
    throw sessionExpired();
  }
  const access = await accessTokenFor(user, result.familyId, config);
  return { ...access, refreshToken: result.token, refreshExpiresAt: result.expiresAt };
}

export const sessionExpired = () => new AppError(401, 'SESSION_EXPIRED', 'Your session has ended. Sign in again.');

/**
 * Ends the session the refresh token belongs to, at once: its family is revoked and the user's
 * admission object told, so the session's unexpired access tokens are refused from the next request.
 */
export async function logout(
  presented: string,
  { db, meta, accountChanged }: Pick<AuthDeps, 'db' | 'meta'> & { accountChanged: AccountChanged },
): Promise<void> {
  const family = await findLiveFamily(db, presented);
  if (!family) return;
  await endSessions(db, family.userId, { only: family.familyId });
  await accountChanged(family.userId);
  await audit(db, {
    action: 'logout',
    outcome: 'success',
    actorId: family.userId,
    targetId: family.userId,
    detail: { sessionId: family.familyId },
    ...meta,
  });
}
