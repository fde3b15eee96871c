import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { newIdentity, register } from '../../helpers/auth';
import { postJson, readError } from '../../helpers/http';

describe('POST /api/v1/auth/register', () => {
  it('creates a user with the user role and never returns the hash', async () => {
    const identity = newIdentity();
    const res = await postJson('/api/v1/auth/register', { ...identity, fullName: 'Jane Doe' });
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as { user: Record<string, unknown> };
    expect(user).toMatchObject({
      email: identity.email,
      username: identity.username,
      fullName: 'Jane Doe',
      role: 'user',
    });
    expect(JSON.stringify(user)).not.toMatch(/argon2|password/i);
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE email = ?')
      .bind(identity.email)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('normalises the email (trim, lowercase)', async () => {
    const identity = newIdentity();
    const res = await postJson('/api/v1/auth/register', { ...identity, email: `  ${identity.email.toUpperCase()} ` });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { user: { email: string } }).user.email).toBe(identity.email);
  });

  it('answers a duplicate email exactly like a new one (same status and body shape)', async () => {
    const first = await register();
    const again = await postJson('/api/v1/auth/register', {
      email: first.email,
      username: `${first.username}x`,
      password: first.password,
    });
    expect(again.status).toBe(201);
    const body = (await again.json()) as { user: Record<string, unknown> };
    expect(Object.keys(body.user).sort()).toEqual(
      ['createdAt', 'email', 'fullName', 'id', 'isActive', 'isLocked', 'lastLoginAt', 'role', 'username'].sort(),
    );
    expect(body.user.id).not.toBe(first.id);
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ?')
      .bind(first.email)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
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
    const res = await postJson('/api/v1/auth/register', {
      ...newIdentity(),
      fullName: '<script>alert(1)</script>Jane\u0000\u200b <b>Doe</b>',
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { user: { fullName: string } }).user.fullName).toBe('alert(1)Jane Doe');
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
