import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { bearer, registerAndLogin } from '../helpers/auth';
import { ORIGIN, readError } from '../helpers/http';
import { captureLogs, uniqueIp } from '../helpers/logs';

type Overrides = Record<string, unknown>;

function appWith(overrides: Overrides, build?: (app: ReturnType<typeof createApp>) => void) {
  const app = createApp();
  build?.(app);
  const appEnv = { ...env, ...overrides };
  return async (path: string, init: RequestInit = {}) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`${ORIGIN}${path}`, init), appEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

describe('rate limiting in the request pipeline', () => {
  it('runs after the body-size limit: oversized requests are refused without spending quota', async () => {
    const send = appWith({ RATE_LIMIT_IP: '2/1m' });
    const ip = uniqueIp();
    const oversized = { method: 'POST', headers: { 'CF-Connecting-IP': ip, 'Content-Type': 'application/json' } };
    for (let i = 0; i < 3; i++) {
      expect((await send('/api/v1/health', { ...oversized, body: 'x'.repeat(70_000) })).status).toBe(413);
    }
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await send('/api/v1/health', { headers: { 'CF-Connecting-IP': ip } })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('limits each identified caller on their own count, inside admission', async () => {
    const send = appWith({ RATE_LIMIT_USER: '2/1m' });
    const [alice, bob] = [await registerAndLogin(), await registerAndLogin()];
    const as = (token: string) =>
      send('/api/v1/users/me', { headers: { 'CF-Connecting-IP': uniqueIp(), ...bearer(token) } });
    const first = await as(alice.accessToken);
    expect(first.headers.get('X-RateLimit-Limit')).toBe('2');
    expect(first.headers.get('X-RateLimit-Remaining')).toBe('1');
    expect((await as(alice.accessToken)).status).toBe(200);
    const refused = await as(alice.accessToken);
    expect(refused.status).toBe(429);
    expect((await readError(refused)).code).toBe('RATE_LIMITED');
    expect(refused.headers.get('Retry-After')).toEqual(expect.stringMatching(/^\d+$/));
    expect((await as(bob.accessToken)).status).toBe(200);
    // Anonymous callers are left to the per-IP limit.
    const anonymous = await send('/api/v1/health', { headers: { 'CF-Connecting-IP': uniqueIp() } });
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('X-RateLimit-Limit')).toBe('120');
  });

  it('counts an identified caller per IP too, and a bad token before refusing it', async () => {
    const send = appWith({ RATE_LIMIT_IP: '2/1m' });
    const me = await registerAndLogin();
    const ip = uniqueIp();
    const statuses = [];
    for (const auth of [`Bearer ${me.accessToken}`, 'Bearer not-a-valid-token-at-all-xx', `Bearer ${me.accessToken}`]) {
      statuses.push(
        (await send('/api/v1/users/me', { headers: { 'CF-Connecting-IP': ip, Authorization: auth } })).status,
      );
    }
    expect(statuses).toEqual([200, 401, 429]);
  });

  it('reads X-Forwarded-For only when TRUST_X_FORWARDED_FOR=true', async () => {
    const send = appWith({ RATE_LIMIT_IP: '1/1m', TRUST_X_FORWARDED_FOR: 'true' });
    const proxy = uniqueIp();
    const viaProxy = (client: string) =>
      send('/api/v1/health', { headers: { 'CF-Connecting-IP': proxy, 'X-Forwarded-For': `${client}, ${proxy}` } });
    const client = uniqueIp();
    expect((await viaProxy(client)).status).toBe(200);
    expect((await viaProxy(client)).status).toBe(429);
    expect((await viaProxy(uniqueIp())).status).toBe(200);
  });

  it('refuses with 503, not 500 and not unlimited, when no limiter can answer', async () => {
    const logs = captureLogs();
    const broken = {
      idFromName: () => {
        throw new Error('Durable Objects are down');
      },
    };
    const send = appWith({ RATE_LIMITER: broken });
    const res = await send('/api/v1/health', { headers: { 'CF-Connecting-IP': uniqueIp() } });
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('1');
    expect((await readError(res)).code).toBe('SERVICE_UNAVAILABLE');
    expect(logs.some((line) => line.includes('Durable Objects are down'))).toBe(true);
  });

  it('fails with a generic 500 naming the variable in the log when a policy is malformed', async () => {
    const logs = captureLogs();
    const res = await appWith({ RATE_LIMIT_IP: 'many' })('/api/v1/health');
    expect(res.status).toBe(500);
    expect(JSON.stringify(await readError(res))).not.toContain('RATE_LIMIT_IP');
    expect(logs.some((line) => line.includes('RATE_LIMIT_IP'))).toBe(true);
  });

  it('can be switched off outside production (benchmark baseline), and then sends no headers', async () => {
    const send = appWith({ RATE_LIMIT_BACKEND: 'none', RATE_LIMIT_IP: '1/1m' });
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) {
      const res = await send('/api/v1/health', { headers: { 'CF-Connecting-IP': ip } });
      expect(res.status).toBe(200);
      expect(res.headers.has('X-RateLimit-Limit')).toBe(false);
    }
  });
});
