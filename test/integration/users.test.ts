import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bearer, cookiePost, login, registerAndLogin } from '../helpers/auth';
import { call, readError } from '../helpers/http';
import { uniqueIp } from '../helpers/logs';

const json = (method: string, token: string, body: unknown): RequestInit => ({
  method,
  headers: { ...bearer(token), 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

describe('users/me', () => {
  it('reads and updates the caller’s profile, refusing unknown fields', async () => {
    const me = await registerAndLogin();
    const res = await call('/api/v1/users/me', json('PATCH', me.accessToken, { fullName: 'New <i>Name</i>' }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { fullName: string } }).user.fullName).toBe('New Name');
    expect((await call('/api/v1/users/me', json('PATCH', me.accessToken, { role: 'admin' }))).status).toBe(400);
  });

  it('changes the password: every other session ends at once, this one stays signed in', async () => {
    const me = await registerAndLogin();
    const other = await login(me.email, me.password);
    // Used first, so the admission object holds a copy of the account that the change must replace.
    expect((await call('/api/v1/users/me', { headers: bearer(other.accessToken) })).status).toBe(200);
    const res = await call(
      '/api/v1/users/me/password',
      json('POST', me.accessToken, { currentPassword: me.password, newPassword: 'a brand new passphrase 7' }),
    );
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    expect((await call('/api/v1/users/me', { headers: bearer(other.accessToken) })).status).toBe(401);
    expect((await cookiePost('/api/v1/auth/refresh', other.refreshCookie)).status).toBe(401);
    // The caller's session is not ended: the token it sent and the one it got back both work.
    expect((await call('/api/v1/users/me', { headers: bearer(me.accessToken) })).status).toBe(200);
    expect((await call('/api/v1/users/me', { headers: bearer(accessToken) })).status).toBe(200);
    expect((await cookiePost('/api/v1/auth/refresh', me.refreshCookie)).status).toBe(200);
    await expect(login(me.email, 'a brand new passphrase 7')).resolves.toHaveProperty('accessToken');
  });

  it('counts wrong current passwords towards the lockout (a stolen token is no password oracle)', async () => {
    const me = await registerAndLogin();
    const ip = uniqueIp();
    const change = (currentPassword: string) => {
      const init = json('POST', me.accessToken, { currentPassword, newPassword: 'a brand new passphrase 7' });
      return call('/api/v1/users/me/password', { ...init, headers: { ...init.headers, 'CF-Connecting-IP': ip } });
    };
    for (let i = 0; i < 5; i++) expect((await change(`guess number ${i}!`)).status).toBe(400);
    expect((await change(me.password)).status).toBe(400);
    const row = await env.DB.prepare('SELECT locked_until FROM login_failures WHERE user_id = ? AND client = ?')
      .bind(me.userId, ip)
      .first<{ locked_until: number }>();
    expect(row?.locked_until).toBeGreaterThan(Date.now());
  });

  it('answers two renames to the same name at once with one 200 and one 409, never a 500', async () => {
    const [a, b] = [await registerAndLogin(), await registerAndLogin()];
    const name = `same_${crypto.randomUUID().slice(0, 8)}`;
    const results = await Promise.all(
      [a, b].map((s) => call('/api/v1/users/me', json('PATCH', s.accessToken, { username: name }))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('requires the right current password', async () => {
    const me = await registerAndLogin();
    const res = await call(
      '/api/v1/users/me/password',
      json('POST', me.accessToken, { currentPassword: 'not it at all', newPassword: 'a brand new passphrase 7' }),
    );
    expect(res.status).toBe(400);
    expect((await readError(res)).code).toBe('INVALID_CURRENT_PASSWORD');
  });
});

describe('user administration', () => {
  it('lists users a page at a time with a capped page size', async () => {
    const moderator = await registerAndLogin('moderator');
    const res = await call('/api/v1/users?page=1&pageSize=2', { headers: bearer(moderator.accessToken) });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: unknown[]; total: number; pageSize: number };
    expect(page.items.length).toBeLessThanOrEqual(2);
    expect(page.total).toBeGreaterThanOrEqual(1);
    expect((await call('/api/v1/users?pageSize=1000', { headers: bearer(moderator.accessToken) })).status).toBe(400);
  });

  it('changes a role, and the target’s old tokens stop working at once', async () => {
    const admin = await registerAndLogin('admin');
    const target = await registerAndLogin('user');
    // Used first, so the target's admission object holds a copy of the account that the change must replace.
    expect((await call('/api/v1/users/me', { headers: bearer(target.accessToken) })).status).toBe(200);
    const res = await call(
      `/api/v1/users/${target.userId}/role`,
      json('PATCH', admin.accessToken, { role: 'moderator' }),
    );
    expect(res.status).toBe(200);
    expect((await call('/api/v1/users/me', { headers: bearer(target.accessToken) })).status).toBe(401);
    const audit = await env.DB.prepare("SELECT detail FROM audit_events WHERE action = 'role_change' AND target_id = ?")
      .bind(target.userId)
      .first<{ detail: string }>();
    expect(JSON.parse(audit?.detail ?? '{}')).toEqual({ from: 'user', to: 'moderator' });
  });

  it('never demotes, deactivates or deletes the last admin, and admins cannot delete themselves', {
    timeout: 30_000,
  }, async () => {
    await env.DB.prepare("UPDATE users SET role = 'user' WHERE role = 'admin'").run();
    const admin = await registerAndLogin('admin');
    const demote = await call(`/api/v1/users/${admin.userId}/role`, json('PATCH', admin.accessToken, { role: 'user' }));
    expect(demote.status).toBe(409);
    expect((await readError(demote)).code).toBe('LAST_ADMIN');
    const self = await call(`/api/v1/users/${admin.userId}`, { method: 'DELETE', headers: bearer(admin.accessToken) });
    expect((await readError(self)).code).toBe('CANNOT_DELETE_SELF');
    const other = await registerAndLogin('admin');
    const deleteOther = await call(`/api/v1/users/${admin.userId}`, {
      method: 'DELETE',
      headers: bearer(other.accessToken),
    });
    expect(deleteOther.status).toBe(204);
    const lastDemote = await call(
      `/api/v1/users/${other.userId}/role`,
      json('PATCH', other.accessToken, { role: 'viewer' }),
    );
    expect(lastDemote.status).toBe(409);
  });

  it('deletes a user together with their sessions', async () => {
    const admin = await registerAndLogin('admin');
    const target = await registerAndLogin('user');
    expect((await call('/api/v1/users/me', { headers: bearer(target.accessToken) })).status).toBe(200);
    expect(
      (await call(`/api/v1/users/${target.userId}`, { method: 'DELETE', headers: bearer(admin.accessToken) })).status,
    ).toBe(204);
    expect((await call('/api/v1/users/me', { headers: bearer(target.accessToken) })).status).toBe(401);
    const tokens = await env.DB.prepare('SELECT count(*) AS n FROM refresh_tokens WHERE user_id = ?')
      .bind(target.userId)
      .first<{ n: number }>();
    expect(tokens?.n).toBe(0);
    expect((await call(`/api/v1/users/${target.userId}`, { headers: bearer(admin.accessToken) })).status).toBe(404);
  });

  it('deactivation ends the user’s sessions', async () => {
    const admin = await registerAndLogin('admin');
    const target = await registerAndLogin('user');
    expect((await call('/api/v1/users/me', { headers: bearer(target.accessToken) })).status).toBe(200);
    const res = await call(
      `/api/v1/users/${target.userId}/status`,
      json('PATCH', admin.accessToken, { isActive: false }),
    );
    expect(res.status).toBe(200);
    expect((await call('/api/v1/users/me', { headers: bearer(target.accessToken) })).status).toBe(401);
    expect((await cookiePost('/api/v1/auth/refresh', target.refreshCookie)).status).toBe(401);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const admin = await registerAndLogin('admin');
    expect((await call(`/api/v1/users/${crypto.randomUUID()}`, { headers: bearer(admin.accessToken) })).status).toBe(
      404,
    );
    expect((await call('/api/v1/users/1%20OR%201=1', { headers: bearer(admin.accessToken) })).status).toBe(400);
  });

  it('reports users by role in admin stats', async () => {
    const admin = await registerAndLogin('admin');
    const res = await call('/api/v1/admin/stats', { headers: bearer(admin.accessToken) });
    expect(res.status).toBe(200);
    const { users } = (await res.json()) as {
      users: { total: number; byRole: Record<string, number>; active: number };
    };
    expect(users.byRole.admin).toBeGreaterThanOrEqual(1);
    expect(users.total).toBe(Object.values(users.byRole).reduce((a, b) => a + b, 0));
  });
});
