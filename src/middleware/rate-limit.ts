import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../lib/errors';
import { log } from '../lib/logger';
import { getRateLimitConfig, type PolicyName } from '../lib/rate-limit/rate-limit.config';
import { rateLimiterFor } from '../lib/rate-limit/rate-limit.factory';
import { clientIp, ipBucket, normalizeEmail, rateLimitKey } from '../lib/rate-limit/rate-limit.keys';
import type { RateLimitResult } from '../lib/rate-limit/rate-limit.types';
import type { AppEnv } from '../lib/types';

declare module 'hono' {
  interface ContextVariableMap {
    /** The tightest passing decision so far; its figures become the X-RateLimit-* headers. */
    rateLimit?: RateLimitResult;
    /** The per-IP check still running, for `requireAuth` to await (see `limitByIp({ overlapOn })`). */
    ipLimit?: Promise<void>;
  }
}

type Check = { policy: PolicyName; identifier: string };

type IpLimitOptions = {
  /**
   * Requests whose route starts its own lookups while this check runs (the chat turns, where every
   * sequential round trip delays the first token). The check starts here; `requireAuth` awaits it
   * with the account check, before the route acts for anyone. As a safety net it is awaited here
   * again after the route, so a refusal still answers 429 (over a 401 too: floods see one answer).
   */
  overlapOn?: (c: Context<AppEnv>) => boolean;
};

/**
 * Every request, per client IP. Mounted right after the body-size limit, before auth, so
 * anonymous floods are refused before any token check or password hash.
 */
export const limitByIp = (
  policy: Extract<PolicyName, 'ip' | 'registerIp' | 'refreshIp'> = 'ip',
  options: IpLimitOptions = {},
) =>
  createMiddleware<AppEnv>(async function limitByIp(c, next) {
    const checking = enforce(c, [{ policy, identifier: ipOf(c) }]);
    if (options.overlapOn?.(c)) {
      checking.catch(() => {}); // observed by requireAuth and below; never an unhandled rejection
      c.set('ipLimit', checking);
      await next();
      await checking;
    } else {
      await checking;
      await next();
    }
    writeHeaders(c);
  });

/**
 * Login: per IP, then per email so that one account cannot be guessed at from many IPs.
 * The body is parsed here only to find the email (Hono caches it for the validator); a body
 * that is not JSON or has no email simply skips that key and the validator rejects it later.
 */
export const limitLogin = () =>
  createMiddleware<AppEnv>(async function limitLogin(c, next) {
    const checks: Check[] = [{ policy: 'loginIp', identifier: ipOf(c) }];
    const email = await emailOf(c);
    if (email) checks.push({ policy: 'loginEmail', identifier: email });
    await enforce(c, checks);
    await next();
    writeHeaders(c);
  });

function ipOf(c: Context<AppEnv>): string {
  const { trustXForwardedFor } = getRateLimitConfig(c.env);
  return ipBucket(clientIp(c.req.raw.headers, trustXForwardedFor));
}

async function emailOf(c: Context<AppEnv>): Promise<string | undefined> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !('email' in body) || typeof body.email !== 'string') {
    return undefined;
  }
  return normalizeEmail(body.email) || undefined;
}

/** Checks in order and stops at the first refusal, so a refused request spends no further quota. */
async function enforce(c: Context<AppEnv>, checks: Check[]): Promise<void> {
  const config = getRateLimitConfig(c.env);
  const requestId = c.get('requestId');
  const limiter = rateLimiterFor(c.env, config, { waitUntil: waitUntilOf(c), requestId });
  if (!limiter) return;
  for (const { policy: name, identifier } of checks) {
    const policy = config.policies[name];
    const key = await rateLimitKey(identifier);
    let result: RateLimitResult;
    try {
      result = await limiter.limit(key, policy);
    } catch (cause) {
      // No limiter could answer (the Durable Object fallback failed too): refuse rather than run unprotected.
      throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The service is busy. Please try again shortly.', {
        cause,
        headers: { 'Retry-After': '1' },
      });
    }
    if (!result.success) {
      const headers = limitHeaders(result);
      log('warn', 'rate limited', { requestId, policy: policy.name, key, limit: result.limit, path: c.req.path });
      throw new AppError(429, 'RATE_LIMITED', 'Too many requests. Please wait before trying again.', {
        headers: { ...headers, 'Retry-After': String(Math.max(1, Number(headers['X-RateLimit-Reset']))) },
      });
    }
    const tightest = c.get('rateLimit');
    if (!tightest || result.remaining < tightest.remaining) c.set('rateLimit', result);
  }
}

/** The per-user check on its own, for `requireAuth` to run alongside its account lookup. */
export const enforceUserLimit = (c: Context<AppEnv>, userId: string) =>
  enforce(c, [{ policy: 'user', identifier: userId }]);

export function writeHeaders(c: Context<AppEnv>): void {
  const result = c.get('rateLimit');
  if (!result) return;
  for (const [name, value] of Object.entries(limitHeaders(result))) c.res.headers.set(name, value);
}

function limitHeaders(result: RateLimitResult): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(result.limit),
    'X-RateLimit-Remaining': String(result.remaining),
    // Seconds, not a timestamp: client clocks are not to be trusted.
    'X-RateLimit-Reset': String(Math.max(0, Math.ceil((result.reset - Date.now()) / 1000))),
  };
}

function waitUntilOf(c: Context<AppEnv>): (promise: Promise<unknown>) => void {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    // Outside a Workers request (unit tests calling app.fetch without a context) there is nothing to extend.
    return () => {};
  }
}
