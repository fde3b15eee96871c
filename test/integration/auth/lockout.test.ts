import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bearer, register, registerAndLogin } from '../../helpers/auth';
import { call, callerWith, readError } from '../../helpers/http';
import { uniqueIp } from '../../helpers/logs';
import { linkToken, mailsTo, settle, waitForMail } from '../../helpers/mail';

// The per-email login limits would answer 429 before the lockout rules show; these tests are about
// the lockout itself, so they run with those limits raised (and a small account-wide threshold).
const send = callerWith({
  RATE_LIMIT_LOGIN_EMAIL: '1000/15m',
  RATE_LIMIT_LOGIN_IP: '1000/1m',
  LOCKOUT_ACCOUNT_THRESHOLD: '12',
});
const post = (path: string, body: unknown, ip = uniqueIp()) =>
  send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': ip },
    body: JSON.stringify(body),
  });
const attempt = (email: string, password: string, ip?: string) => post('/api/v1/auth/login', { email, password }, ip);

const sameAnswer = async (res: Response) => {
  const error = await readError(res);
  return { status: res.status, code: error.code, message: error.message };
};

const auditCount = async (userId: string, action: string, scope?: string) =>
  (
    await env.DB.prepare(
      `SELECT count(*) AS n FROM audit_events WHERE action = ? AND target_id = ?${scope ? " AND json_extract(detail, '$.scope') = ?" : ''}`,
    )
      .bind(...[action, userId, ...(scope ? [scope] : [])])
      .first<{ n: number }>()
  )?.n;

describe('lockout per account and client', () => {
  it('locks the account for the client that failed 5 times, answering like a wrong password', async () => {
    const user = await register();
    const attacker = uniqueIp();
    for (let i = 0; i < 5; i++) expect((await attempt(user.email, `nope ${i} nope nope`, attacker)).status).toBe(401);
    const locked = await attempt(user.email, user.password, attacker);
    const wrong = await attempt(user.email, 'still the wrong one', attacker);
    expect(await sameAnswer(locked)).toEqual(await sameAnswer(wrong));
    const row = await env.DB.prepare('SELECT locked_until FROM login_failures WHERE user_id = ? AND client = ?')
      .bind(user.id, attacker)
      .first<{ locked_until: number }>();
    expect(row?.locked_until).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect(await auditCount(user.id, 'lockout', 'client')).toBe(1);
  });

  it('never locks the owner out from elsewhere: another client signs in while the attacker is locked', async () => {
    const user = await register();
    const attacker = uniqueIp();
    for (let i = 0; i < 6; i++) await attempt(user.email, `attack ${i} attack`, attacker);
    expect((await attempt(user.email, user.password)).status).toBe(200);
    // …and the attacker's pair stays locked after the owner's success.
    expect((await attempt(user.email, user.password, attacker)).status).toBe(401);
  });

  it('starts a client’s count again after a success from it', async () => {
    const user = await register();
    const ip = uniqueIp();
    for (let i = 0; i < 4; i++) await attempt(user.email, `bad guess ${i}!!`, ip);
    expect((await attempt(user.email, user.password, ip)).status).toBe(200);
    for (let i = 0; i < 4; i++) await attempt(user.email, `bad guess ${i}!!`, ip);
    expect((await attempt(user.email, user.password, ip)).status).toBe(200);
  });

  it('is lifted by an admin or moderator unlock', async () => {
    const user = await register();
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) await attempt(user.email, `nope ${i} nope nope`, ip);
    expect((await attempt(user.email, user.password, ip)).status).toBe(401);
    const moderator = await registerAndLogin('moderator');
    const unlock = await call(`/api/v1/users/${user.id}/unlock`, {
      method: 'POST',
      headers: { ...bearer(moderator.accessToken), 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(unlock.status).toBe(200);
    expect((await attempt(user.email, user.password, ip)).status).toBe(200);
  });
});

describe('the account-wide threshold', () => {
  async function crowdFailures(email: string, n: number) {
    for (let i = 0; i < n; i++) expect((await attempt(email, `crowd guess ${i}!`)).status).toBe(401);
  }

  it('past it, a right password gets the usual 401 and the owner a one-time sign-in link', async () => {
    const user = await register();
    await crowdFailures(user.email, 12);
    expect(await auditCount(user.id, 'lockout', 'account')).toBe(1);
    const since = Date.now();
    const right = await attempt(user.email, user.password);
    const wrong = await attempt(user.email, 'not it at all, sorry');
    expect(await sameAnswer(right)).toEqual(await sameAnswer(wrong));
    const mail = await waitForMail(user.email, /sign-in link/, since);
    // The wrong password mailed nothing.
    await settle();
    expect((await mailsTo(user.email)).filter((m) => /sign-in link/.test(m.subject))).toHaveLength(1);

    const signedIn = await post('/api/v1/auth/login/link', { token: linkToken(mail, 'signin-link') });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toMatchObject({ tokenType: 'Bearer' });
    // Single use.
    const again = await post('/api/v1/auth/login/link', { token: linkToken(mail, 'signin-link') });
    expect((await readError(again)).code).toBe('INVALID_TOKEN');
    // The account-wide lock is lifted: the password alone works again.
    expect((await attempt(user.email, user.password)).status).toBe(200);
  });

  it('below it, many clients’ failures lock nobody', async () => {
    const user = await register();
    await crowdFailures(user.email, 11);
    expect((await attempt(user.email, user.password)).status).toBe(200);
  });
});
