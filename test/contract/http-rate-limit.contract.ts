import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, postJson, readError } from '../helpers/http';
import { captureLogs, linesWith, uniqueIp } from '../helpers/logs';

const health = (ip: string, headers: Record<string, string> = {}) =>
  call('/api/v1/health', { headers: { 'CF-Connecting-IP': ip, ...headers } });

const statuses = (responses: Response[]) => responses.map((r) => r.status);

/**
 * The rate limits as clients see them, through the real Worker with the default policies from
 * wrangler.toml. Whichever backend the worker is configured with must pass all of it.
 */
export function httpRateLimitContract(): void {
  describe('rate limits over HTTP', () => {
    let logs: string[];
    beforeEach(() => {
      logs = captureLogs();
    });
    afterEach(() => {
      // A passing suite that quietly ran on the fallback would prove nothing about the backend.
      expect(linesWith(logs, 'rate limiter unavailable, using fallback')).toEqual([]);
    });

    it('sends X-RateLimit-* headers on an allowed response, reset in whole seconds', async () => {
      const res = await health(uniqueIp());
      expect(res.status).toBe(200);
      expect(res.headers.get('X-RateLimit-Limit')).toBe('120');
      expect(res.headers.get('X-RateLimit-Remaining')).toBe('119');
      const reset = res.headers.get('X-RateLimit-Reset') ?? '';
      expect(reset).toMatch(/^\d+$/);
      expect(Number(reset)).toBeLessThanOrEqual(60);
    });

    it('lets exactly 120 of 150 concurrent requests from one IP through, then answers 429', async () => {
      const ip = uniqueIp();
      const responses = await Promise.all(Array.from({ length: 150 }, () => health(ip)));
      expect(statuses(responses).filter((s) => s === 200)).toHaveLength(120);
      expect(statuses(responses).filter((s) => s === 429)).toHaveLength(30);
    });

    it('answers 429 with Retry-After, X-RateLimit-* and the standard error body, and logs one line', async () => {
      const ip = uniqueIp();
      await Promise.all(Array.from({ length: 120 }, () => health(ip)));
      const res = await health(ip, { 'X-Request-ID': 'limited-1' });
      expect(res.status).toBe(429);
      expect(res.headers.get('X-RateLimit-Limit')).toBe('120');
      expect(res.headers.get('X-RateLimit-Remaining')).toBe('0');
      const retryAfter = Number(res.headers.get('Retry-After'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.headers.get('X-RateLimit-Reset')).toMatch(/^\d+$/);
      // The API's security headers still apply to a refusal.
      expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
      const error = await readError(res);
      expect(error).toEqual({ code: 'RATE_LIMITED', message: expect.any(String), requestId: 'limited-1' });
      const limited = linesWith(logs, 'rate limited').filter((l) => l.requestId === 'limited-1');
      expect(limited).toHaveLength(1);
      expect(limited[0]).toMatchObject({ level: 'warn', policy: 'ip', key: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(JSON.stringify(limited)).not.toContain(ip);
    });

    it("keeps clients apart: one IP's burst does not limit another", async () => {
      const noisy = uniqueIp();
      await Promise.all(Array.from({ length: 121 }, () => health(noisy)));
      expect((await health(noisy)).status).toBe(429);
      const quiet = await health(uniqueIp());
      expect(quiet.status).toBe(200);
      expect(quiet.headers.get('X-RateLimit-Remaining')).toBe('119');
    });

    it('ignores X-Forwarded-For: it neither escapes nor frames another client', async () => {
      const limited = uniqueIp();
      await Promise.all(Array.from({ length: 120 }, () => health(limited)));
      const spoofed = await health(limited, { 'X-Forwarded-For': uniqueIp() });
      expect(spoofed.status).toBe(429);
      const framed = await health(uniqueIp(), { 'X-Forwarded-For': limited });
      expect(framed.status).toBe(200);
    });

    it('limits login to 5 a minute per IP, before anything reads a password', async () => {
      const ip = uniqueIp();
      const attempts = [];
      for (let i = 0; i < 6; i++) {
        attempts.push(
          await postJson('/api/v1/auth/login', { email: `u${i}-${ip}@example.com` }, { 'CF-Connecting-IP': ip }),
        );
      }
      expect(attempts.slice(0, 5).every((r) => r.status !== 429)).toBe(true);
      expect(attempts[5]?.status).toBe(429);
      expect(attempts[4]?.headers.get('X-RateLimit-Limit')).toBe('5');
      expect((await readError(attempts[5] as Response)).code).toBe('RATE_LIMITED');
    });

    it('limits login to 5 per 15 minutes per email from one client, however it is cased or padded', async () => {
      const email = `victim-${crypto.randomUUID()}@example.com`;
      const attacker = uniqueIp();
      const variants = [email, email.toUpperCase(), ` ${email} `, email, `\t${email}`, email];
      const attempts = [];
      for (const variant of variants) {
        attempts.push(await postJson('/api/v1/auth/login', { email: variant }, { 'CF-Connecting-IP': attacker }));
      }
      expect(statuses(attempts).slice(0, 5)).not.toContain(429);
      expect(attempts[5]?.status).toBe(429);
      const limited = linesWith(logs, 'rate limited');
      expect(limited.map((l) => l.policy)).toEqual(['login-email-client']);
      expect(JSON.stringify(logs).toLowerCase()).not.toContain(email);
      // The owner, signing in from elsewhere, is not shut out by what the attacker spent.
      const owner = await postJson('/api/v1/auth/login', { email }, { 'CF-Connecting-IP': uniqueIp() });
      expect(owner.status).not.toBe(429);
    });

    it('stops one email at 100 attempts per 15 minutes from all clients together', { timeout: 30_000 }, async () => {
      const email = `crowd-${crypto.randomUUID()}@example.com`;
      const attempts = await Promise.all(
        Array.from({ length: 100 }, () =>
          postJson('/api/v1/auth/login', { email }, { 'CF-Connecting-IP': uniqueIp() }),
        ),
      );
      expect(statuses(attempts)).not.toContain(429);
      const next = await postJson('/api/v1/auth/login', { email }, { 'CF-Connecting-IP': uniqueIp() });
      expect(next.status).toBe(429);
      expect(linesWith(logs, 'rate limited').map((l) => l.policy)).toEqual(['login-email']);
      // Another account from the same crowd is unaffected.
      const other = await postJson(
        '/api/v1/auth/login',
        { email: `other-${email}` },
        { 'CF-Connecting-IP': uniqueIp() },
      );
      expect(other.status).not.toBe(429);
    });

    it('still limits login by IP when the body is not JSON, and never fails with a 500', async () => {
      const ip = uniqueIp();
      const attempts = [];
      for (let i = 0; i < 6; i++)
        attempts.push(await postJson('/api/v1/auth/login', '{"email":', { 'CF-Connecting-IP': ip }));
      expect(
        statuses(attempts)
          .slice(0, 5)
          .every((s) => s < 500 && s !== 429),
      ).toBe(true);
      expect(attempts[5]?.status).toBe(429);
    });

    it('limits register to 3 and refresh to 10 a minute per IP', async () => {
      const ip = uniqueIp();
      const register = [];
      for (let i = 0; i < 4; i++)
        register.push(await postJson('/api/v1/auth/register', {}, { 'CF-Connecting-IP': ip }));
      expect(statuses(register).slice(0, 3)).not.toContain(429);
      expect(register[3]?.status).toBe(429);
      // Separate policies: register refusals leave refresh untouched.
      const refresh = [];
      for (let i = 0; i < 11; i++) refresh.push(await postJson('/api/v1/auth/refresh', {}, { 'CF-Connecting-IP': ip }));
      expect(statuses(refresh).slice(0, 10)).not.toContain(429);
      expect(refresh[10]?.status).toBe(429);
    });
  });
}
