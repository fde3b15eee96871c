import { env, exports } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/lib/opaque-token';
import { conversationChannel, liveChannel } from '../../../src/modules/handoff/live/live.client';
import { createKey } from '../../helpers/api-keys';
import { bearer, registerAndLogin, type Session } from '../../helpers/auth';
import { createSite, startGuest, useGuestFakes } from '../../helpers/guest';
import { call, postJson, readError } from '../../helpers/http';
import { askTicket, connect, conversationOf, socketPath, ticketFor } from '../../helpers/live';
import { uniqueIp } from '../../helpers/logs';

const ticketPath = (id: string) => `/api/v1/conversations/${id}/live-ticket`;

let customer: Session;
let stranger: Session;
let operator: Session;
let siteId: string;

beforeAll(async () => {
  [customer, stranger, operator] = await Promise.all([
    registerAndLogin('user'),
    registerAndLogin('user'),
    registerAndLogin('moderator'),
  ]);
});

beforeEach(async () => {
  useGuestFakes();
  siteId ??= (await createSite()).site.id;
});

describe('live tickets', () => {
  it('gives the owner a single-use socket URL on this origin, valid 30 seconds', async () => {
    const id = await conversationOf(customer);
    const before = Date.now();
    const ticket = await ticketFor(ticketPath(id), customer.accessToken);
    const url = new URL(ticket.url);
    expect(url.protocol).toBe('ws:');
    expect(url.host).toBe('localhost:8787');
    expect(url.pathname).toBe(`/api/v1/live/conversations/${id}`);
    expect(url.searchParams.get('ticket')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expiresAt = Date.parse(ticket.expiresAt);
    expect(expiresAt - before).toBeGreaterThanOrEqual(29_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(30_000);

    const first = await connect(ticket.url);
    const again = await call(socketPath(ticket.url), { headers: { Upgrade: 'websocket' } });
    expect(again.status).toBe(401);
    expect((await readError(again)).code).toBe('INVALID_TICKET');
    first.socket.close(1000);
  });

  it('builds wss: URLs for https origins', async () => {
    const id = await conversationOf(customer);
    const secure = await exports.default.fetch(
      new Request(`https://support.example.com${ticketPath(id)}`, {
        method: 'POST',
        headers: {
          ...bearer(customer.accessToken),
          'Content-Type': 'application/json',
          'CF-Connecting-IP': uniqueIp(),
        },
        body: '{}',
      }),
    );
    expect(secure.status).toBe(200);
    const { url } = (await secure.json()) as { url: string };
    expect(url).toMatch(new RegExp(`^wss://support\\.example\\.com/api/v1/live/conversations/${id}\\?ticket=`));
  });

  it('refuses an expired ticket even if it was never used', async () => {
    const id = await conversationOf(customer);
    const ticket = 'A'.repeat(43);
    await liveChannel(env.LIVE, conversationChannel(id)).issueTicket(await sha256Hex(ticket), {
      principal: {
        kind: 'user',
        id: customer.userId,
        sessionId: 'x',
        tokenVersion: 0,
        role: 'user',
        as: 'customer',
      },
      expiresAt: Date.now() - 1,
    });
    const res = await call(`/api/v1/live/conversations/${id}?ticket=${ticket}`, { headers: { Upgrade: 'websocket' } });
    expect(res.status).toBe(401);
    expect((await readError(res)).code).toBe('INVALID_TICKET');
  });

  it('answers 401 without a ticket or with an unknown one, and 426 to a plain request', async () => {
    const id = await conversationOf(customer);
    const upgrade = { headers: { Upgrade: 'websocket' } };
    const missing = await call(`/api/v1/live/conversations/${id}`, upgrade);
    expect(missing.status).toBe(401);
    expect((await readError(missing)).code).toBe('INVALID_TICKET');
    const unknown = await call(`/api/v1/live/inbox?ticket=${'B'.repeat(43)}`, upgrade);
    expect(unknown.status).toBe(401);

    const { url } = await ticketFor(ticketPath(id), customer.accessToken);
    const plain = await call(socketPath(url));
    expect(plain.status).toBe(426);
    expect((await readError(plain)).code).toBe('UPGRADE_REQUIRED');
    // The plain request did not spend the ticket.
    (await connect(url)).socket.close(1000);
  });

  it('binds a ticket to its channel: it opens no other conversation', async () => {
    const mine = await conversationOf(customer);
    const theirs = await conversationOf(stranger);
    const { url } = await ticketFor(ticketPath(mine), customer.accessToken);
    const ticket = new URL(url).searchParams.get('ticket');
    const res = await call(`/api/v1/live/conversations/${theirs}?ticket=${ticket}`, {
      headers: { Upgrade: 'websocket' },
    });
    expect(res.status).toBe(401);
  });

  it('gives a stranger the same 404 as for a conversation that does not exist', async () => {
    const id = await conversationOf(customer);
    const res = await askTicket(ticketPath(id), stranger.accessToken);
    expect(res.status).toBe(404);
    expect((await readError(res)).code).toBe('NOT_FOUND');
  });

  it('gives guests tickets for their own conversations only', async () => {
    const guest = await startGuest(siteId);
    const other = await startGuest(siteId);
    const own = await conversationOf({ visitorId: guest.visitorId, siteId });
    const notOwn = await conversationOf({ visitorId: other.visitorId, siteId });
    const ticket = await ticketFor(ticketPath(own), guest.accessToken);
    (await connect(ticket.url)).socket.close(1000);
    expect((await askTicket(ticketPath(notOwn), guest.accessToken)).status).toBe(404);
    expect((await askTicket(ticketPath(own), customer.accessToken)).status).toBe(404);
  });

  it('lets operators follow guest conversations and handed-off ones, not an account holder’s other chats', async () => {
    const guest = await startGuest(siteId);
    const guestChat = await conversationOf({ visitorId: guest.visitorId, siteId });
    const waiting = await conversationOf(customer, 'waiting');
    const private_ = await conversationOf(customer, 'bot');
    (await connect((await ticketFor(ticketPath(guestChat), operator.accessToken)).url)).socket.close(1000);
    expect((await askTicket(ticketPath(waiting), operator.accessToken)).status).toBe(200);
    expect((await askTicket(ticketPath(private_), operator.accessToken)).status).toBe(404);
    // Following a customer's conversation is a read, and on record.
    const { results } = await env.DB.prepare(
      "SELECT target_id AS targetId FROM audit_events WHERE action = 'conversation_read' AND actor_id = ?",
    )
      .bind(operator.userId)
      .all<{ targetId: string }>();
    expect(results.map((r) => r.targetId)).toEqual(expect.arrayContaining([guestChat, waiting]));
    expect(results.map((r) => r.targetId)).not.toContain(private_);
  });

  it('keeps the inbox to operators', async () => {
    expect((await askTicket('/api/v1/inbox/live-ticket', customer.accessToken)).status).toBe(403);
    const guest = await startGuest(siteId);
    expect((await askTicket('/api/v1/inbox/live-ticket', guest.accessToken)).status).toBe(403);
    const { url } = await ticketFor('/api/v1/inbox/live-ticket', operator.accessToken);
    expect(new URL(url).pathname).toBe('/api/v1/live/inbox');
    (await connect(url)).socket.close(1000);
  });

  it('refuses API keys: tickets are for browsers', async () => {
    const id = await conversationOf(customer);
    const { key } = await createKey(customer, { scopes: ['chat:use'] });
    const res = await postJson(ticketPath(id), {}, { 'X-API-Key': key });
    expect(res.status).toBe(403);
    expect((await readError(res)).code).toBe('FORBIDDEN');
  });

  it('refuses a guest whose visitor record is gone by the time they connect', async () => {
    const guest = await startGuest(siteId);
    const id = await conversationOf({ visitorId: guest.visitorId, siteId });
    const { url } = await ticketFor(ticketPath(id), guest.accessToken);
    await env.DB.prepare('UPDATE visitors SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1000, guest.visitorId)
      .run();
    const res = await call(socketPath(url), { headers: { Upgrade: 'websocket' } });
    expect(res.status).toBe(401);
    expect((await readError(res)).code).toBe('UNAUTHORIZED');
  });
});
