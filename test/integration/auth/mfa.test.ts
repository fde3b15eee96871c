import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { currentCode } from '../../../src/modules/mfa/totp';
import {
  bearer,
  cookiePost,
  login,
  refreshCookieOf,
  register,
  registerAndLogin,
  type Session,
} from '../../helpers/auth';
import { call, callerWith, postJson, readError } from '../../helpers/http';
import { uniqueIp } from '../../helpers/logs';
import { linkToken, waitForMail } from '../../helpers/mail';

const STEP = 30_000;
const authed = (session: { accessToken: string }, path: string, body: unknown) =>
  postJson(path, body, bearer(session.accessToken));

/** Turns 2FA on for a signed-in user with a code of the previous step; returns the secret and backup codes. */
async function enable(session: Session) {
  const setup = await authed(session, '/api/v1/auth/mfa/totp/setup', {});
  expect(setup.status).toBe(200);
  const { secret, otpauthUri } = (await setup.json()) as { secret: string; otpauthUri: string };
  expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/.+\?.*secret=/);
  const res = await authed(session, '/api/v1/auth/mfa/totp/enable', { code: currentCode(secret, Date.now() - STEP) });
  expect(res.status).toBe(200);
  const { backupCodes } = (await res.json()) as { backupCodes: string[] };
  return { secret, backupCodes };
}

async function startLogin(email: string, password: string, ip = uniqueIp()) {
  const res = await postJson('/api/v1/auth/login', { email, password }, { 'CF-Connecting-IP': ip });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { mfaRequired?: true; mfaToken: string; methods?: string[]; accessToken?: string };
  // No tokens of any kind before the second factor.
  if (body.mfaToken) expect(res.headers.getSetCookie()).toEqual([]);
  return body;
}

const verify = (mfaToken: string, code: string, ip = uniqueIp()) =>
  postJson('/api/v1/auth/mfa/verify', { mfaToken, code }, { 'CF-Connecting-IP': ip });

describe('TOTP two-factor', () => {
  it('sets up with a secret sealed at rest, enables with a code and returns 10 backup codes once', async () => {
    const me = await registerAndLogin();
    const setup = await authed(me, '/api/v1/auth/mfa/totp/setup', {});
    const { secret } = (await setup.json()) as { secret: string };
    const pending = await env.DB.prepare('SELECT mfa_pending_secret AS s FROM users WHERE id = ?')
      .bind(me.userId)
      .first<{ s: string }>();
    expect(pending?.s).toMatch(/^v1\.test1\./);
    expect(pending?.s).not.toContain(secret);

    const wrong = await authed(me, '/api/v1/auth/mfa/totp/enable', {
      code: '000000' === currentCode(secret) ? '111111' : '000000',
    });
    expect((await readError(wrong)).code).toBe('INVALID_MFA_CODE');
    const ok = await authed(me, '/api/v1/auth/mfa/totp/enable', { code: currentCode(secret) });
    const { backupCodes } = (await ok.json()) as { backupCodes: string[] };
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    const stored = await env.DB.prepare('SELECT code_hash FROM mfa_backup_codes WHERE user_id = ?')
      .bind(me.userId)
      .all();
    expect(JSON.stringify(stored.results)).not.toContain(backupCodes[0]?.replaceAll('-', ''));
    const row = await env.DB.prepare('SELECT mfa_secret, mfa_pending_secret FROM users WHERE id = ?')
      .bind(me.userId)
      .first();
    expect(row).toMatchObject({ mfa_secret: expect.stringMatching(/^v1\./), mfa_pending_secret: null });
    const profile = await call('/api/v1/users/me', { headers: bearer(me.accessToken) });
    expect(((await profile.json()) as { user: { mfaEnabled: boolean } }).user.mfaEnabled).toBe(true);
  });

  it('makes login answer {mfaRequired, mfaToken, methods} with no tokens, and verify finish it', async () => {
    const me = await registerAndLogin();
    const { secret } = await enable(me);
    const first = await startLogin(me.email, me.password);
    expect(first).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ['totp', 'backup_code'] });
    const done = await verify(first.mfaToken, currentCode(secret));
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) });
    expect(refreshCookieOf(done)).toMatch(/^__Secure-refresh_token=/);
    // The mfaToken was single use.
    expect((await readError(await verify(first.mfaToken, currentCode(secret)))).code).toBe('MFA_TOKEN_INVALID');
  });

  it('accepts a code once: a replay, an older step and a concurrent double use all fail', async () => {
    const me = await registerAndLogin();
    const { secret } = await enable(me); // used the previous step
    const now = Date.now();
    const a = await startLogin(me.email, me.password);
    expect((await verify(a.mfaToken, currentCode(secret, now))).status).toBe(200);
    const b = await startLogin(me.email, me.password);
    expect((await readError(await verify(b.mfaToken, currentCode(secret, now)))).code).toBe('INVALID_MFA_CODE');
    expect((await verify(b.mfaToken, currentCode(secret, now - STEP))).status).toBe(401);
    // Two sign-ins racing with the next step's code (within the ±1 step skew): exactly one wins.
    const [c, d] = [await startLogin(me.email, me.password), await startLogin(me.email, me.password)];
    const next = currentCode(secret, now + STEP);
    const raced = await Promise.all([verify(c.mfaToken, next), verify(d.mfaToken, next)]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses a code two steps off (±1 step of clock skew only)', async () => {
    const me = await registerAndLogin();
    const { secret } = await enable(me);
    const a = await startLogin(me.email, me.password);
    expect((await verify(a.mfaToken, currentCode(secret, Date.now() + 2 * STEP + 1_000))).status).toBe(401);
  });

  it('kills the mfaToken after 5 wrong codes, and counts them towards the lockout of that client', async () => {
    const me = await registerAndLogin();
    const { secret } = await enable(me);
    const ip = uniqueIp();
    const a = await startLogin(me.email, me.password, ip);
    for (let i = 0; i < 5; i++) expect((await verify(a.mfaToken, `${100000 + i}`)).status).toBe(401);
    expect((await readError(await verify(a.mfaToken, currentCode(secret, Date.now() + STEP)))).code).toBe(
      'MFA_TOKEN_INVALID',
    );
    // The client that passed the password is now locked out of this account; another one is not.
    const locked = await postJson(
      '/api/v1/auth/login',
      { email: me.email, password: me.password },
      { 'CF-Connecting-IP': ip },
    );
    expect(locked.status).toBe(401);
    expect((await startLogin(me.email, me.password)).mfaRequired).toBe(true);
  });

  it('signs in with a backup code once; regenerating kills the old set', async () => {
    const me = await registerAndLogin();
    const { secret, backupCodes } = await enable(me);
    const [code, other] = backupCodes as [string, string];
    const a = await startLogin(me.email, me.password);
    expect((await verify(a.mfaToken, code.toUpperCase().replaceAll('-', ' '))).status).toBe(200);
    const b = await startLogin(me.email, me.password);
    expect((await verify(b.mfaToken, code)).status).toBe(401);

    const regen = await authed(me, '/api/v1/auth/mfa/backup-codes', { code: currentCode(secret) });
    expect(regen.status).toBe(200);
    const fresh = ((await regen.json()) as { backupCodes: string[] }).backupCodes;
    expect(fresh).toHaveLength(10);
    expect((await verify(b.mfaToken, other)).status).toBe(401);
    expect((await verify(b.mfaToken, fresh[0] as string)).status).toBe(200);
  });

  it('turns off only with the password and a current code', async () => {
    const me = await registerAndLogin();
    const { secret } = await enable(me);
    const noPassword = await authed(me, '/api/v1/auth/mfa/totp/disable', {
      password: 'not my password!',
      code: currentCode(secret),
    });
    expect((await readError(noPassword)).code).toBe('INVALID_CURRENT_PASSWORD');
    const noCode = await authed(me, '/api/v1/auth/mfa/totp/disable', { password: me.password, code: '123456' });
    expect(noCode.status).toBe(400);
    const off = await authed(me, '/api/v1/auth/mfa/totp/disable', { password: me.password, code: currentCode(secret) });
    expect(off.status).toBe(204);
    expect(await startLogin(me.email, me.password)).toMatchObject({ accessToken: expect.any(String) });
  });

  it('never lets a password reset bypass 2FA', async () => {
    const me = await registerAndLogin();
    await enable(me);
    const since = Date.now();
    await postJson('/api/v1/auth/password/forgot', { email: me.email });
    const token = linkToken(await waitForMail(me.email, /Reset your/, since), 'reset');
    const reset = await postJson('/api/v1/auth/password/reset', { token, newPassword: 'a fresh passphrase for 2fa 1' });
    expect(reset.status).toBe(200);
    expect(await reset.json()).not.toHaveProperty('accessToken');
    expect(await startLogin(me.email, 'a fresh passphrase for 2fa 1')).toMatchObject({ mfaRequired: true });
  });

  it('lets an admin reset a user’s 2FA: audited, sessions ended, the user mailed', async () => {
    const admin = await registerAndLogin('admin');
    const me = await registerAndLogin();
    await enable(me);
    const since = Date.now();
    const res = await call(`/api/v1/users/${me.userId}/mfa`, { method: 'DELETE', headers: bearer(admin.accessToken) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { mfaEnabled: boolean } }).user.mfaEnabled).toBe(false);
    expect((await call('/api/v1/users/me', { headers: bearer(me.accessToken) })).status).toBe(401);
    await waitForMail(me.email, /Two-factor sign-in was turned off/, since);
    const audit = await env.DB.prepare("SELECT actor_id FROM audit_events WHERE action = 'mfa_reset' AND target_id = ?")
      .bind(me.userId)
      .first();
    expect(audit).toEqual({ actor_id: admin.userId });
    expect(await startLogin(me.email, me.password)).toMatchObject({ accessToken: expect.any(String) });
  });
});

describe('MFA_REQUIRED_ROLES', () => {
  const send = callerWith({ MFA_REQUIRED_ROLES: 'admin,moderator' });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    send(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('answers {mfaEnrollmentRequired, mfaToken} and no tokens; setup and enable take it, and enable signs in', async () => {
    const mod = await registerAndLogin('moderator');
    const res = await post('/api/v1/auth/login', { email: mod.email, password: mod.password });
    expect(res.headers.getSetCookie()).toEqual([]);
    const body = (await res.json()) as { mfaEnrollmentRequired: boolean; mfaToken: string };
    expect(body).toEqual({ mfaEnrollmentRequired: true, mfaToken: expect.any(String) });
    // The enrolment mfaToken is no ticket to the code step.
    expect((await post('/api/v1/auth/mfa/verify', { mfaToken: body.mfaToken, code: '123456' })).status).toBe(401);

    const setup = await post('/api/v1/auth/mfa/totp/setup', { mfaToken: body.mfaToken });
    expect(setup.status).toBe(200);
    const { secret } = (await setup.json()) as { secret: string };
    const enabled = await post('/api/v1/auth/mfa/totp/enable', { mfaToken: body.mfaToken, code: currentCode(secret) });
    expect(enabled.status).toBe(200);
    const done = (await enabled.json()) as { backupCodes: string[]; accessToken: string };
    expect(done.backupCodes).toHaveLength(10);
    expect(refreshCookieOf(enabled)).toMatch(/^__Secure-refresh_token=/);
    expect((await send('/api/v1/users/me', { headers: bearer(done.accessToken) })).status).toBe(200);
    // Such a role cannot turn 2FA off again.
    const off = await post(
      '/api/v1/auth/mfa/totp/disable',
      { password: mod.password, code: currentCode(secret, Date.now() + STEP) },
      bearer(done.accessToken),
    );
    expect((await readError(off)).code).toBe('MFA_REQUIRED_FOR_ROLE');
  });

  it('refuses setup without a token or with a sign-in mfaToken', async () => {
    expect((await post('/api/v1/auth/mfa/totp/setup', {})).status).toBe(401);
    expect((await readError(await post('/api/v1/auth/mfa/totp/setup', { mfaToken: 'x'.repeat(43) }))).code).toBe(
      'MFA_TOKEN_INVALID',
    );
  });

  it('ends refresh for a session of such a role without 2FA', async () => {
    const admin = await registerAndLogin('admin'); // signed in before the rule applied
    const res = await send('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://localhost:8787', Cookie: admin.refreshCookie },
      body: '{}',
    });
    expect(res.status).toBe(401);
    // Without the rule the same cookie would have worked.
    const other = await registerAndLogin('admin');
    expect((await cookiePost('/api/v1/auth/refresh', other.refreshCookie)).status).toBe(200);
  });
});

it('keeps a register → login flow working for an account without 2FA', async () => {
  const user = await register();
  await expect(login(user.email, user.password)).resolves.toHaveProperty('accessToken');
});
