import { importJWK, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import keys from '../../fixtures/test-jwks.json';
import { changeAccountInD1 } from '../../helpers/accounts';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { call, callerWith, readError } from '../../helpers/http';

const BUMP_VERSION = 'UPDATE users SET token_version = token_version + 1 WHERE id = ?';

const [signingJwk, retiredPublicJwk] = keys.signing.keys as [JWK & { kid: string }, JWK & { kid: string }];
const retiredJwk = keys.retiredPrivate.keys[0] as JWK & { kid: string };
const attackerJwk = keys.other.keys[0] as JWK & { kid: string };

const b64url = (value: string | Uint8Array) => {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
};

type Forge = {
  jwk?: JWK & { kid: string };
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  omit?: string[];
};

/** Signs a token like ours, with one thing changed. */
async function forge(sub: string, { jwk = signingJwk, header = {}, claims = {}, omit = [] }: Forge = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: 'support-chat',
    aud: 'support-chat-api',
    sub,
    role: 'user',
    tv: 0,
    sid: crypto.randomUUID(),
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + 600,
    ...claims,
  };
  for (const key of omit) delete payload[key];
  const key = await importJWK(jwk, 'ES256');
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: jwk.kid, ...header } as never)
    .sign(key);
}

async function expect401(token: string) {
  const res = await call('/api/v1/users/me', { headers: bearer(token) });
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toContain('Bearer');
  expect((await readError(res)).code).toBe('UNAUTHORIZED');
}

async function expectAccepted(token: string) {
  expect((await call('/api/v1/users/me', { headers: bearer(token) })).status).toBe(200);
}

describe('access tokens', () => {
  it('accepts our own token (the baseline every attack below is measured against)', async () => {
    const session = await registerAndLogin();
    const res = await call('/api/v1/users/me', { headers: bearer(session.accessToken) });
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const forged = await forge(session.userId);
    expect((await call('/api/v1/users/me', { headers: bearer(forged) })).status).toBe(200);
  });

  it('answers a missing token with 401 and a bare Bearer challenge', async () => {
    const res = await call('/api/v1/users/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="api"');
  });

  it('refuses garbage and non-Bearer schemes', async () => {
    await expect401('garbage.garbage.garbage-garbage');
    const basic = await call('/api/v1/users/me', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);
  });

  it('refuses alg:none', async () => {
    const { userId } = await registerAndLogin();
    const header = b64url(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: signingJwk.kid }));
    const now = Math.floor(Date.now() / 1000);
    const payload = b64url(
      JSON.stringify({
        iss: 'support-chat',
        aud: 'support-chat-api',
        sub: userId,
        role: 'admin',
        tv: 0,
        sid: 'x',
        jti: 'j',
        iat: now,
        exp: now + 600,
      }),
    );
    await expect401(`${header}.${payload}.`);
  });

  it('refuses a tampered payload carrying the original signature', async () => {
    const session = await registerAndLogin();
    const [header, payload, signature] = session.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(atob(payload.replaceAll('-', '+').replaceAll('_', '/'))) as Record<string, unknown>;
    await expect401(`${header}.${b64url(JSON.stringify({ ...claims, role: 'admin' }))}.${signature}`);
  });

  it('refuses an HS256 token whose secret is our public key (algorithm confusion)', async () => {
    const { userId } = await registerAndLogin();
    const secret = new TextEncoder().encode(JSON.stringify(retiredPublicJwk));
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      iss: 'support-chat',
      aud: 'support-chat-api',
      sub: userId,
      role: 'admin',
      tv: 0,
      sid: 's',
      jti: 'j',
      iat: now,
      exp: now + 600,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: signingJwk.kid })
      .sign(secret);
    await expect401(token);
  });

  it('refuses an unknown kid, and a foreign key that claims our kid', async () => {
    const { userId } = await registerAndLogin();
    await expect401(await forge(userId, { header: { kid: 'no-such-key' } }));
    await expect401(await forge(userId, { jwk: attackerJwk }));
  });

  it('accepts a token signed by a retired key that is still listed (rotation without logouts)', async () => {
    const { userId } = await registerAndLogin();
    const token = await forge(userId, { jwk: retiredJwk });
    expect((await call('/api/v1/users/me', { headers: bearer(token) })).status).toBe(200);
  });

  it.each([
    ['expired', { claims: { exp: Math.floor(Date.now() / 1000) - 60 } }],
    ['not yet valid (nbf in the future)', { claims: { nbf: Math.floor(Date.now() / 1000) + 300 } }],
    [
      'issued in the future',
      { claims: { iat: Math.floor(Date.now() / 1000) + 300, exp: Math.floor(Date.now() / 1000) + 900 } },
    ],
    [
      'older than the access-token lifetime',
      { claims: { iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) + 600 } },
    ],
    ['from another issuer', { claims: { iss: 'someone-else' } }],
    ['for another audience', { claims: { aud: 'another-api' } }],
    ['without exp', { omit: ['exp'] }],
    ['without jti (ID-less)', { omit: ['jti'] }],
    ['without iat', { omit: ['iat'] }],
    ['of another type (an ID token)', { header: { typ: 'JWT' } }],
    ['with an unknown role', { claims: { role: 'superuser' } }],
  ])('refuses a token that is %s', async (_name, change) => {
    const { userId } = await registerAndLogin();
    await expect401(await forge(userId, change as Forge));
  });

  it('refuses a refresh token presented as an access token', async () => {
    const session = await registerAndLogin();
    const refreshToken = session.refreshCookie.split('=')[1] as string;
    await expect401(refreshToken);
  });

  it('refuses a token minted before the user’s token version moved on', async () => {
    const session = await registerAndLogin();
    await expectAccepted(session.accessToken); // the admission object now holds a copy of the account
    await changeAccountInD1(session.userId, BUMP_VERSION, { tell: true });
    await expect401(session.accessToken);
  });

  it('refuses a token of a deleted user', async () => {
    const session = await registerAndLogin();
    await expectAccepted(session.accessToken);
    await changeAccountInD1(session.userId, 'DELETE FROM users WHERE id = ?', { tell: true });
    await expect401(session.accessToken);
  });

  it('sees a change made around the API once the admission object’s copy ages out', async () => {
    const session = await registerAndLogin();
    await expectAccepted(session.accessToken);
    await changeAccountInD1(session.userId, BUMP_VERSION, { tell: false });
    // Within ACCOUNT_RECHECK_SECONDS (60 by default) the copy still stands...
    await expectAccepted(session.accessToken);
    // ...and a copy older than the configured age is read again (0: every request reads D1).
    const strict = callerWith({ ACCOUNT_RECHECK_SECONDS: '0' });
    const res = await strict('/api/v1/users/me', { headers: bearer(session.accessToken) });
    expect(res.status).toBe(401);
    expect((await readError(res)).code).toBe('UNAUTHORIZED');
  });

  it('reads the account again for a token newer than the admission object’s copy', async () => {
    const session = await registerAndLogin();
    await expectAccepted(session.accessToken);
    // A version admission never heard of, e.g. minted by another Worker after a change it missed.
    await changeAccountInD1(session.userId, BUMP_VERSION, { tell: false });
    await expectAccepted(await forge(session.userId, { claims: { tv: 1 } }));
    await expect401(session.accessToken);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('lists every active public key and no private parts', async () => {
    const res = await call('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const { keys: listed } = (await res.json()) as { keys: Record<string, string>[] };
    expect(listed.map((k) => k.kid)).toEqual([signingJwk.kid, retiredPublicJwk.kid]);
    for (const key of listed) {
      expect(key).not.toHaveProperty('d');
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
  });
});
