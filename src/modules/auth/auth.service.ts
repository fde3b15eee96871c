import { eq, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { type User, users } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { AccountChanged } from '../admission/admission.client';
import { type AuditInput, audit, auditStatement } from '../audit/audit.service';
import { signAccessToken } from './access-token';
import { clearFailuresStatements, clientKey, pairLocked, recordFailedLogin } from './lockout';
import type { PasswordHasher } from './password-hasher';
import { needsRehash } from './password-hasher';
import { checkPassword } from './password-policy';
import { endSessions, findLiveFamily, issueRefreshToken, rotateRefreshToken } from './refresh-token';
import { sessionOrigin } from './session-origin';
import { createChallenge } from './signin-challenge';

/** Who is asking, for the audit trail. */
export type RequestMeta = Pick<AuditInput, 'ip' | 'userAgent' | 'requestId'>;

export type AuthDeps = { db: Db; config: Config; hasher: PasswordHasher; dummyHash: string; meta: RequestMeta };

/** One message for every way a login can fail, so none of them tells an attacker anything. */
export const invalidCredentials = () =>
  new AppError(
    401,
    'INVALID_CREDENTIALS',
    'The email or password is incorrect, or the account is temporarily locked. If we emailed you a sign-in link, use it.',
  );

export async function assertPasswordAllowed(
  password: string,
  context: { email?: string; username?: string },
  config: Config,
) {
  const violation = await checkPassword(password, context, config.password);
  if (violation) throw new AppError(400, violation.code, violation.message);
}

/** What a correct password leads to: the session, or the second step, or (account-wide lock) a mailed link. */
export type PasswordCheck = { user: User; linkRequired: boolean };

/**
 * Checks credentials with the same Argon2 work on every path (unknown email, locked, inactive,
 * wrong password) and one answer for all failures. Failed attempts count towards the lockout of this
 * account from this client, and towards the account-wide threshold (see lockout.ts). Past the latter a
 * correct password answers `linkRequired`: the caller mails the owner a one-time link and still
 * answers like any failure, so the attacker learns nothing and the owner is never locked out.
 */
export async function verifyCredentials(email: string, password: string, deps: AuthDeps): Promise<PasswordCheck> {
  const { db, config, hasher, dummyHash, meta } = deps;
  const client = clientKey(meta.ip);
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const now = Date.now();
  const matches = hasher.verify(user?.passwordHash ?? dummyHash, password);
  const locked = user ? await pairLocked(db, user.id, client, now) : false;

  if (!user) {
    await audit(db, { action: 'login', outcome: 'failure', detail: { reason: 'unknown_email' }, ...meta });
    throw invalidCredentials();
  }
  if (locked || !user.isActive) {
    const reason = locked ? 'locked' : 'inactive';
    await audit(db, { action: 'login', outcome: 'denied', targetId: user.id, detail: { reason }, ...meta });
    throw invalidCredentials();
  }
  if (!matches) {
    await recordFailedLogin(user.id, deps, 'login', client);
    throw invalidCredentials();
  }
  if (needsRehash(user.passwordHash, config.password.argon2)) {
    const passwordHash = hasher.hash(password, config.password.argon2);
    await db.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    await audit(db, { action: 'password_rehash', outcome: 'success', actorId: user.id, targetId: user.id, ...meta });
    user.passwordHash = passwordHash;
  }
  const linkRequired = user.lockedUntil !== null && user.lockedUntil.getTime() > now;
  return { user, linkRequired };
}

export type SignInResult =
  | { kind: 'session'; session: Session }
  | { kind: 'mfa'; mfaToken: string }
  | { kind: 'enroll'; mfaToken: string };

type SignInDeps = Pick<AuthDeps, 'db' | 'config' | 'meta'>;

/**
 * After a first factor (a password, or a mailed sign-in link that followed one): a session, unless the
 * account has 2FA (then an `mfaToken` for the code) or its role must have it (then an `mfaToken` to set
 * it up). Every way into an account goes through here, so none of them skips the second factor.
 */
export async function completeSignIn(user: User, deps: SignInDeps, method = 'password'): Promise<SignInResult> {
  const client = clientKey(deps.meta.ip);
  if (user.mfaEnabledAt) return { kind: 'mfa', mfaToken: await createChallenge(deps.db, user.id, 'mfa', client) };
  if (deps.config.auth.mfaRequiredRoles.has(user.role)) {
    return { kind: 'enroll', mfaToken: await createChallenge(deps.db, user.id, 'enroll', client) };
  }
  return { kind: 'session', session: await finishSignIn(user, deps, method) };
}

/** Every factor passed: this client's failures and the account-wide count start again, and a session begins. */
export async function finishSignIn(user: User, deps: SignInDeps, method: string): Promise<Session> {
  const { db, meta } = deps;
  await db.batch([
    ...clearFailuresStatements(db, user.id, clientKey(meta.ip)),
    db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id)),
    auditStatement(db, {
      action: 'login',
      outcome: 'success',
      actorId: user.id,
      targetId: user.id,
      detail: { method },
      ...meta,
    }),
  ]);
  return startSession(user, deps);
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
  // An operator role that must have 2FA and has none (the rule came later) gets no more tokens this way.
  const mfaMissing = user !== undefined && !user.mfaEnabledAt && config.auth.mfaRequiredRoles.has(user.role);
  if (!user?.isActive || mfaMissing) {
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
