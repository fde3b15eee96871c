import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bearer, cookiePost, refreshCookieOf, registerAndLogin } from '../../helpers/auth';
import { call, readError } from '../../helpers/http';

const REFRESH = '/api/v1/auth/refresh';

describe('POST /api/v1/auth/refresh', () => {
  it('rotates: a new access token, a new cookie, and the old refresh token is dead', async () => {
    const session = await registerAndLogin();
    const res = await cookiePost(REFRESH, session.refreshCookie);
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const next = refreshCookieOf(res);
    expect(next).not.toBe(session.refreshCookie);
    expect((await call('/api/v1/users/me', { headers: bearer(accessToken) })).status).toBe(200);
    expect((await cookiePost(REFRESH, next)).status).toBe(200);
  });

  it('stores only a SHA-256 of the token', async () => {
    const session = await registerAndLogin();
    const token = session.refreshCookie.split('=')[1] as string;
    const { results } = await env.DB.prepare('SELECT token_hash FROM refresh_tokens WHERE user_id = ?')
      .bind(session.userId)
      .all<{ token_hash: string }>();
    expect(results.length).toBe(1);
    expect(results[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(results)).not.toContain(token);
    expect(token.length).toBeGreaterThanOrEqual(43); // 32 bytes, base64url
  });

  it('treats a replayed token as theft: the whole family is revoked and the event audited', async () => {
    const session = await registerAndLogin();
    const first = await cookiePost(REFRESH, session.refreshCookie);
    const successor = refreshCookieOf(first);
    const { accessToken } = (await first.json()) as { accessToken: string };
    // Used before the replay, so the user's admission object holds a copy of the account that the replay must end.
    expect((await call('/api/v1/users/me', { headers: bearer(accessToken) })).status).toBe(200);
    const replay = await cookiePost(REFRESH, session.refreshCookie);
    expect(replay.status).toBe(401);
    expect((await readError(replay)).code).toBe('SESSION_EXPIRED');
    expect((await cookiePost(REFRESH, successor)).status).toBe(401);
    // Access tokens minted in that session die with it.
    expect((await call('/api/v1/users/me', { headers: bearer(accessToken) })).status).toBe(401);
    const audit = await env.DB.prepare(
      "SELECT outcome FROM audit_events WHERE action = 'refresh_reuse' AND target_id = ?",
    )
      .bind(session.userId)
      .first<{ outcome: string }>();
    expect(audit?.outcome).toBe('denied');
  });

  it('lets exactly one of two concurrent refreshes with the same token win', async () => {
    const session = await registerAndLogin();
    const results = await Promise.all([
      cookiePost(REFRESH, session.refreshCookie),
      cookiePost(REFRESH, session.refreshCookie),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses an expired family', async () => {
    const session = await registerAndLogin();
    await env.DB.prepare('UPDATE refresh_tokens SET expires_at = ? WHERE user_id = ?')
      .bind(Date.now() - 1000, session.userId)
      .run();
    expect((await cookiePost(REFRESH, session.refreshCookie)).status).toBe(401);
  });

  it('keeps the family’s absolute expiry across rotations', async () => {
    const session = await registerAndLogin();
    const before = await env.DB.prepare('SELECT expires_at FROM refresh_tokens WHERE user_id = ?')
      .bind(session.userId)
      .first<{ expires_at: number }>();
    await cookiePost(REFRESH, session.refreshCookie);
    const { results } = await env.DB.prepare('SELECT DISTINCT expires_at FROM refresh_tokens WHERE user_id = ?')
      .bind(session.userId)
      .all<{ expires_at: number }>();
    expect(results).toEqual([{ expires_at: before?.expires_at }]);
  });

  it('answers 401 without a cookie', async () => {
    const res = await call(REFRESH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://localhost:8787' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });
});

describe('cookie endpoints refuse cross-site requests', () => {
  for (const path of [REFRESH, '/api/v1/auth/logout']) {
    it.each([
      ['no Origin', { Origin: '' }],
      ['the null Origin', { Origin: 'null' }],
      ['an unlisted Origin', { Origin: 'https://evil.example' }],
      ['a form content type', { 'Content-Type': 'application/x-www-form-urlencoded' }],
      ['a text content type', { 'Content-Type': 'text/plain' }],
    ])(`${path}: %s → 403, session untouched`, async (_name, headers) => {
      const session = await registerAndLogin();
      const init = {
        'Content-Type': 'application/json',
        Origin: 'http://localhost:8787',
        Cookie: session.refreshCookie,
        ...headers,
      } as Record<string, string>;
      if (init.Origin === '') delete init.Origin;
      const res = await call(path, { method: 'POST', headers: init, body: '{}' });
      expect(res.status).toBe(403);
      expect((await readError(res)).code).toBe('CSRF_REJECTED');
      expect((await cookiePost(REFRESH, session.refreshCookie)).status).toBe(200);
    });
  }
});

describe('POST /api/v1/auth/logout', () => {
  it('revokes the session and clears the cookie', async () => {
    const session = await registerAndLogin();
    const res = await cookiePost('/api/v1/auth/logout', session.refreshCookie);
    expect(res.status).toBe(204);
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith('__Secure-refresh_token=')) ?? '';
    expect(cleared).toMatch(/Max-Age=0/);
    expect((await cookiePost(REFRESH, session.refreshCookie)).status).toBe(401);
  });
});
