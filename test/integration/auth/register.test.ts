import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { login, newIdentity, register } from '../../helpers/auth';
import { postJson, readError } from '../../helpers/http';
import { waitForMail } from '../../helpers/mail';

describe('POST /api/v1/auth/register', () => {
  it('starts an unverified user-role account, answers 202 {message} and mails a verification link', async () => {
    const identity = newIdentity();
    const res = await postJson('/api/v1/auth/register', { ...identity, fullName: 'Jane Doe' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['message']);
    const row = await env.DB.prepare(
      'SELECT password_hash, role, full_name, email_verified_at FROM users WHERE email = ?',
    )
      .bind(identity.email)
      .first<{ password_hash: string; role: string; full_name: string; email_verified_at: number | null }>();
    expect(row).toMatchObject({ role: 'user', full_name: 'Jane Doe', email_verified_at: null });
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const mail = await waitForMail(identity.email, /Confirm your email/);
    expect(mail.text).toContain('http://127.0.0.1:8787/#/verify/');
  });

  it('normalises the email (trim, lowercase)', async () => {
    const identity = newIdentity();
    const res = await postJson('/api/v1/auth/register', { ...identity, email: `  ${identity.email.toUpperCase()} ` });
    expect(res.status).toBe(202);
    const row = await env.DB.prepare('SELECT email FROM users WHERE username = ?').bind(identity.username).first();
    expect(row).toEqual({ email: identity.email });
  });

  it('answers a known email exactly like a new one, and mails its owner instead', async () => {
    const first = await register();
    const since = Date.now();
    const fresh = await postJson('/api/v1/auth/register', newIdentity());
    const again = await postJson('/api/v1/auth/register', {
      email: first.email,
      username: `${first.username}x`,
      password: 'another long passphrase 8',
    });
    expect(again.status).toBe(fresh.status);
    expect(await again.json()).toEqual(await fresh.json());
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ?')
      .bind(first.email)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
    const mail = await waitForMail(first.email, /tried to sign up/, since);
    expect(mail.text).toContain('http://127.0.0.1:8787/#/forgot');
    // The account itself is untouched: the old password still signs in.
    await expect(login(first.email, first.password)).resolves.toHaveProperty('accessToken');
  });

  it('holds the username asked for with a known email, as a new account would hold it', async () => {
    const owner = await register();
    const viaKnown = `${owner.username}k`;
    const viaNew = `${owner.username}n`;
    await postJson('/api/v1/auth/register', { ...newIdentity(), email: owner.email, username: viaKnown });
    await postJson('/api/v1/auth/register', { ...newIdentity(), username: viaNew });
    const later = await Promise.all(
      [viaKnown, viaNew].map((username) => postJson('/api/v1/auth/register', { ...newIdentity(), username })),
    );
    expect(later.map((r) => r.status)).toEqual([409, 409]);
    const [a, b] = await Promise.all(later.map(readError));
    expect({ ...a, requestId: '' }).toEqual({ ...b, requestId: '' });
    // The hold ends with the 24-hour window.
    await env.DB.prepare('UPDATE username_holds SET expires_at = ? WHERE username_lower = ?')
      .bind(Date.now() - 1, viaKnown.toLowerCase())
      .run();
    expect((await postJson('/api/v1/auth/register', { ...newIdentity(), username: viaKnown })).status).toBe(202);
  });

  it('answers a taken username with 409 whoever asks, so it cannot be used to test an email', async () => {
    const owner = await register();
    const asOwner = await postJson('/api/v1/auth/register', {
      email: owner.email,
      username: owner.username,
      password: owner.password,
    });
    const asStranger = await postJson('/api/v1/auth/register', { ...newIdentity(), username: owner.username });
    expect(asOwner.status).toBe(409);
    expect(asStranger.status).toBe(409);
    const [a, b] = [await readError(asOwner), await readError(asStranger)];
    expect({ ...a, requestId: '' }).toEqual({ ...b, requestId: '' });
  });

  it('refuses a username that is taken, whatever its case', async () => {
    const first = await register();
    const res = await postJson('/api/v1/auth/register', { ...newIdentity(), username: first.username.toUpperCase() });
    expect(res.status).toBe(409);
    expect((await readError(res)).code).toBe('USERNAME_TAKEN');
  });

  it.each([
    ['a short username', { username: 'ab' }],
    ['a username with spaces', { username: 'jane doe' }],
    ['a reserved username', { username: 'Admin' }],
    ['an invalid email', { email: 'not-an-email' }],
    ['an overlong email', { email: `${'a'.repeat(250)}@example.com` }],
    ['an unknown field', { role: 'admin' }],
    ['a non-string password', { password: 12345678901234 }],
  ])('refuses %s with 400', async (_name, patch) => {
    const res = await postJson('/api/v1/auth/register', { ...newIdentity(), ...patch });
    expect(res.status).toBe(400);
    expect((await readError(res)).code).toBe('VALIDATION_ERROR');
  });

  it('strips tags and control characters from the full name', async () => {
    const identity = newIdentity();
    const res = await postJson('/api/v1/auth/register', {
      ...identity,
      fullName: '<script>alert(1)</script>Jane\u0000\u200b <b>Doe</b>',
    });
    expect(res.status).toBe(202);
    const row = await env.DB.prepare('SELECT full_name FROM users WHERE email = ?').bind(identity.email).first();
    expect(row).toEqual({ full_name: 'alert(1)Jane Doe' });
  });

  it.each([
    ['too short', 'Short1!', 'PASSWORD_TOO_SHORT'],
    ['too long', 'x'.repeat(129), 'PASSWORD_TOO_LONG'],
    ['a common password', 'QWERTY123456', 'PASSWORD_TOO_COMMON'],
  ])('refuses a password that is %s with its own code', async (_name, password, code) => {
    const res = await postJson('/api/v1/auth/register', { ...newIdentity(), password });
    expect(res.status).toBe(400);
    const error = await readError(res);
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('refuses a password that contains the username or the email local part', async () => {
    const identity = newIdentity();
    const withName = await postJson('/api/v1/auth/register', {
      ...identity,
      password: `my ${identity.username} secret`,
    });
    expect((await readError(withName)).code).toBe('PASSWORD_CONTAINS_EMAIL');
    const other = { ...newIdentity(), email: `jane.smith.${crypto.randomUUID().slice(0, 6)}@example.com` };
    const withUser = await postJson('/api/v1/auth/register', { ...other, password: `zz ${other.username} zz pass` });
    expect((await readError(withUser)).code).toBe('PASSWORD_CONTAINS_USERNAME');
  });
});

describe('hostile input on the auth endpoints', () => {
  const hostile = [
    "' OR 1=1 --",
    "'); DROP TABLE users; --",
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    '\u0000',
  ];

  // Emails and usernames have a shape, so these are refused; a password or a name may hold any
  // characters (long ones pass the policy), and is only ever stored as a hash or as stripped text.
  it.each(hostile)(
    'answers %j in any register field without a 500 (and with 400 for email and username)',
    async (value) => {
      for (const field of ['email', 'username', 'password', 'fullName']) {
        const res = await postJson('/api/v1/auth/register', { ...newIdentity(), [field]: value });
        expect(res.status, field).toBeLessThan(500);
        if (field === 'email' || field === 'username') expect(res.status, field).toBe(400);
      }
      const table = await env.DB.prepare("SELECT name FROM sqlite_master WHERE name = 'users'").first();
      expect(table).not.toBeNull();
    },
  );

  it('refuses a 1 MB login body with 413 and malformed JSON with 400', async () => {
    const big = await postJson('/api/v1/auth/login', { email: 'a@example.com', password: 'x'.repeat(1024 * 1024) });
    expect(big.status).toBe(413);
    const broken = await postJson('/api/v1/auth/login', '{"email": "a@example.com", "password": ');
    expect(broken.status).toBe(400);
    expect((await readError(broken)).code).toBe('BAD_REQUEST');
  });
});
