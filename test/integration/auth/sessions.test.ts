import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bearer, cookiePost, login, refreshCookieOf, register, registerAndLogin } from '../../helpers/auth';
import { call, postJson, readError } from '../../helpers/http';

type SessionView = {
  id: string;
  userAgent: string | null;
  ipPrefix: string | null;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
};

const me = (token: string) => call('/api/v1/users/me', { headers: bearer(token) });
const listSessions = async (token: string) => {
  const res = await call('/api/v1/users/me/sessions', { headers: bearer(token) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { sessions: SessionView[] }).sessions;
};
const sidOf = (token: string) =>
  (JSON.parse(atob((token.split('.')[1] as string).replaceAll('-', '+').replaceAll('_', '/'))) as { sid: string }).sid;

describe('logout', () => {
  it('refuses the session’s access token at once, not at its expiry', async () => {
    const session = await registerAndLogin();
    // Used first, so the admission object holds a copy of the account that logout must replace.
    expect((await me(session.accessToken)).status).toBe(200);
    expect((await cookiePost('/api/v1/auth/logout', session.refreshCookie)).status).toBe(204);
    const after = await me(session.accessToken);
    expect(after.status).toBe(401);
    expect((await cookiePost('/api/v1/auth/refresh', session.refreshCookie)).status).toBe(401);
    const row = await env.DB.prepare('SELECT ended_at FROM sessions WHERE id = ?')
      .bind(sidOf(session.accessToken))
      .first<{ ended_at: number | null }>();
    expect(row?.ended_at).toBeGreaterThan(0);
  });

  it('leaves the user’s other sessions alone', async () => {
    const first = await registerAndLogin();
    const second = await login(first.email, first.password);
    expect((await cookiePost('/api/v1/auth/logout', first.refreshCookie)).status).toBe(204);
    expect((await me(second.accessToken)).status).toBe(200);
  });
});

describe('session metadata', () => {
  it('records a truncated user agent and the /24 at login, and last use on refresh', async () => {
    const user = await register();
    const agent = `Mozilla/5.0 ${'x'.repeat(400)}`;
    const res = await postJson(
      '/api/v1/auth/login',
      { email: user.email, password: user.password },
      { 'User-Agent': agent, 'CF-Connecting-IP': '203.0.113.77' },
    );
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const [listed] = await listSessions(accessToken);
    expect(listed).toMatchObject({ id: sidOf(accessToken), ipPrefix: '203.0.113.0/24', current: true });
    expect(listed?.userAgent).toBe(agent.slice(0, 200));

    await new Promise((resolve) => setTimeout(resolve, 5));
    const refreshed = await cookiePost('/api/v1/auth/refresh', refreshCookieOf(res));
    expect(refreshed.status).toBe(200);
    const [after] = await listSessions(accessToken);
    expect(after?.id).toBe(listed?.id);
    expect(Date.parse(after?.lastUsedAt ?? '')).toBeGreaterThan(Date.parse(listed?.lastUsedAt ?? ''));
  });

  it('keeps only an IPv6 /48', async () => {
    const user = await register();
    const res = await postJson(
      '/api/v1/auth/login',
      { email: user.email, password: user.password },
      { 'CF-Connecting-IP': '2001:db8:abcd:12:3456::1' },
    );
    const { accessToken } = (await res.json()) as { accessToken: string };
    const [listed] = await listSessions(accessToken);
    expect(listed?.ipPrefix).toBe('2001:db8:abcd::/48');
  });
});

describe('/users/me/sessions', () => {
  it('lists live sessions newest first, marking the current one', async () => {
    const first = await registerAndLogin();
    const second = await login(first.email, first.password);
    const third = await login(first.email, first.password);
    await cookiePost('/api/v1/auth/logout', third.refreshCookie);
    const listed = await listSessions(second.accessToken);
    expect(listed.map((s) => s.id)).toEqual([sidOf(second.accessToken), sidOf(first.accessToken)]);
    expect(listed.map((s) => s.current)).toEqual([true, false]);
  });

  it('ends one of mine at once; someone else’s or an unknown one is a 404', async () => {
    const mine = await registerAndLogin();
    const other = await login(mine.email, mine.password);
    const stranger = await registerAndLogin();
    expect((await me(other.accessToken)).status).toBe(200);

    const foreign = await call(`/api/v1/users/me/sessions/${sidOf(stranger.accessToken)}`, {
      method: 'DELETE',
      headers: bearer(mine.accessToken),
    });
    expect(foreign.status).toBe(404);
    expect((await readError(foreign)).code).toBe('NOT_FOUND');
    expect((await me(stranger.accessToken)).status).toBe(200);
    const unknown = await call(`/api/v1/users/me/sessions/${crypto.randomUUID()}`, {
      method: 'DELETE',
      headers: bearer(mine.accessToken),
    });
    expect(unknown.status).toBe(404);

    const path = `/api/v1/users/me/sessions/${sidOf(other.accessToken)}`;
    expect((await call(path, { method: 'DELETE', headers: bearer(mine.accessToken) })).status).toBe(204);
    expect((await me(other.accessToken)).status).toBe(401);
    expect((await cookiePost('/api/v1/auth/refresh', other.refreshCookie)).status).toBe(401);
    expect((await me(mine.accessToken)).status).toBe(200);
    // Already ended: nothing live by that id any more.
    expect((await call(path, { method: 'DELETE', headers: bearer(mine.accessToken) })).status).toBe(404);
    const audited = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_events WHERE action = 'session_end' AND actor_id = ?",
    )
      .bind(mine.userId)
      .first<{ n: number }>();
    expect(audited?.n).toBe(1);
  });

  it('ends all the others at once and keeps the current one', async () => {
    const current = await registerAndLogin();
    const others = [await login(current.email, current.password), await login(current.email, current.password)];
    for (const other of others) expect((await me(other.accessToken)).status).toBe(200);

    const res = await call('/api/v1/users/me/sessions', { method: 'DELETE', headers: bearer(current.accessToken) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ended: 2 });
    for (const other of others) {
      expect((await me(other.accessToken)).status).toBe(401);
      expect((await cookiePost('/api/v1/auth/refresh', other.refreshCookie)).status).toBe(401);
    }
    expect((await me(current.accessToken)).status).toBe(200);
    expect((await listSessions(current.accessToken)).map((s) => s.current)).toEqual([true]);
    expect((await cookiePost('/api/v1/auth/refresh', current.refreshCookie)).status).toBe(200);
  });

  it('refuses a refresh that races with the end of its session (no live successor survives)', async () => {
    const current = await registerAndLogin();
    const other = await login(current.email, current.password);
    const [refreshed] = await Promise.all([
      cookiePost('/api/v1/auth/refresh', other.refreshCookie),
      call('/api/v1/users/me/sessions', { method: 'DELETE', headers: bearer(current.accessToken) }),
    ]);
    const live = await env.DB.prepare(
      'SELECT count(*) AS n FROM refresh_tokens WHERE family_id = ? AND revoked_at IS NULL AND used_at IS NULL',
    )
      .bind(sidOf(other.accessToken))
      .first<{ n: number }>();
    expect(live?.n).toBe(0);
    if (refreshed.status === 200) {
      expect((await cookiePost('/api/v1/auth/refresh', refreshCookieOf(refreshed))).status).toBe(401);
    }
  });
});

describe('the sessions migration', () => {
  it('backfills a session for every refresh-token family, ended when none of its tokens is live', async () => {
    const live = await registerAndLogin();
    const gone = await login(live.email, live.password);
    await cookiePost('/api/v1/auth/logout', gone.refreshCookie);
    await env.DB.prepare('DELETE FROM sessions WHERE user_id = ?').bind(live.userId).run();

    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0006_sessions'));
    const backfill = migration?.queries.find((q) => q.includes('INSERT INTO `sessions`'));
    expect(backfill).toBeDefined();
    // Only this user's families: the others already have rows.
    await env.DB.prepare(`${backfill?.replace(/;\s*$/, '').replace('GROUP BY', 'WHERE `user_id` = ? GROUP BY')}`)
      .bind(live.userId)
      .run();
    expect((await listSessions(live.accessToken)).map((s) => s.id)).toEqual([sidOf(live.accessToken)]);
    const ended = await env.DB.prepare('SELECT ended_at FROM sessions WHERE id = ?')
      .bind(sidOf(gone.accessToken))
      .first<{ ended_at: number | null }>();
    expect(ended?.ended_at).toBeGreaterThan(0);
  });
});
