import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../lib/errors';
import { log } from '../lib/logger';
import type { PolicyName } from '../lib/rate-limit/rate-limit.config';
import { rateLimiterFor } from '../lib/rate-limit/rate-limit.factory';
import { clientIp, ipBucket, normalizeEmail, rateLimitKey } from '../lib/rate-limit/rate-limit.keys';
import type { RateLimitResult } from '../lib/rate-limit/rate-limit.types';
import type { AppEnv } from '../lib/types';

declare module 'hono' {
  interface ContextVariableMap {
    /** The tightest passing decision so far; its figures become the X-RateLimit-* headers. */
    rateLimit?: RateLimitResult;
  }
}

type Check = { policy: PolicyName; identifier: string };

/**
 * Per client IP, with a route's own policy (register, refresh). The generic per-IP limit is counted by
 * authentication: in front for anonymous callers, inside admission for identified ones.
 */
export const limitByIp = (policy: Extract<PolicyName, 'registerIp' | 'refreshIp' | 'accountIp'>) =>
  createMiddleware<AppEnv>(async function limitByIp(c, next) {
    await limitIp(c, policy);
    await next();
    writeHeaders(c);
  });

/** Counts one request against a per-IP policy; throws the 429 (or 503) when it is refused. */
export const limitIp = (
  c: Context<AppEnv>,
  policy: Extract<PolicyName, 'ip' | 'registerIp' | 'refreshIp' | 'accountIp'> = 'ip',
) => enforce(c, [{ policy, identifier: ipOf(c) }]);

/**
 * Login: per IP; per email *from this client*, so an attacker elsewhere spends their own allowance and
 * not the owner's; and a much higher ceiling per email from all clients together, so one account cannot
 * be guessed at from many IPs. The body is parsed here only to find the email (Hono caches it for the
 * validator); a body that is not JSON or has no email skips those keys and the validator rejects it later.
 */
export const limitLogin = () =>
  createMiddleware<AppEnv>(async function limitLogin(c, next) {
    const ip = ipOf(c);
    const email = await emailOf(c);
    const checks: Check[] = [];
    // The pair first: one client hammering one account is refused without spending the IP's allowance.
    if (email) checks.push({ policy: 'loginEmail', identifier: `${email}\n${ip}` });
    checks.push({ policy: 'loginIp', identifier: ip });
    if (email) checks.push({ policy: 'loginEmailAll', identifier: email });
    await enforce(c, checks);
    await next();
    writeHeaders(c);
  });

/** Counts one request against a per-caller policy (uploads): whatever IP the caller comes from. */
export const limitCaller = (c: Context<AppEnv>, policy: Extract<PolicyName, 'documentUpload'>, userId: string) =>
  enforce(c, [{ policy, identifier: `user:${userId}` }]);

function ipOf(c: Context<AppEnv>): string {
  const { trustXForwardedFor } = c.get('config').rateLimit;
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

/**
 * Counts one event against a policy without refusing the request (mail per address: the answer must
 * not depend on it). False when over the limit or when no limiter could answer (then: do not send).
 */
export async function withinLimit(
  c: Context<AppEnv>,
  name: Extract<PolicyName, 'mailAddress'>,
  identifier: string,
): Promise<boolean> {
  const config = c.get('config').rateLimit;
  const requestId = c.get('requestId');
  const limiter = rateLimiterFor(c.env, config, { waitUntil: waitUntilOf(c), requestId });
  if (!limiter) return true;
  const policy = config.policies[name];
  const key = await rateLimitKey(identifier);
  try {
    const result = await limiter.limit(key, policy);
    if (!result.success) log('warn', 'rate limited', { requestId, policy: policy.name, key, limit: result.limit });
    return result.success;
  } catch (error) {
    log('error', 'rate limiter unavailable; not sending', { requestId, policy: policy.name, error: String(error) });
    return false;
  }
}

/** Checks in order and stops at the first refusal, so a refused request spends no further quota. */
async function enforce(c: Context<AppEnv>, checks: Check[]): Promise<void> {
  const config = c.get('config').rateLimit;
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
      log('warn', 'rate limited', { requestId, policy: policy.name, key, limit: result.limit, path: c.req.path });
      throw rateLimited(result);
    }
    noteRateLimit(c, result);
  }
}

/** The 429 for a refused limit, with the figures a client needs to back off. */
export function rateLimited(result: RateLimitResult): AppError {
  const headers = limitHeaders(result);
  return new AppError(429, 'RATE_LIMITED', 'Too many requests. Please wait before trying again.', {
    headers: { ...headers, 'Retry-After': String(Math.max(1, Number(headers['X-RateLimit-Reset']))) },
  });
}

/** Keeps the tightest passing decision; `writeHeaders` turns it into X-RateLimit-* headers. */
export function noteRateLimit(c: Context<AppEnv>, result: RateLimitResult): void {
  const tightest = c.get('rateLimit');
  if (!tightest || result.remaining < tightest.remaining) c.set('rateLimit', result);
}

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
