import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { users } from '../db/schema';
import { dbOf } from '../lib/db-context';
import { AppError } from '../lib/errors';
import type { AppEnv, AuthUser } from '../lib/types';
import { verifyAccessToken } from '../modules/auth/access-token';
import { can, type Permission } from '../modules/auth/permissions';
import { enforceUserLimit, writeHeaders } from './rate-limit';

const challenge = (error?: string) => ({
  'WWW-Authenticate': error ? `Bearer realm="api", error="${error}"` : 'Bearer realm="api"',
});

const unauthorized = (error?: string) =>
  new AppError(401, 'UNAUTHORIZED', 'Authentication is required. Send a valid access token.', {
    headers: challenge(error),
  });

/**
 * Requires `Authorization: Bearer <access token>`. Beyond the signature and claims, one indexed
 * D1 read checks the account is still active and the token's version is current, which is what
 * lets password changes, role changes and deletions take effect at once.
 */
export const requireAuth = (options: { limitUser?: boolean } = {}) =>
  createMiddleware<AppEnv>(async function requireAuth(c, next) {
    const header = c.req.header('Authorization');
    const match = header ? /^Bearer ([A-Za-z0-9_.-]{20,4096})$/.exec(header) : null;
    if (!match?.[1]) throw unauthorized(header ? 'invalid_token' : undefined);

    let claims: Awaited<ReturnType<typeof verifyAccessToken>>;
    try {
      claims = await verifyAccessToken(match[1], c.get('config').auth);
    } catch (cause) {
      throw new AppError(401, 'UNAUTHORIZED', 'The access token is invalid or expired.', {
        headers: challenge('invalid_token'),
        cause,
      });
    }

    // The account check and the caller's own rate limit need only the (signed) subject, so they run
    // side by side: on the chat path every sequential round trip is latency before the first token.
    const [[row]] = await Promise.all([
      dbOf(c)
        .select({ id: users.id, role: users.role, isActive: users.isActive, tokenVersion: users.tokenVersion })
        .from(users)
        .where(eq(users.id, claims.sub))
        .limit(1),
      options.limitUser ? enforceUserLimit(c, claims.sub) : undefined,
    ]);
    if (!row?.isActive || row.tokenVersion !== claims.tv) {
      throw new AppError(401, 'UNAUTHORIZED', 'The access token is no longer valid. Sign in again.', {
        headers: challenge('invalid_token'),
      });
    }
    c.set('user', { id: row.id, role: row.role, sessionId: claims.sid });
    c.set('userId', row.id);
    await next();
    if (options.limitUser) writeHeaders(c);
  });

/**
 * For public endpoints that show more to some callers: authenticates when a token is sent
 * (a bad one is still refused with 401, never silently ignored) and lets anonymous requests through.
 */
export const optionalAuth = () =>
  createMiddleware<AppEnv>(async function optionalAuth(c, next) {
    if (c.req.header('Authorization') === undefined) return next();
    return requireAuth()(c, next);
  });

/** Requires the authenticated caller's role to grant `permission` (see permissions.ts). */
export const requirePermission = (permission: Permission) =>
  createMiddleware<AppEnv>(async function requirePermission(c, next) {
    const user = c.get('user');
    if (!user) throw unauthorized();
    if (!can(user.role, permission)) {
      throw new AppError(403, 'FORBIDDEN', 'You do not have permission to do this.');
    }
    await next();
  });

/**
 * The usual guard for a protected route: who is calling, then their own rate limit (so one user
 * cannot use up a shared IP's allowance), then whether their role allows this.
 */
export const guard = (permission: Permission) => [requireAuth({ limitUser: true }), requirePermission(permission)];

/** The caller on a route guarded by `requireAuth` (a programming error if it is missing). */
export function currentUser(c: Context<AppEnv>): AuthUser {
  const user = c.get('user');
  if (!user) throw new Error('route is missing requireAuth');
  return user;
}
