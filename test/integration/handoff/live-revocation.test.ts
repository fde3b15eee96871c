import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { admissionOf } from '../../../src/modules/admission/admission.client';
import { conversationChannel, liveChannel } from '../../../src/modules/handoff/live/live.client';
import { changeAccountInD1 } from '../../helpers/accounts';
import { bearer, cookiePost, login, registerAndLogin, type Session } from '../../helpers/auth';
import { call, callerWith, readError } from '../../helpers/http';
import { closedWithin, connect, conversationOf, type LiveClient, socketPath, ticketFor } from '../../helpers/live';

const ticketPath = (id: string) => `/api/v1/conversations/${id}/live-ticket`;
const sidOf = (token: string) =>
  (JSON.parse(atob((token.split('.')[1] as string).replaceAll('-', '+').replaceAll('_', '/'))) as { sid: string }).sid;

let admin: Session;

beforeAll(async () => {
  admin = await registerAndLogin('admin');
});

/** The channels a user's admission object remembers live sockets on. */
const liveRecords = (userId: string) =>
  runInDurableObject(admissionOf(env.ADMISSION, userId), async (_, state) => [
    ...(await state.storage.list({ prefix: 'live:' })).keys(),
  ]);

/** Proves a socket is still open and served: it is sent an event published after the revocation. */
async function stillServed(client: LiveClient, conversationId: string) {
  const seq = await liveChannel(env.LIVE, conversationChannel(conversationId)).publish({
    type: 'state',
    conversationId,
    state: 'with_operator',
    assignedTo: null,
  });
  await client.next((m) => m.seq === seq);
  expect(client.isClosed()).toBe(false);
}

describe('live sockets end with their session', () => {
  it('closes the customer’s socket when they sign out, and leaves the operator’s open', async () => {
    const [customer, operator] = await Promise.all([registerAndLogin('user'), registerAndLogin('moderator')]);
    const id = await conversationOf(customer, 'waiting');
    const customerSide = await connect((await ticketFor(ticketPath(id), customer.accessToken)).url);
    const operatorSide = await connect((await ticketFor(ticketPath(id), operator.accessToken)).url);
    expect(await liveRecords(customer.userId)).toHaveLength(1);

    expect((await cookiePost('/api/v1/auth/logout', customer.refreshCookie)).status).toBe(204);
    const closed = await closedWithin(customerSide);
    expect(closed).toEqual({ code: 4401, reason: 'session ended' });
    await stillServed(operatorSide, id);
    expect(await liveRecords(customer.userId)).toHaveLength(0);
  });

  it('closes only the sockets of the session that was ended from another device', async () => {
    const customer = await registerAndLogin('user');
    const laptop = await login(customer.email, customer.password);
    const id = await conversationOf(customer, 'waiting');
    const phoneSide = await connect((await ticketFor(ticketPath(id), customer.accessToken)).url);
    const laptopSide = await connect((await ticketFor(ticketPath(id), laptop.accessToken)).url);

    const ended = await call(`/api/v1/users/me/sessions/${sidOf(customer.accessToken)}`, {
      method: 'DELETE',
      headers: bearer(laptop.accessToken),
    });
    expect(ended.status).toBe(204);
    expect((await closedWithin(phoneSide)).code).toBe(4401);
    await stillServed(laptopSide, id);
  });

  it('closes a moderator’s inbox socket when an admin deactivates them, or changes their role', async () => {
    const [deactivated, demoted] = await Promise.all([registerAndLogin('moderator'), registerAndLogin('moderator')]);
    const inboxOf = async (s: Session) => connect((await ticketFor('/api/v1/inbox/live-ticket', s.accessToken)).url);
    const [first, second] = await Promise.all([inboxOf(deactivated), inboxOf(demoted)]);

    const status = await call(`/api/v1/users/${deactivated.userId}/status`, {
      method: 'PATCH',
      headers: { ...bearer(admin.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ isActive: false }),
    });
    expect(status.status).toBe(200);
    expect((await closedWithin(first)).code).toBe(4401);
    expect(second.isClosed()).toBe(false);

    const role = await call(`/api/v1/users/${demoted.userId}/role`, {
      method: 'PATCH',
      headers: { ...bearer(admin.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'user' }),
    });
    expect(role.status).toBe(200);
    expect((await closedWithin(second)).code).toBe(4401);
  });

  it('closes the socket when admission itself finds the account over, even if the change’s notice never came', async () => {
    const moderator = await registerAndLogin('moderator');
    const socket = await connect((await ticketFor('/api/v1/inbox/live-ticket', moderator.accessToken)).url);
    // Deactivated behind the API's back (SQL console, a lost notice): nothing tells admission.
    await changeAccountInD1(moderator.userId, 'UPDATE users SET is_active = 0 WHERE id = ?', { tell: false });
    expect(socket.isClosed()).toBe(false);
    // The next request re-reads the account (no cached copy allowed here), is refused, and the socket goes with it.
    const fresh = callerWith({ ACCOUNT_RECHECK_SECONDS: '0' });
    expect((await fresh('/api/v1/users/me', { headers: bearer(moderator.accessToken) })).status).toBe(401);
    expect((await closedWithin(socket)).code).toBe(4401);
  });

  it('refuses to connect with a ticket whose session ended after it was issued', async () => {
    const customer = await registerAndLogin('user');
    const id = await conversationOf(customer);
    const { url } = await ticketFor(ticketPath(id), customer.accessToken);
    expect((await cookiePost('/api/v1/auth/logout', customer.refreshCookie)).status).toBe(204);
    const res = await call(socketPath(url), { headers: { Upgrade: 'websocket' } });
    expect(res.status).toBe(401);
    expect((await readError(res)).code).toBe('UNAUTHORIZED');
    expect(await liveRecords(customer.userId)).toHaveLength(0);
  });

  it('forgets a channel once its last socket for the session closes', async () => {
    const customer = await registerAndLogin('user');
    const id = await conversationOf(customer);
    const tabs = [
      await connect((await ticketFor(ticketPath(id), customer.accessToken)).url),
      await connect((await ticketFor(ticketPath(id), customer.accessToken)).url),
    ];
    expect(await liveRecords(customer.userId)).toHaveLength(1);
    tabs[0]?.socket.close(1000, 'bye');
    await stillServed(tabs[1] as LiveClient, id);
    expect(await liveRecords(customer.userId)).toHaveLength(1);
    tabs[1]?.socket.close(1000, 'bye');
    await expect.poll(() => liveRecords(customer.userId)).toHaveLength(0);
  });
});
