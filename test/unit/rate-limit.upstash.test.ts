import { describe, expect, it, vi } from 'vitest';
import { FallbackRateLimiter } from '../../src/lib/rate-limit/fallback.limiter';
import type { RateLimiter } from '../../src/lib/rate-limit/rate-limit.types';
import {
  classifyUpstashResponse,
  type RatelimitResponse,
  type UpstashBackend,
  UpstashRateLimiter,
  UpstashUnavailableError,
} from '../../src/lib/rate-limit/upstash.limiter';
import { captureLogs, linesWith } from '../helpers/logs';

const policy = { name: 'ip', limit: 10, windowMs: 60_000 };
const answer = (fields: Partial<RatelimitResponse>): RatelimitResponse => ({
  success: true,
  limit: 10,
  remaining: 9,
  reset: 1_000,
  pending: Promise.resolve(),
  ...fields,
});

/** A stand-in for the shared backend: only its `limit` is used by the per-request limiter. */
const backendAnswering = (limit: () => Promise<RatelimitResponse>) => ({ limit }) as unknown as UpstashBackend;

describe('Upstash failure classification', () => {
  it('treats reason "timeout" as a failure even though the library says success', () => {
    expect(() => classifyUpstashResponse(answer({ success: true, limit: 0, remaining: 0, reason: 'timeout' }))).toThrow(
      UpstashUnavailableError,
    );
  });

  it('passes real answers through, including denials from the ephemeral cache', () => {
    expect(classifyUpstashResponse(answer({}))).toEqual({ success: true, limit: 10, remaining: 9, reset: 1_000 });
    expect(classifyUpstashResponse(answer({ success: false, remaining: 0, reason: 'cacheBlock' })).success).toBe(false);
  });

  it('turns a thrown error (Redis unreachable) into UpstashUnavailableError', async () => {
    const limiter = new UpstashRateLimiter(
      backendAnswering(() => Promise.reject(new TypeError('fetch failed'))),
      () => {},
    );
    await expect(limiter.limit('k', policy)).rejects.toBeInstanceOf(UpstashUnavailableError);
  });

  it("hands the library's pending work to waitUntil", async () => {
    const pending = Promise.resolve('synced');
    const waitUntil = vi.fn();
    const limiter = new UpstashRateLimiter(
      backendAnswering(async () => answer({ pending })),
      waitUntil,
    );
    await limiter.limit('k', policy);
    expect(waitUntil).toHaveBeenCalledTimes(1);
  });
});

describe('FallbackRateLimiter', () => {
  const fixed = (success: boolean): RateLimiter => ({
    limit: async () => ({ success, limit: 1, remaining: 0, reset: 0 }),
  });

  it('answers from the primary while it works, without warnings', async () => {
    const logs = captureLogs();
    const fallback = { limit: vi.fn() };
    const limiter = new FallbackRateLimiter(fixed(false), fallback, { primary: 'upstash', fallback: 'durable-object' });
    expect((await limiter.limit('k', policy)).success).toBe(false);
    expect(fallback.limit).not.toHaveBeenCalled();
    expect(logs).toEqual([]);
  });

  it('asks the fallback when the primary fails, and logs a warning without the key', async () => {
    const logs = captureLogs();
    const failing: RateLimiter = { limit: () => Promise.reject(new UpstashUnavailableError('down')) };
    const limiter = new FallbackRateLimiter(failing, fixed(false), {
      requestId: 'r-1',
      primary: 'upstash',
      fallback: 'durable-object',
    });
    expect((await limiter.limit('secret-key', policy)).success).toBe(false);
    const [warning] = linesWith(logs, 'rate limiter unavailable, using fallback');
    expect(warning).toMatchObject({
      level: 'warn',
      requestId: 'r-1',
      policy: 'ip',
      error: expect.stringContaining('down'),
    });
    expect(JSON.stringify(warning)).not.toContain('secret-key');
  });
});
