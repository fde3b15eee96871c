import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../../../src/config';
import { signAccessToken } from '../../../src/modules/auth/access-token';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { adminToken, createSite, DUMMY_TOKEN, signIdentity, startGuest, useGuestFakes } from '../../helpers/guest';
import { call, callerWith, postJson, readError } from '../../helpers/http';

describe('guest sessions', { timeout: 20_000 }, () => {
  it('verifies Turnstile on the server and answers a guest token and a visitor token', async () => {
    const { turnstile } = useGuestFakes();
    const { site } = await createSite();
    const res = await postJson(
      '/api/v1/guest/sessions',
      { siteId: site.id, turnstileToken: DUMMY_TOKEN },
      { 'CF-Connecting-IP': '203.0.113.50' },
    );
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, identified: false });
    expect(body.visitorToken).toMatch(/^vt_[A-Za-z0-9_-]{43}$/);
    expect(turnstile.calls).toHaveLength(1);
    expect(turnstile.calls[0]).toMatchObject({ response: DUMMY_TOKEN, remoteip: '203.0.113.50' });
    expect(turnstile.calls[0]?.idempotency_key).toBeTruthy();
    // Only the hash of the visitor token is kept.
    const row = await env.DB.prepare('SELECT token_hash, site_id FROM visitors WHERE id = ?')
      .bind(body.visitorId)
      .first();
    expect(row?.site_id).toBe(site.id);
    expect(JSON.stringify(row)).not.toContain(String(body.visitorToken).slice(3));
  });

  it('refuses a token Turnstile does not pass, and any token when siteverify says it was spent', async () => {
    useGuestFakes();
    const { site } = await createSite();
    const bad = await postJson('/api/v1/guest/sessions', { siteId: site.id, turnstileToken: 'forged.token' });
    expect(bad.status).toBe(403);
    expect((await readError(bad)).code).toBe('TURNSTILE_FAILED');
    const spent = callerWith({ TURNSTILE_SECRET_KEY: '3x0000000000000000000000000000000AA' });
    const res = await spent('/api/v1/guest/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ siteId: site.id, turnstileToken: DUMMY_TOKEN }),
    });
    expect(res.status).toBe(403);
    expect((await readError(res)).code).toBe('TURNSTILE_FAILED');
  });

  it('refuses a token solved on another hostname than the configured one', async () => {
    useGuestFakes({ turnstile: { hostname: 'attacker.example' } });
    const { site } = await createSite();
    const res = await postJson('/api/v1/guest/sessions', { siteId: site.id, turnstileToken: DUMMY_TOKEN });
    expect(res.status).toBe(403);
    expect((await readError(res)).code).toBe('TURNSTILE_FAILED');
  });

  it('answers 503 when siteverify is down, and never lets the visitor in', async () => {
    const { turnstile } = useGuestFakes();
    turnstile.failNext(5);
    const { site } = await createSite();
    const res = await postJson('/api/v1/guest/sessions', { siteId: site.id, turnstileToken: DUMMY_TOKEN });
    expect(res.status).toBe(503);
    expect((await readError(res)).code).toBe('TURNSTILE_UNAVAILABLE');
  });

  it('refuses unknown sites and sites with guest chat off before calling Turnstile', async () => {
    const { turnstile } = useGuestFakes();
    const unknown = await postJson('/api/v1/guest/sessions', {
      siteId: crypto.randomUUID(),
      turnstileToken: DUMMY_TOKEN,
    });
    expect(unknown.status).toBe(404);
    expect((await readError(unknown)).code).toBe('SITE_NOT_FOUND');
    const { site } = await createSite({ guestChat: false });
    const off = await postJson('/api/v1/guest/sessions', { siteId: site.id, turnstileToken: DUMMY_TOKEN });
    expect(off.status).toBe(403);
    expect((await readError(off)).code).toBe('GUEST_CHAT_DISABLED');
    expect(turnstile.calls).toHaveLength(0);
  });

  it('renews with the visitor token until it expires; an unknown or expired one is refused', async () => {
    useGuestFakes();
    const { site } = await createSite();
    const guest = await startGuest(site.id);
    const renewed = await postJson('/api/v1/guest/sessions/renew', { visitorToken: guest.visitorToken });
    expect(renewed.status).toBe(200);
    expect(await renewed.json()).toMatchObject({ visitorId: guest.visitorId, tokenType: 'Bearer' });
    const unknown = await postJson('/api/v1/guest/sessions/renew', { visitorToken: 'vt_nothing-like-a-real-token' });
    expect(unknown.status).toBe(401);
    expect((await readError(unknown)).code).toBe('VISITOR_TOKEN_INVALID');
    await env.DB.prepare('UPDATE visitors SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1, guest.visitorId)
      .run();
    const expired = await postJson('/api/v1/guest/sessions/renew', { visitorToken: guest.visitorToken });
    expect(expired.status).toBe(401);
  });

  it('keeps the visitor token in a partitioned HttpOnly cookie, usable only from the service’s own origin', async () => {
    useGuestFakes();
    const { site } = await createSite();
    const res = await postJson('/api/v1/guest/sessions', { siteId: site.id, turnstileToken: DUMMY_TOKEN });
    const { visitorToken, visitorId } = (await res.json()) as { visitorToken: string; visitorId: string };
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-sw_visitor=')) ?? '';
    expect(cookie).toContain(`__Host-sw_visitor=${visitorToken}`);
    for (const attribute of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=None', 'Partitioned']) {
      expect(cookie).toContain(attribute);
    }
    const pair = cookie.split(';')[0] as string;
    const renew = (origin?: string) =>
      call('/api/v1/guest/sessions/renew', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: pair, ...(origin ? { Origin: origin } : {}) },
        body: '{}',
      });
    const own = await renew('http://localhost:8787');
    expect(own.status).toBe(200);
    expect(((await own.json()) as { visitorId: string }).visitorId).toBe(visitorId);
    for (const origin of ['http://127.0.0.1:9000', 'null', undefined]) {
      const refused = await renew(origin);
      expect(refused.status, String(origin)).toBe(403);
      expect((await readError(refused)).code).toBe('CSRF_REJECTED');
    }
  });

  it('trusts an identity only with the site’s signature and before its expiry', async () => {
    useGuestFakes();
    const { site, identitySecret } = await createSite();
    const later = Math.floor(Date.now() / 1000) + 3600;
    const good = await signIdentity(identitySecret, 'cust-42', 'ann@example.com', later);
    expect((await startGuest(site.id, { identity: good })).identified).toBe(true);
    const forged = await signIdentity('sis_not-the-site-secret', 'cust-42', 'ann@example.com', later);
    expect((await startGuest(site.id, { identity: forged })).identified).toBe(false);
    const tampered = { ...good, email: 'boss@example.com' };
    expect((await startGuest(site.id, { identity: tampered })).identified).toBe(false);
    const expired = await signIdentity(identitySecret, 'cust-42', 'ann@example.com', later - 7200);
    expect((await startGuest(site.id, { identity: expired })).identified).toBe(false);
    // Another site's secret signs nothing here.
    const other = await createSite();
    const foreign = await signIdentity(other.identitySecret, 'cust-42', 'ann@example.com', later);
    expect((await startGuest(site.id, { identity: foreign })).identified).toBe(false);
  });
});

describe('guest callers', { timeout: 20_000 }, () => {
  it('may chat and read their own conversations, and nothing else', async () => {
    useGuestFakes();
    const { site } = await createSite();
    const guest = await startGuest(site.id);
    const auth = bearer(guest.accessToken);
    for (const path of ['/api/v1/users/me', '/api/v1/chat/config', '/api/v1/sites', '/v1/models']) {
      const res = await call(path, { headers: auth });
      expect(res.status, path).toBe(403);
    }
    const completions = await postJson(
      '/v1/chat/completions',
      { model: 'support-fast', messages: [{ role: 'user', content: 'hi' }] },
      auth,
    );
    expect(completions.status).toBe(403);
    const chat = await postJson('/api/v1/chat', { message: 'Tell me about the moon', stream: false }, auth);
    expect(chat.status).toBe(200);
    const { conversationId } = (await chat.json()) as { conversationId: string };
    const list = (await (await call('/api/v1/conversations', { headers: auth })).json()) as { items: { id: string }[] };
    expect(list.items.map((c) => c.id)).toEqual([conversationId]);
    const one = await call(`/api/v1/conversations/${conversationId}`, { headers: auth });
    expect(one.status).toBe(200);
  });

  it('never see another visitor’s or a user’s conversation, and users never see a guest’s', async () => {
    useGuestFakes();
    const { site } = await createSite();
    const ann = await startGuest(site.id);
    const bob = await startGuest(site.id);
    const user = await registerAndLogin('user');
    const annChat = await postJson(
      '/api/v1/chat',
      { message: 'Where is my parcel?', stream: false },
      bearer(ann.accessToken),
    );
    const { conversationId: annConv } = (await annChat.json()) as { conversationId: string };
    const userChat = await postJson(
      '/api/v1/chat',
      { message: 'Tell me about Mars', stream: false },
      bearer(user.accessToken),
    );
    const { conversationId: userConv } = (await userChat.json()) as { conversationId: string };
    for (const [token, id] of [
      [bob.accessToken, annConv],
      [bob.accessToken, userConv],
      [user.accessToken, annConv],
      [ann.accessToken, userConv],
    ] as const) {
      expect((await call(`/api/v1/conversations/${id}`, { headers: bearer(token) })).status).toBe(404);
      const reply = await postJson(
        '/api/v1/chat',
        { message: 'And now?', conversationId: id, stream: false },
        bearer(token),
      );
      expect(reply.status).toBe(404);
    }
    const bobList = (await (await call('/api/v1/conversations', { headers: bearer(bob.accessToken) })).json()) as {
      total: number;
    };
    expect(bobList.total).toBe(0);
  });

  it('shows operators every guest conversation of a site with its visitor and signed identity', async () => {
    useGuestFakes();
    const { site, identitySecret } = await createSite();
    const identity = await signIdentity(
      identitySecret,
      'cust-7',
      'eve@example.com',
      Math.floor(Date.now() / 1000) + 600,
    );
    const known = await startGuest(site.id, { identity });
    const anonymous = await startGuest(site.id);
    for (const guest of [known, anonymous]) {
      const res = await postJson(
        '/api/v1/chat',
        { message: 'Do you deliver?', stream: false },
        bearer(guest.accessToken),
      );
      expect(res.status).toBe(200);
    }
    const moderator = await registerAndLogin('moderator');
    const res = await call(`/api/v1/sites/${site.id}/conversations`, { headers: bearer(moderator.accessToken) });
    expect(res.status).toBe(200);
    const page = (await res.json()) as {
      items: { id: string; visitorId: string; customer: unknown; siteId: string }[];
    };
    expect(page.items).toHaveLength(2);
    const byVisitor = new Map(page.items.map((c) => [c.visitorId, c]));
    expect(byVisitor.get(known.visitorId)?.customer).toEqual({ id: 'cust-7', email: 'eve@example.com' });
    expect(byVisitor.get(anonymous.visitorId)?.customer).toBeNull();
    const one = await call(`/api/v1/sites/${site.id}/conversations/${page.items[0]?.id}`, {
      headers: bearer(moderator.accessToken),
    });
    expect(one.status).toBe(200);
    expect(((await one.json()) as { messages: unknown[] }).messages).toHaveLength(2);
    const user = await registerAndLogin('user');
    expect((await call(`/api/v1/sites/${site.id}/conversations`, { headers: bearer(user.accessToken) })).status).toBe(
      403,
    );
  });

  it('refuses a guest token whose site turned guest chat off, or is gone', async () => {
    useGuestFakes();
    const { site } = await createSite();
    const guest = await startGuest(site.id);
    const admin = bearer(await adminToken());
    const ask = () => postJson('/api/v1/chat', { message: 'hello', stream: false }, bearer(guest.accessToken));
    const patch = await call(`/api/v1/sites/${site.id}`, {
      method: 'PATCH',
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ guestChat: false }),
    });
    expect(patch.status).toBe(200);
    const off = await ask();
    expect([off.status, (await readError(off)).code]).toEqual([403, 'GUEST_CHAT_DISABLED']);
    expect((await call(`/api/v1/sites/${site.id}`, { method: 'DELETE', headers: admin })).status).toBe(204);
    const gone = await ask();
    expect([gone.status, (await readError(gone)).code]).toEqual([401, 'UNAUTHORIZED']);
  });

  it('refuses a guest token without its site, even well signed', async () => {
    const config = getConfig(env);
    // A token that claims the guest role but names no site: it could not be limited by one.
    const token = await signAccessToken({ sub: crypto.randomUUID(), role: 'guest', tv: 0, sid: 'x' }, config.auth);
    const res = await postJson('/api/v1/chat', { message: 'hi', stream: false }, bearer(token));
    expect(res.status).toBe(401);
  });
});
