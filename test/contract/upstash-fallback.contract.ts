import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app';
import { ORIGIN, readError } from '../helpers/http';
import { captureLogs, linesWith, uniqueIp } from '../helpers/logs';

/** The app with Upstash pointed at `url` and a per-IP limit small enough to reach quickly. */
function appWithUpstashAt(url: string, extra: Record<string, string> = {}) {
  const app = createApp();
  const appEnv = {
    ...env,
    UPSTASH_REDIS_REST_URL: url,
    UPSTASH_REDIS_REST_TOKEN: 'any',
    RATE_LIMIT_IP: '3/1m',
    ...extra,
  };
  return async (ip: string) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`${ORIGIN}/api/v1/health`, { headers: { 'CF-Connecting-IP': ip } }),
      appEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/**
 * When Upstash cannot answer, requests are limited by the Durable Object instead: never let
 * through unlimited, never a 500. `unreachableUrl` must refuse connections.
 */
export function upstashFallbackContract(unreachableUrl: () => string): void {
  describe('Upstash failure falls back to the Durable Object limiter', () => {
    it('limits requests while Upstash is unreachable and logs a warning', async () => {
      const logs = captureLogs();
      const send = appWithUpstashAt(unreachableUrl());
      const ip = uniqueIp();
      const responses = [];
      for (let i = 0; i < 4; i++) responses.push(await send(ip));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(responses[0]?.headers.get('X-RateLimit-Limit')).toBe('3');
      expect((await readError(responses[3] as Response)).code).toBe('RATE_LIMITED');
      const warnings = linesWith(logs, 'rate limiter unavailable, using fallback');
      expect(warnings).toHaveLength(4);
      expect(warnings[0]).toMatchObject({
        level: 'warn',
        backend: 'upstash',
        fallback: 'durable-object',
        policy: 'ip',
      });
    });

    it('treats a timeout (which @upstash/ratelimit reports as success) as a failure, not a pass', async () => {
      const logs = captureLogs();
      const slowOrigin = 'http://127.0.0.1:9';
      const passThrough = globalThis.fetch;
      vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        if (!url.startsWith(slowOrigin)) return passThrough(input, init);
        // Slower than the configured timeout; then an answer nobody waits for any more.
        await new Promise((resolve) => setTimeout(resolve, 300));
        return Response.json({ error: 'too late' }, { status: 400 });
      });
      const send = appWithUpstashAt(slowOrigin, { RATE_LIMIT_UPSTASH_TIMEOUT_MS: '50' });
      const ip = uniqueIp();
      const responses = [];
      for (let i = 0; i < 4; i++) responses.push(await send(ip));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      const warnings = linesWith(logs, 'rate limiter unavailable, using fallback');
      expect(warnings).toHaveLength(4);
      expect(String(warnings[0]?.error)).toContain('timeout');
    });
  });
}
