import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../lib/errors';
import type { AppEnv, AuthUser } from '../lib/types';
import { verifyAccessToken } from '../modules/auth/access-token';
import { can, type Permission } from '../modules/auth/permissions';
import { bearerChallenge, tokenNoLongerValid } from '../modules/auth/token-refused';
import { userGateFor } from '../modules/users/user-gate';
import { enforceUserLimit, writeHeaders } from './rate-limit';

const unauthorized = (error?: string) =>
  new AppError(401, 'UNAUTHORIZED', 'Authentication is required. Send a valid access token.', {
    headers: bearerChallenge(error),
  });

type AuthOptions = {
  /** Also apply the caller's own rate limit, beside the account check. */
  limitUser?: boolean;
  /**
   * Let the route start its own lookups while the limits run and make the account check itself (the
   * chat path, where each sequential round trip delays the first token): see `Admission` in types.ts.
   * As a safety net this middleware awaits the limits again before the response leaves, and asks the
   * gate itself when the route did not, so a route that forgot (or refused early) still answers 429/401.
   */
  defer?: boolean;
};

/**
 * Requires `Authorization: Bearer <access token>`. Beyond the signature and claims, the user's gate
 * (a Durable Object holding a checked copy of the account, see user-gate.ts) confirms the account is
 * still active and the token's version is current, which is what lets password changes, role changes
 * and deletions take effect at once, without a D1 read per request.
 */
export const requireAuth = (options: AuthOptions = {}) =>
  createMiddleware<AppEnv>(async function requireAuth(c, next) {
    const header = c.req.header('Authorization');
    const match = header ? /^Bearer ([A-Za-z0-9_.-]{20,4096})$/.exec(header) : null;
    if (!match?.[1]) throw unauthorized(header ? 'invalid_token' : undefined);

    let claims: Awaited<ReturnType<typeof verifyAccessToken>>;
    try {
      claims = await verifyAccessToken(match[1], c.get('config').auth);
    } catch (cause) {
      throw new AppError(401, 'UNAUTHORIZED', 'The access token is invalid or expired.', {
        headers: bearerChallenge('invalid_token'),
        cause,
      });
    }

    // The account check and the limits need only the (signed) subject, so they run side by side (with
    // the per-IP check, where it overlaps): on the chat path every sequential round trip is latency.
    const limits = Promise.all([c.get('ipLimit'), options.limitUser ? enforceUserLimit(c, claims.sub) : undefined]);
    const checkAccount = async () => {
      const accepted = await userGateFor(c.env.USER_GATE, claims.sub).checkAccount({
        userId: claims.sub,
        tokenVersion: claims.tv,
        maxAgeMs: c.get('config').auth.accountRecheckMs,
      });
      if (!accepted) throw tokenNoLongerValid();
    };
    // The role comes from the token: a role change bumps the token version, so once the check
    // passes, the token's role is the account's role.
    c.set('user', { id: claims.sub, role: claims.role, sessionId: claims.sid, tokenVersion: claims.tv });
    c.set('userId', claims.sub);

    if (options.defer) {
      limits.catch(() => {}); // observed below and by the route; never an unhandled rejection
      let checkedByRoute = false;
      c.set('admission', {
        limits: limits.then(() => undefined),
        accountChecked: () => {
          checkedByRoute = true;
        },
      });
      await next();
      await limits;
      if (!checkedByRoute) await checkAccount();
    } else {
      await Promise.all([limits, checkAccount()]);
      await next();
    }
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
export const guard = (permission: Permission, options: { defer?: boolean } = {}) => [
  requireAuth({ limitUser: true, ...options }),
  requirePermission(permission),
];

/** The caller on a route guarded by `requireAuth` (a programming error if it is missing). */
export function currentUser(c: Context<AppEnv>): AuthUser {
  const user = c.get('user');
  if (!user) throw new Error('route is missing requireAuth');
  return user;
}
