import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Role } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { AppEnv, AuthUser } from '../../lib/types';
import { limitIp, noteRateLimit, rateLimited, writeHeaders } from '../../middleware/rate-limit';
import { admissionOf } from '../admission/admission.client';
import { refusalError } from '../admission/admission.errors';
import type { TurnLease, TurnRequest } from '../admission/admission.types';
import { guestAdmission } from '../admission/guest-admission';
import { isKeyRefusal } from '../admission/key-refusals';
import { type AccessClaims, verifyAccessToken } from './access-token';
import { type Admit, admitBesideIpLimit, admitOnce, sessionWindowMs } from './admission-call';
import { keyAdmission, keyCaller, verifiedKey } from './api-key-auth';
import { looksLikeApiKey } from './api-key-secret';
import { allows, type Permission } from './permissions';
import { bearerChallenge, forbidden, tokenNoLongerValid } from './token-refused';

/**
 * `Admit` admits the identified caller, once per request (later calls share the first answer): the
 * account check, the caller's per-user and per-IP limits and, for a chat turn, the turn's lease.
 * Nothing may act for the caller before it resolves.
 */
export type { Admit };

declare module 'hono' {
  interface ContextVariableMap {
    admit?: Admit;
    /** The permission the route's guard checked (an API key read again during admission is checked again). */
    permission?: Permission;
  }
}

const unauthorized = (error?: string) =>
  new AppError(401, 'UNAUTHORIZED', 'Authentication is required. Send a valid access token.', {
    headers: bearerChallenge(error),
  });

/**
 * Who is calling. Anonymous requests are counted per IP here, in front of everything else. A bearer
 * token is verified (a bad one is refused, after the same per-IP count, so floods see 429); a good one
 * identifies the caller, whose own admission — account, limits, per-IP count — runs as one step:
 * `admitted()` awaits it for ordinary routes, a chat turn starts it beside its own lookups.
 * An API key (`X-API-Key`, or a bearer value starting `sk_`) is the second kind of credential: it
 * identifies its owner, acting with the key's scopes, and is admitted by the owner's admission object.
 */
export const authenticate = () =>
  createMiddleware<AppEnv>(async function authenticate(c, next) {
    const header = c.req.header('Authorization');
    const apiKey = c.req.header('X-API-Key');
    if (apiKey !== undefined && header !== undefined) {
      await limitIp(c);
      throw new AppError(400, 'AMBIGUOUS_CREDENTIALS', 'Send either an API key or an access token, not both.');
    }
    const bearerKey = header?.startsWith('Bearer ') && looksLikeApiKey(header.slice(7)) ? header.slice(7) : undefined;
    if (apiKey !== undefined || bearerKey !== undefined) {
      const key = await verifiedKey(c, (apiKey ?? bearerKey ?? '').trim());
      c.set('user', keyCaller(key));
      c.set('userId', key.userId);
      c.set('apiKeyId', key.id);
      c.set('admit', keyAdmission(c, key));
    } else if (header === undefined) {
      await limitIp(c);
    } else {
      const claims = await verifiedClaims(c, header);
      if (claims.role === 'guest') {
        // A website visitor: no account, admitted with their site's limits (guest-admission.ts).
        if (claims.site === undefined) throw unauthorized('invalid_token');
        const guest = { siteId: claims.site, customer: claims.customer };
        c.set('user', { id: claims.sub, role: 'guest', sessionId: claims.sid, tokenVersion: 0, guest });
        c.set('userId', claims.sub);
        c.set('admit', guestAdmission(c, { visitorId: claims.sub, siteId: claims.site }, tokenNoLongerValid));
      } else {
        // The role comes from the token: a role change bumps the token version, so once admission
        // passes, the token's role is the account's role.
        c.set('user', { id: claims.sub, role: claims.role, sessionId: claims.sid, tokenVersion: claims.tv });
        c.set('userId', claims.sub);
        c.set('admit', admission(c, claims));
      }
    }
    await next();
    writeHeaders(c);
  });

async function verifiedClaims(c: Context<AppEnv>, header: string): Promise<AccessClaims> {
  const match = /^Bearer ([A-Za-z0-9_.-]{20,4096})$/.exec(header);
  try {
    if (!match?.[1]) throw unauthorized('invalid_token');
    return await verifyAccessToken(match[1], c.get('config').auth);
  } catch (cause) {
    await limitIp(c);
    if (cause instanceof AppError) throw cause;
    throw new AppError(401, 'UNAUTHORIZED', 'The access token is invalid or expired.', {
      headers: bearerChallenge('invalid_token'),
      cause,
    });
  }
}

const admission = (c: Context<AppEnv>, claims: AccessClaims): Admit => admitOnce((turn) => admitToken(c, claims, turn));

async function admitToken(
  c: Context<AppEnv>,
  claims: AccessClaims,
  turn: TurnRequest | undefined,
): Promise<TurnLease | undefined> {
  const { auth } = c.get('config');
  const object = admissionOf(c.env.ADMISSION, claims.sub);
  const { limit, windowMs } = c.get('config').rateLimit.policies.user;
  const answer = await admitBesideIpLimit(c, object, {
    userId: claims.sub,
    tokenVersion: claims.tv,
    sessionId: claims.sid,
    accountMaxAgeMs: auth.accountRecheckMs,
    sessionWindowMs: sessionWindowMs(auth),
    rate: { limit, windowMs },
    turn,
  });
  if (answer.status === 'rejected') {
    throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The service is busy. Please try again shortly.', {
      cause: answer.reason,
      headers: { 'Retry-After': '1' },
    });
  }
  const result = answer.value;
  if (result.ok) {
    noteRateLimit(c, result.rate);
    return result.lease;
  }
  // Key refusals never answer a token; if one did, refusing is the safe reading.
  if (result.refusal === 'account' || isKeyRefusal(result.refusal)) throw tokenNoLongerValid();
  if (result.refusal === 'rate')
    throw rateLimited(result.rate ?? { success: false, limit, remaining: 0, reset: Date.now() + windowMs });
  throw refusalError(result.refusal);
}

/** Routes past this point act for an identified caller only once admission has passed. */
export const admitted = () =>
  createMiddleware<AppEnv>(async function admitted(c, next) {
    await c.get('admit')?.();
    await next();
  });

/**
 * Requires an identified caller whose role grants `permission` (see permissions.ts), or one of them when
 * given a list (chat and conversations take `chat:use` or `chat:guest`).
 */
export const requirePermission = (permission: Permission | readonly Permission[]) =>
  createMiddleware<AppEnv>(async function requirePermission(c, next) {
    const user = c.get('user');
    if (!user) throw unauthorized();
    // The first permission of the list the caller holds (an API key re-read in admission is checked against it).
    const granted = (typeof permission === 'string' ? [permission] : permission).find((p) => allows(user, p));
    if (!granted) throw forbidden();
    c.set('permission', granted);
    await next();
  });

/** The usual guard for a protected route: an identified caller allowed to do this, admitted. */
export const guard = (permission: Permission | readonly Permission[]) => [requirePermission(permission), admitted()];

/**
 * For a chat turn: the caller is identified and allowed, and the turn admits itself, with its lease
 * and reservation, beside its own lookups (one round trip to the admission object on the way to the first token).
 */
export const turnGuard = (permission: Permission | readonly Permission[]) => [requirePermission(permission)];

/** The caller on a route no guest may reach (its permission is none of a guest's): an account holder. */
export function currentAccount(c: Context<AppEnv>): AuthUser & { role: Role } {
  const user = currentUser(c);
  if (user.role === 'guest') throw new Error('a guest reached an account route');
  return { ...user, role: user.role };
}

/** The caller on a route guarded by `guard` or `turnGuard` (a programming error if it is missing). */
export function currentUser(c: Context<AppEnv>): AuthUser {
  const user = c.get('user');
  if (!user) throw new Error('route is missing its guard');
  return user;
}
