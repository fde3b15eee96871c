import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LiveEventBody } from '../../../src/modules/handoff/handoff.types';
import { conversationChannel, INBOX_CHANNEL, liveChannel } from '../../../src/modules/handoff/live/live.client';
import { bearer, registerAndLogin, type Session } from '../../helpers/auth';
import { postJson } from '../../helpers/http';
import { closedWithin, connect, conversationOf, type LiveClient, ticketFor } from '../../helpers/live';

const ticketPath = (id: string) => `/api/v1/conversations/${id}/live-ticket`;

let customer: Session;
let operator: Session;

beforeAll(async () => {
  [customer, operator] = await Promise.all([registerAndLogin('user'), registerAndLogin('moderator')]);
  await env.DB.prepare('UPDATE users SET full_name = ? WHERE id = ?').bind('Olga Operator', operator.userId).run();
});

const stateEvent = (conversationId: string, state: 'waiting' | 'with_operator'): LiveEventBody => ({
  type: 'state',
  conversationId,
  state,
  assignedTo: null,
});

const publish = (id: string, body: LiveEventBody) => liveChannel(env.LIVE, conversationChannel(id)).publish(body);

/** Both sides of one handed-off conversation, connected. */
async function bothSides(): Promise<{ id: string; customerSide: LiveClient; operatorSide: LiveClient }> {
  const id = await conversationOf(customer, 'waiting');
  const customerSide = await connect((await ticketFor(ticketPath(id), customer.accessToken)).url);
  const operatorSide = await connect((await ticketFor(ticketPath(id), operator.accessToken)).url);
  return { id, customerSide, operatorSide };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live events', () => {
  it('sends every connected client each published event, seq increasing', async () => {
    const { id, customerSide, operatorSide } = await bothSides();
    const first = await publish(id, stateEvent(id, 'waiting'));
    const second = await publish(id, stateEvent(id, 'with_operator'));
    expect(second).toBe(first + 1);
    for (const side of [customerSide, operatorSide]) {
      await side.next((m) => m.seq === second);
      expect(side.received.map((m) => [m.seq, m.state])).toEqual([
        [first, 'waiting'],
        [second, 'with_operator'],
      ]);
    }
  });

  it('gives a client that reconnects with `after` exactly the events it missed, then live ones', async () => {
    const id = await conversationOf(customer, 'waiting');
    const ticket = await ticketFor(ticketPath(id), customer.accessToken);
    expect(ticket.seq).toBe(0);
    const seen = await publish(id, stateEvent(id, 'waiting'));
    const missed = [
      await publish(id, stateEvent(id, 'with_operator')),
      await publish(id, { type: 'typing', conversationId: id, from: 'operator' }),
      await publish(id, stateEvent(id, 'waiting')),
    ];
    const again = await ticketFor(ticketPath(id), customer.accessToken);
    expect(again.seq).toBe(missed[2]);
    const client = await connect(again.url, seen);
    await client.next((m) => m.seq === missed[2]);
    const live = await publish(id, stateEvent(id, 'with_operator'));
    await client.next((m) => m.seq === live);
    // Typing is not kept: a reconnecting client is sent the stored events only.
    expect(client.received.map((m) => m.seq)).toEqual([missed[0], missed[2], live]);
  });

  it('sends a reset when `after` is older than what the channel keeps, or unknown to it', async () => {
    const id = await conversationOf(customer, 'waiting');
    const channel = liveChannel(env.LIVE, conversationChannel(id));
    let last = 0;
    for (let i = 0; i < 502; i++) last = await channel.publish(stateEvent(id, 'waiting'));
    const old = await connect((await ticketFor(ticketPath(id), customer.accessToken)).url, 1);
    expect(await old.next()).toEqual({ type: 'reset', seq: last });
    const recent = await connect((await ticketFor(ticketPath(id), customer.accessToken)).url, last - 3);
    await recent.next((m) => m.seq === last);
    expect(recent.received.map((m) => m.seq)).toEqual([last - 2, last - 1, last]);
    const future = await connect((await ticketFor(ticketPath(id), customer.accessToken)).url, last + 10);
    expect(await future.next()).toEqual({ type: 'reset', seq: last });
  });

  it('relays typing to the other side, named for operators, at most once per 2 seconds per socket', async () => {
    const { id, customerSide, operatorSide } = await bothSides();
    operatorSide.socket.send(JSON.stringify({ type: 'typing' }));
    const typing = await customerSide.next((m) => m.type === 'typing');
    expect(typing).toMatchObject({ type: 'typing', conversationId: id, from: 'operator', name: 'Olga Operator' });

    customerSide.socket.send(JSON.stringify({ type: 'typing' }));
    customerSide.socket.send(JSON.stringify({ type: 'typing' }));
    const fromCustomer = await operatorSide.next((m) => m.type === 'typing');
    expect(fromCustomer).toMatchObject({ type: 'typing', from: 'customer' });
    expect(fromCustomer.name).toBeUndefined();
    // The second notice inside 2 s is dropped, and nobody is sent their own notice.
    const marker = await publish(id, stateEvent(id, 'with_operator'));
    await operatorSide.next((m) => m.seq === marker);
    await customerSide.next((m) => m.seq === marker);
    expect(operatorSide.received.filter((m) => m.type === 'typing')).toHaveLength(1);
    expect(customerSide.received.filter((m) => m.type === 'typing' && m.from === 'customer')).toHaveLength(0);
  });

  it('ignores unknown message types, and closes with 1008 on oversized, binary or non-JSON messages', async () => {
    const { id, customerSide } = await bothSides();
    customerSide.socket.send(JSON.stringify({ type: 'message', text: 'customers post their messages instead' }));
    const marker = await publish(id, stateEvent(id, 'waiting'));
    await customerSide.next((m) => m.seq === marker);
    expect(customerSide.isClosed()).toBe(false);

    customerSide.socket.send(JSON.stringify({ type: 'typing', pad: 'x'.repeat(1100) }));
    expect((await closedWithin(customerSide)).code).toBe(1008);

    const second = await bothSides();
    second.customerSide.socket.send(new Uint8Array([1, 2, 3]));
    expect((await closedWithin(second.customerSide)).code).toBe(1008);
    second.operatorSide.socket.send('not json');
    expect((await closedWithin(second.operatorSide)).code).toBe(1008);
  });

  it('answers ping with pong', async () => {
    const { customerSide } = await bothSides();
    customerSide.socket.send('ping');
    expect(await customerSide.next((m) => m.text === 'pong')).toEqual({ text: 'pong' });
    expect(customerSide.isClosed()).toBe(false);
  });

  it('carries inbox events to operators', async () => {
    const inbox = await connect((await ticketFor('/api/v1/inbox/live-ticket', operator.accessToken)).url);
    const id = crypto.randomUUID();
    const seq = await liveChannel(env.LIVE, INBOX_CHANNEL).publish(stateEvent(id, 'waiting'));
    expect(await inbox.next((m) => m.seq === seq)).toMatchObject({ type: 'state', conversationId: id });
    inbox.socket.send(JSON.stringify({ type: 'typing' }));
    await pause(50);
    expect(inbox.isClosed()).toBe(false);
  });
});

describe('handoff events reach the sockets', () => {
  it('shows a customer’s request for a person on their socket and in the operators’ inbox', async () => {
    const id = await conversationOf(customer);
    const customerSide = await connect((await ticketFor(ticketPath(id), customer.accessToken)).url);
    const inbox = await connect((await ticketFor('/api/v1/inbox/live-ticket', operator.accessToken)).url);
    const res = await postJson(
      `/api/v1/conversations/${id}/handoff`,
      { reason: 'billing' },
      bearer(customer.accessToken),
    );
    expect(res.status).toBe(200);
    expect(await customerSide.next((m) => m.type === 'state')).toMatchObject({ conversationId: id, state: 'waiting' });
    expect(await inbox.next((m) => m.type === 'state' && m.conversationId === id)).toMatchObject({ state: 'waiting' });
  });
});

describe('the wait timer', () => {
  const timerOf = (id: string) =>
    runInDurableObject(liveChannel(env.LIVE, conversationChannel(id)), async (_, state) => ({
      alarm: await state.storage.getAlarm(),
      timer: await state.storage.get('waitTimer'),
    }));

  it('is the conversation channel’s alarm, dropped once the alarm ran', async () => {
    const id = await conversationOf(customer, 'waiting');
    const channel = liveChannel(env.LIVE, conversationChannel(id));
    const atMs = Date.now() + 120_000;
    await channel.scheduleWaitTimeout(id, 'handoff-1', atMs);
    expect(await timerOf(id)).toEqual({ alarm: atMs, timer: { conversationId: id, handoffId: 'handoff-1' } });
    expect(await runDurableObjectAlarm(channel)).toBe(true);
    expect(await timerOf(id)).toEqual({ alarm: null, timer: undefined });
  });

  it('is replaced by a newer handoff’s and can be cancelled', async () => {
    const id = await conversationOf(customer, 'waiting');
    const channel = liveChannel(env.LIVE, conversationChannel(id));
    await channel.scheduleWaitTimeout(id, 'handoff-1', Date.now() + 60_000);
    const atMs = Date.now() + 90_000;
    await channel.scheduleWaitTimeout(id, 'handoff-2', atMs);
    expect(await timerOf(id)).toEqual({ alarm: atMs, timer: { conversationId: id, handoffId: 'handoff-2' } });
    await channel.cancelWaitTimeout();
    expect(await timerOf(id)).toEqual({ alarm: null, timer: undefined });
  });
});
