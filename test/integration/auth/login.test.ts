import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { getPasswordHasher } from '../../../src/modules/auth/argon2-worker';
import { login, newIdentity, register } from '../../helpers/auth';
import { postJson, readError } from '../../helpers/http';

// The lockout itself (per account and client, and account-wide) is tested in lockout.test.ts.

const sameAnswer = async (res: Response) => {
  const error = await readError(res);
  return { status: res.status, code: error.code, message: error.message, auth: res.headers.get('WWW-Authenticate') };
};

describe('POST /api/v1/auth/login', () => {
  it('returns a short-lived bearer token and a locked-down refresh cookie', async () => {
    const user = await register();
    const res = await postJson('/api/v1/auth/login', { email: user.email, password: user.password });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken: string; tokenType: string; expiresIn: number };
    expect(body.tokenType).toBe('Bearer');
    expect(body.expiresIn).toBeLessThanOrEqual(900);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Secure-refresh_token=')) ?? '';
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/api\/v1\/auth(;|$)/);
    expect(cookie).toMatch(/Max-Age=(604799|604800)(;|$)/);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it('gives an unknown email and a wrong password the same answer after the same Argon2 work', async () => {
    const user = await register();
    const hasher = await getPasswordHasher();
    const verify = vi.spyOn(hasher, 'verify');
    const unknown = await postJson('/api/v1/auth/login', { email: `nobody-${user.email}`, password: user.password });
    const wrong = await postJson('/api/v1/auth/login', { email: user.email, password: 'wrong password entirely' });
    expect(await sameAnswer(unknown)).toEqual(await sameAnswer(wrong));
    expect(unknown.status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(2);
    // Both ran a real Argon2id verification (the unknown email against a dummy hash of equal cost).
    for (const [encoded] of verify.mock.calls) expect(encoded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('refuses a deactivated account exactly like a wrong password', async () => {
    const user = await register();
    await env.DB.prepare('UPDATE users SET is_active = 0 WHERE id = ?').bind(user.id).run();
    const res = await postJson('/api/v1/auth/login', { email: user.email, password: user.password });
    expect(res.status).toBe(401);
    expect((await readError(res)).code).toBe('INVALID_CREDENTIALS');
  });

  it('rehashes a weaker stored hash on the next good login', async () => {
    const identity = newIdentity();
    const user = await register(identity);
    const hasher = await getPasswordHasher();
    const weak = hasher.hash(identity.password, { memoryKib: 19_456, iterations: 1, parallelism: 1 });
    await env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ?').bind(weak, user.id).run();
    await login(identity.email, identity.password);
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?')
      .bind(user.id)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('refuses to run a stored hash whose cost exceeds the ceiling (a tampered row is no DoS)', async () => {
    const identity = newIdentity();
    const user = await register(identity);
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?')
      .bind(user.id)
      .first<{ password_hash: string }>();
    const tampered = row?.password_hash.replace('m=19456,t=2', 'm=4000000,t=2') ?? '';
    await env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ?').bind(tampered, user.id).run();
    const res = await postJson('/api/v1/auth/login', { email: identity.email, password: identity.password });
    expect(res.status).toBe(401);
  });

  it.each([
    ["' OR 1=1 --", 'x'],
    ["admin@example.com'; DROP TABLE users; --", 'x'],
    ['<img src=x onerror=alert(1)>@example.com', '<script>alert(1)</script>'],
    ['a@example.com', "' OR '1'='1"],
  ])('treats injection strings as wrong credentials, never a 500 (%s)', async (email, password) => {
    const res = await postJson('/api/v1/auth/login', { email, password });
    expect(res.status).toBe(401);
    const table = await env.DB.prepare("SELECT name FROM sqlite_master WHERE name = 'users'").first();
    expect(table).not.toBeNull();
  });

  it('rejects unknown fields and missing ones with 400', async () => {
    expect((await postJson('/api/v1/auth/login', { email: 'a@b.c', password: 'x', admin: true })).status).toBe(400);
    expect((await postJson('/api/v1/auth/login', { email: 'a@b.c' })).status).toBe(400);
  });
});

it('rate-limits logins per IP before any password is hashed', async () => {
  const hasher = await getPasswordHasher();
  const verify = vi.spyOn(hasher, 'verify');
  const ip = '10.99.0.1';
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const res = await postJson(
      '/api/v1/auth/login',
      { email: `rl${i}@example.com`, password: 'whatever it is' },
      { 'CF-Connecting-IP': ip },
    );
    statuses.push(res.status);
  }
  expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  expect(verify).toHaveBeenCalledTimes(5);
});
