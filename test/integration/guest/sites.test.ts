import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { adminToken, createSite } from '../../helpers/guest';
import { call, callerWith, postJson, readError } from '../../helpers/http';

const json = (token: string, method: string, body: unknown) => ({
  method,
  headers: { ...bearer(token), 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

describe('widget sites', () => {
  it('creates a site with defaults, shows its identity secret once and its embed snippet always', async () => {
    const { site, identitySecret } = await createSite({ name: 'Shop', greeting: 'Hi there' });
    expect(identitySecret).toMatch(/^sis_[A-Za-z0-9_-]{43}$/);
    expect(site).toMatchObject({
      name: 'Shop',
      greeting: 'Hi there',
      guestChat: true,
      allowedOrigins: ['http://127.0.0.1:9000'],
      guestMessagesPerMinute: 5,
      guestMessagesPerDay: 50,
    });
    expect(site.embedSnippet).toBe(
      `<script src="http://localhost:8787/widget.js" data-site="${site.id}" async></script>`,
    );
    const admin = await adminToken();
    const read = await call(`/api/v1/sites/${site.id}`, { headers: bearer(admin) });
    const text = await read.text();
    expect(read.status).toBe(200);
    expect(text).not.toContain(identitySecret);
    expect(text).not.toContain('identitySecret');
    const list = await (await call('/api/v1/sites', { headers: bearer(admin) })).text();
    expect(list).toContain(site.id);
    expect(list).not.toContain(identitySecret);
  });

  it('lets moderators read sites but not change them', async () => {
    const { site } = await createSite();
    const moderator = await registerAndLogin('moderator');
    expect((await call(`/api/v1/sites/${site.id}`, { headers: bearer(moderator.accessToken) })).status).toBe(200);
    const patch = await call(`/api/v1/sites/${site.id}`, json(moderator.accessToken, 'PATCH', { name: 'Mine now' }));
    expect(patch.status).toBe(403);
  });

  it('refuses bad origins, unknown fields and out-of-range limits with 400', async () => {
    const admin = await adminToken();
    for (const body of [
      { name: 'x', allowedOrigins: ['https://shop.example/path'] },
      { name: 'x', allowedOrigins: ['*'] },
      { name: 'x', allowedOrigins: [] },
      { name: 'x', allowedOrigins: ['https://a.example'], identitySecret: 'mine' },
      { name: 'x', allowedOrigins: ['https://a.example'], guestMessagesPerMinute: 0 },
      { name: 'x', allowedOrigins: ['https://a.example'], accentColor: 'red; background:url(x)' },
    ]) {
      const res = await postJson('/api/v1/sites', body, bearer(admin));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await readError(res)).code).toBe('VALIDATION_ERROR');
    }
  });

  it('refuses http origins in production only', async () => {
    const production = callerWith({
      ENVIRONMENT: 'production',
      CORS_ORIGINS: 'https://support.example.com',
      DEEPSEEK_API_KEY: 'sk-test',
      TURNSTILE_SITE_KEY: '0x4AAAAAAA-real-site-key',
      TURNSTILE_SECRET_KEY: '0x4AAAAAAA-real-secret-key',
      TURNSTILE_VERIFY_URL: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
      TURNSTILE_SCRIPT_URL: 'https://challenges.cloudflare.com/turnstile/v0/api.js',
      MAIL_FROM: 'no-reply@support.example.com',
      PUBLIC_APP_URL: 'https://support.example.com',
    });
    const res = await production(
      '/api/v1/sites',
      json(await adminToken(), 'POST', { name: 'x', allowedOrigins: ['http://shop.example'] }),
    );
    expect(res.status).toBe(400);
    expect((await readError(res)).code).toBe('INSECURE_ORIGIN');
  });

  it('updates limits and origins, rotates the secret, and deletes with a 404 afterwards', async () => {
    const admin = await adminToken();
    const { site, identitySecret } = await createSite();
    const patched = await call(
      `/api/v1/sites/${site.id}`,
      json(admin, 'PATCH', { guestChat: false, allowedOrigins: ['https://new.example'], guestMessagesPerDay: 3 }),
    );
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { site: unknown }).site).toMatchObject({
      guestChat: false,
      allowedOrigins: ['https://new.example'],
      guestMessagesPerDay: 3,
    });
    const rotated = await call(`/api/v1/sites/${site.id}/identity-secret`, json(admin, 'POST', {}));
    expect(rotated.status).toBe(200);
    const { identitySecret: next } = (await rotated.json()) as { identitySecret: string };
    expect(next).not.toBe(identitySecret);
    const row = await env.DB.prepare('SELECT identity_secret FROM sites WHERE id = ?').bind(site.id).first();
    expect(row).toEqual({ identity_secret: next });
    expect((await call(`/api/v1/sites/${site.id}`, { method: 'DELETE', headers: bearer(admin) })).status).toBe(204);
    const gone = await call(`/api/v1/sites/${site.id}`, { headers: bearer(admin) });
    expect(gone.status).toBe(404);
    expect((await call(`/api/v1/sites/${site.id}`, json(admin, 'PATCH', { name: 'x' }))).status).toBe(404);
  });
});
