import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client';
import { purgeExpired } from '../../../src/modules/accounts/purge';
import { createKey } from '../../helpers/api-keys';
import { bearer, login, newIdentity, register, registerUnverified } from '../../helpers/auth';
import { useFakeDeepSeek } from '../../helpers/chat';
import { call, callerWith, postJson, readError } from '../../helpers/http';
import { linkToken, mailsTo, settle, waitForMail } from '../../helpers/mail';

const chat = (accessToken: string) =>
  postJson('/api/v1/chat', { message: 'Where is my parcel, please?', stream: false }, bearer(accessToken));

const verify = (token: string) => postJson('/api/v1/auth/email/verify', { token });

describe('email verification', () => {
  it('lets an unverified account sign in but not chat (403 EMAIL_NOT_VERIFIED), and chat once verified', async () => {
    useFakeDeepSeek();
    const user = await registerUnverified();
    const { accessToken } = await login(user.email, user.password);
    const me = await call('/api/v1/users/me', { headers: bearer(accessToken) });
    expect(((await me.json()) as { user: { emailVerified: boolean } }).user.emailVerified).toBe(false);
    const refused = await chat(accessToken);
    expect(refused.status).toBe(403);
    expect((await readError(refused)).code).toBe('EMAIL_NOT_VERIFIED');

    const mail = await waitForMail(user.email, /Confirm your email/);
    expect((await verify(linkToken(mail, 'verify'))).status).toBe(200);
    // Admission hears of it at once: the same access token chats now.
    expect((await chat(accessToken)).status).toBe(200);
  });

  it('refuses chat through an API key of an unverified owner too', async () => {
    useFakeDeepSeek();
    const user = await registerUnverified();
    const session = {
      ...(await login(user.email, user.password)),
      userId: user.id,
      email: user.email,
      password: user.password,
    };
    const { key } = await createKey(session);
    const res = await postJson(
      '/v1/chat/completions',
      { model: 'support-fast', messages: [{ role: 'user', content: 'Where is my parcel?' }] },
      { 'X-API-Key': key },
    );
    expect(res.status).toBe(403);
    expect((await readError(res)).code).toBe('EMAIL_NOT_VERIFIED');
  });

  it('accepts a link once, only while it is the newest, and only within 24 hours', async () => {
    const user = await registerUnverified();
    const first = await waitForMail(user.email, /Confirm your email/);
    const since = Date.now();
    expect((await postJson('/api/v1/auth/email/resend', { email: user.email })).status).toBe(202);
    const second = await waitForMail(user.email, /Confirm your email/, since);
    expect(linkToken(second, 'verify')).not.toBe(linkToken(first, 'verify'));
    // A newer link makes the older one invalid.
    expect((await readError(await verify(linkToken(first, 'verify')))).code).toBe('INVALID_TOKEN');
    // Expired.
    await env.DB.prepare("UPDATE account_tokens SET expires_at = ? WHERE user_id = ? AND purpose = 'verify_email'")
      .bind(Date.now() - 1, user.id)
      .run();
    expect((await verify(linkToken(second, 'verify'))).status).toBe(400);
  });

  it('spends a link on first use (a second use is INVALID_TOKEN) and stores only its hash', async () => {
    const user = await registerUnverified();
    const token = linkToken(await waitForMail(user.email, /Confirm your email/), 'verify');
    const stored = await env.DB.prepare('SELECT token_hash FROM account_tokens WHERE user_id = ?')
      .bind(user.id)
      .all<{ token_hash: string }>();
    expect(stored.results.map((r) => r.token_hash)).not.toContain(token);
    expect(JSON.stringify(stored.results)).not.toContain(token);
    const [a, b] = await Promise.all([verify(token), verify(token)]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
  });

  it('answers resend with the same 202 for a known, a verified and an unknown address, mailing only the first', async () => {
    const unverified = await registerUnverified();
    const verified = await register();
    const unknown = newIdentity().email;
    const since = Date.now();
    const answers = await Promise.all(
      [unverified.email, verified.email, unknown].map((email) => postJson('/api/v1/auth/email/resend', { email })),
    );
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    await waitForMail(unverified.email, /Confirm your email/, since);
    await settle();
    expect((await mailsTo(verified.email)).filter((m) => m.sentAt >= since)).toEqual([]);
    expect(await mailsTo(unknown)).toEqual([]);
  });

  it('mails one address at most 5 times an hour through register, resend and forgot together', {
    timeout: 20_000,
  }, async () => {
    const user = await registerUnverified(); // 1
    for (let i = 0; i < 3; i++) await postJson('/api/v1/auth/email/resend', { email: user.email }); // 2–4
    await postJson('/api/v1/auth/password/forgot', { email: user.email }); // 5
    const more = [
      await postJson('/api/v1/auth/email/resend', { email: user.email }),
      await postJson('/api/v1/auth/password/forgot', { email: user.email }),
      await postJson('/api/v1/auth/register', { ...newIdentity(), email: user.email }),
    ];
    expect(more.map((r) => r.status)).toEqual([202, 202, 202]);
    await settle(500);
    expect(await mailsTo(user.email)).toHaveLength(5);
  });

  it('limits resend per IP (429 past 10 a minute)', async () => {
    const ip = '10.250.0.7';
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await postJson(
        '/api/v1/auth/email/resend',
        { email: newIdentity().email },
        { 'CF-Connecting-IP': ip },
      );
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).not.toContain(429);
    expect(statuses[10]).toBe(429);
  });

  it('builds links from PUBLIC_APP_URL, never from the request Host header', async () => {
    const send = callerWith({ PUBLIC_APP_URL: 'https://support.example.test' });
    const identity = newIdentity();
    await send('/api/v1/auth/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' },
      body: JSON.stringify(identity),
    });
    const mail = await waitForMail(identity.email, /Confirm your email/);
    expect(mail.text).toContain('https://support.example.test/#/verify/');
    expect(mail.text).not.toContain('evil.example');
  });

  it('removes accounts left unverified for 7 days (and their username), never verified ones', async () => {
    const stale = await registerUnverified();
    const old = await register();
    const weekAgo = Date.now() - 7 * 24 * 3_600_000 - 1_000;
    await env.DB.prepare('UPDATE users SET created_at = ? WHERE id IN (?, ?)').bind(weekAgo, stale.id, old.id).run();
    await purgeExpired(createDb(env.DB));
    const left = await env.DB.prepare('SELECT id FROM users WHERE id IN (?, ?)').bind(stale.id, old.id).all();
    expect(left.results).toEqual([{ id: old.id }]);
    const audited = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_events WHERE action = 'unverified_purge' AND target_id = ?",
    )
      .bind(stale.id)
      .first<{ n: number }>();
    expect(audited?.n).toBe(1);
    // The address and the name are free again.
    const again = await postJson('/api/v1/auth/register', {
      ...newIdentity(),
      email: stale.email,
      username: stale.username,
    });
    expect(again.status).toBe(202);
  });

  it('marks every account that exists when the migration runs as verified', async () => {
    const user = await register();
    await env.DB.prepare('UPDATE users SET email_verified_at = NULL WHERE id = ?').bind(user.id).run();
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0010_accounts'));
    const backfill = migration?.queries.find((q) => q.includes('SET `email_verified_at` = `created_at`'));
    expect(backfill).toBeDefined();
    await env.DB.prepare(backfill?.replace(/;\s*$/, '') ?? '').run();
    const row = await env.DB.prepare('SELECT email_verified_at, created_at FROM users WHERE id = ?')
      .bind(user.id)
      .first<{ email_verified_at: number; created_at: number }>();
    expect(row?.email_verified_at).toBe(row?.created_at);
  });
});

describe('password reset', () => {
  const forgot = (email: string) => postJson('/api/v1/auth/password/forgot', { email });
  const reset = (token: string, newPassword: string) => postJson('/api/v1/auth/password/reset', { token, newPassword });

  it('answers forgot with the same 202 for a known and an unknown address', async () => {
    const user = await register();
    const [known, unknown] = [await forgot(user.email), await forgot(newIdentity().email)];
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(await known.json()).toEqual(await unknown.json());
  });

  it('resets with a single-use link: policy applied, every session ended, lockout lifted, no sign-in', async () => {
    const user = await register();
    const a = await login(user.email, user.password);
    const b = await login(user.email, user.password);
    await env.DB.prepare('UPDATE users SET locked_until = ?, failed_login_count = 3 WHERE id = ?')
      .bind(Date.now() + 600_000, user.id)
      .run();
    const since = Date.now();
    await forgot(user.email);
    const token = linkToken(await waitForMail(user.email, /Reset your/, since), 'reset');

    const weak = await reset(token, 'short');
    expect((await readError(weak)).code).toBe('PASSWORD_TOO_SHORT');
    const done = await reset(token, 'a completely new passphrase 5');
    expect(done.status).toBe(200);
    expect(done.headers.getSetCookie()).toEqual([]);
    expect(Object.keys((await done.json()) as object)).toEqual(['message']);
    expect((await readError(await reset(token, 'yet another new passphrase 6'))).code).toBe('INVALID_TOKEN');

    for (const session of [a, b]) {
      expect((await call('/api/v1/users/me', { headers: bearer(session.accessToken) })).status).toBe(401);
    }
    const row = await env.DB.prepare('SELECT locked_until, failed_login_count FROM users WHERE id = ?')
      .bind(user.id)
      .first();
    expect(row).toEqual({ locked_until: null, failed_login_count: 0 });
    await expect(login(user.email, 'a completely new passphrase 5')).resolves.toHaveProperty('accessToken');
    await waitForMail(user.email, /password was changed/, since);
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_events WHERE action = 'password_reset' AND target_id = ?",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);
  });

  it('refuses a link after 30 minutes', async () => {
    const user = await register();
    const since = Date.now();
    await forgot(user.email);
    const token = linkToken(await waitForMail(user.email, /Reset your/, since), 'reset');
    const row = await env.DB.prepare(
      "SELECT expires_at - created_at AS ttl FROM account_tokens WHERE user_id = ? AND purpose = 'reset_password'",
    )
      .bind(user.id)
      .first<{ ttl: number }>();
    expect(row?.ttl).toBeLessThanOrEqual(30 * 60_000 + 1_000);
    await env.DB.prepare("UPDATE account_tokens SET expires_at = ? WHERE user_id = ? AND purpose = 'reset_password'")
      .bind(Date.now() - 1, user.id)
      .run();
    expect((await readError(await reset(token, 'a completely new passphrase 5'))).code).toBe('INVALID_TOKEN');
  });

  it('confirms the address of an unverified account (the reset proves the mailbox)', async () => {
    const user = await registerUnverified();
    const since = Date.now();
    await forgot(user.email);
    const token = linkToken(await waitForMail(user.email, /Reset your/, since), 'reset');
    expect((await reset(token, 'a completely new passphrase 5')).status).toBe(200);
    const row = await env.DB.prepare('SELECT email_verified_at FROM users WHERE id = ?')
      .bind(user.id)
      .first<{ email_verified_at: number | null }>();
    expect(row?.email_verified_at).not.toBeNull();
  });
});
