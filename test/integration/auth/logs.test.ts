import { expect, it, vi } from 'vitest';
import { bearer, cookiePost, newIdentity, register } from '../../helpers/auth';
import { call, postJson } from '../../helpers/http';

it('never writes passwords, tokens, cookies, hashes or clear emails to logs', async () => {
  const lines: string[] = [];
  for (const level of ['log', 'warn', 'error', 'info'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => lines.push(args.map(String).join(' ')));
  }
  const identity = newIdentity('logscan');
  await register(identity);
  await postJson('/api/v1/auth/login', { email: identity.email, password: 'a wrong password here' });
  const res = await postJson('/api/v1/auth/login', { email: identity.email, password: identity.password });
  const { accessToken } = (await res.json()) as { accessToken: string };
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const rotated = await cookiePost('/api/v1/auth/refresh', cookie);
  await cookiePost('/api/v1/auth/refresh', cookie); // replay → security event
  await call('/api/v1/users/me', { headers: bearer(accessToken) });

  const all = lines.join('\n');
  expect(lines.length).toBeGreaterThan(5);
  expect(all).toContain('"action":"refresh_reuse"');
  for (const secret of [
    identity.password,
    'a wrong password here',
    identity.email,
    accessToken,
    cookie.split('=')[1] ?? 'unset',
    rotated.headers.getSetCookie()[0]?.split(';')[0]?.split('=')[1] ?? 'unset',
    '$argon2id$',
  ]) {
    expect(all).not.toContain(secret);
  }
});
