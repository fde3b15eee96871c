import { describe, expect, it } from 'vitest';
import type { RateLimiter, RateLimitPolicy } from '../../src/lib/rate-limit/rate-limit.types';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freshPolicy(limit: number, windowMs: number): RateLimitPolicy {
  return { name: `contract-${crypto.randomUUID().slice(0, 8)}`, limit, windowMs };
}

/**
 * What every RateLimiter backend must do, written once. Each backend's test file calls this
 * with a factory for its limiter; a backend that passes is interchangeable with the others.
 */
export function rateLimiterContract(makeLimiter: () => RateLimiter): void {
  describe('RateLimiter contract', () => {
    it('lets exactly N of M concurrent requests through for a limit of N', async () => {
      const limiter = makeLimiter();
      const policy = freshPolicy(10, 60_000);
      const results = await Promise.all(Array.from({ length: 50 }, () => limiter.limit('burst', policy)));
      const passed = results.filter((r) => r.success);
      expect(passed).toHaveLength(10);
      expect(passed.map((r) => r.remaining).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      for (const r of results) {
        expect(r.limit).toBe(10);
        expect(r.reset).toBeGreaterThan(Date.now());
        expect(r.reset).toBeLessThanOrEqual(Date.now() + 60_000);
      }
      expect(results.filter((r) => !r.success).every((r) => r.remaining === 0)).toBe(true);
    });

    it('stays exact across a second concurrent burst once the limit is reached', async () => {
      const limiter = makeLimiter();
      const policy = freshPolicy(5, 60_000);
      const first = await Promise.all(Array.from({ length: 8 }, () => limiter.limit('again', policy)));
      const second = await Promise.all(Array.from({ length: 20 }, () => limiter.limit('again', policy)));
      expect(first.filter((r) => r.success)).toHaveLength(5);
      expect(second.filter((r) => r.success)).toHaveLength(0);
    });

    it('isolates keys: one key exhausting its limit does not limit another', async () => {
      const limiter = makeLimiter();
      const policy = freshPolicy(3, 60_000);
      const a = await Promise.all(Array.from({ length: 6 }, () => limiter.limit('key-a', policy)));
      const b = await Promise.all(Array.from({ length: 3 }, () => limiter.limit('key-b', policy)));
      expect(a.filter((r) => r.success)).toHaveLength(3);
      expect(b.every((r) => r.success)).toBe(true);
      expect(b.map((r) => r.remaining).sort()).toEqual([0, 1, 2]);
    });

    it('isolates policies: the same key under two policies keeps two counts', async () => {
      const limiter = makeLimiter();
      const login = freshPolicy(1, 60_000);
      const register = freshPolicy(1, 60_000);
      expect((await limiter.limit('shared', login)).success).toBe(true);
      expect((await limiter.limit('shared', login)).success).toBe(false);
      expect((await limiter.limit('shared', register)).success).toBe(true);
    });

    it('slides: passes again once the window has moved on, in full after two windows', async () => {
      const limiter = makeLimiter();
      const policy = freshPolicy(3, 1_000);
      const burst = await Promise.all(Array.from({ length: 4 }, () => limiter.limit('slide', policy)));
      const other = await Promise.all(Array.from({ length: 3 }, () => limiter.limit('slide-full', policy)));
      expect(burst.filter((r) => r.success)).toHaveLength(3);
      expect(other.every((r) => r.success)).toBe(true);
      const refused = burst.find((r) => !r.success);
      expect(refused).toBeDefined();
      expect((await limiter.limit('slide', policy)).success).toBe(false);

      // Just past the reset the previous window still weighs in, but no longer fully.
      await sleep(Math.max(0, (refused?.reset ?? 0) - Date.now()) + 50);
      expect((await limiter.limit('slide', policy)).success).toBe(true);

      // A whole window later the burst no longer counts at all.
      await sleep(policy.windowMs);
      const later = await Promise.all(Array.from({ length: 3 }, () => limiter.limit('slide-full', policy)));
      expect(later.every((r) => r.success)).toBe(true);
    });
  });
}
