import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bearer, registerAndLogin, type Session } from '../../helpers/auth';
import { readSse } from '../../helpers/chat';
import { createSite, startGuest, useGuestFakes } from '../../helpers/guest';
import { call, callerWith, postJson, readError } from '../../helpers/http';

type Transition = { conversation: { id: string; state: string }; item: Record<string, unknown> | null };

const post = (path: string, token: string, body: unknown = {}) => postJson(path, body, bearer(token));

/** A guest on a fresh site with one answered message: their token and the conversation id. */
async function guestConversation(message = 'Where is my order?') {
  const { site } = await createSite({ name: 'Handoff shop' });
  const guest = await startGuest(site.id);
  const res = await post('/api/v1/chat', guest.accessToken, { message, stream: false });
  expect(res.status).toBe(200);
  const { conversationId } = (await res.json()) as { conversationId: string };
  return { site, guest, conversationId };
}

async function stateOf(conversationId: string) {
  return env.DB.prepare(
    'SELECT state, assigned_to AS assignedTo, handoff_id AS handoffId FROM conversations WHERE id = ?',
  )
    .bind(conversationId)
    .first<{ state: string; assignedTo: string | null; handoffId: string | null }>();
}

async function auditActions(targetId: string) {
  const { results } = await env.DB.prepare(
    'SELECT action, actor_id AS actorId FROM audit_events WHERE target_id = ? ORDER BY created_at',
  )
    .bind(targetId)
    .all<{ action: string; actorId: string | null }>();
  return results;
}

/** Audit rows are written in the background (waitUntil); give them a moment. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 3_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A handoff's one model call is its summary for the operators, in the background: waits until it has landed. */
async function summaryWritten(conversationId: string) {
  await expect
    .poll(async () => {
      const row = await env.DB.prepare('SELECT summary FROM handoffs WHERE conversation_id = ?')
        .bind(conversationId)
        .first<{ summary: string | null }>();
      return row?.summary;
    })
    .toEqual(expect.any(String));
}

describe('human handoff', { timeout: 30_000 }, () => {
  it('a customer asks for a person: waiting, listed in the inbox with reason, site and identity; asking twice is 409', async () => {
    useGuestFakes();
    const { site, guest, conversationId } = await guestConversation();
    const operator = await registerAndLogin('moderator');

    const asked = await post(`/api/v1/conversations/${conversationId}/handoff`, guest.accessToken, {
      reason: 'I was charged twice',
      email: 'me@customer.example',
    });
    expect(asked.status).toBe(200);
    const body = (await asked.json()) as Transition;
    expect(body.conversation).toMatchObject({ id: conversationId, state: 'waiting' });
    expect(body.item).toMatchObject({
      trigger: 'customer',
      reason: 'I was charged twice',
      contactEmail: 'me@customer.example',
    });

    const again = await post(`/api/v1/conversations/${conversationId}/handoff`, guest.accessToken);
    expect(again.status).toBe(409);
    expect((await readError(again)).code).toBe('CONVERSATION_STATE');

    const inbox = await call('/api/v1/inbox', { headers: bearer(operator.accessToken) });
    expect(inbox.status).toBe(200);
    const lists = (await inbox.json()) as { waiting: Record<string, unknown>[] };
    const item = lists.waiting.find((i) => i.conversationId === conversationId);
    expect(item).toMatchObject({
      state: 'waiting',
      site: { id: site.id, name: 'Handoff shop' },
      customer: { kind: 'guest', visitorId: guest.visitorId },
      reason: 'I was charged twice',
      timedOut: false,
      assignedTo: null,
    });
    expect(item?.waitSeconds).toBeGreaterThanOrEqual(0);
  });

  it('while a person has the conversation the model is silent: 202, stored, never sent to DeepSeek', async () => {
    const { deepseek } = useGuestFakes();
    const { guest, conversationId } = await guestConversation();
    const operator = await registerAndLogin('moderator');
    expect((await post(`/api/v1/conversations/${conversationId}/handoff`, guest.accessToken)).status).toBe(200);
    await summaryWritten(conversationId);
    const calls = deepseek.stats.requests;

    const waiting = await post('/api/v1/chat', guest.accessToken, { message: 'Hello? Anyone?', conversationId });
    expect(waiting.status).toBe(202);
    const held = (await waiting.json()) as { conversationId: string; messageId: string; state: string };
    expect(held).toMatchObject({ conversationId, state: 'waiting' });

    expect((await post(`/api/v1/conversations/${conversationId}/claim`, operator.accessToken)).status).toBe(200);
    const withOperator = await post('/api/v1/chat', guest.accessToken, {
      message: 'Thanks for taking this',
      conversationId,
      stream: false,
    });
    expect(withOperator.status).toBe(202);
    expect(await withOperator.json()).toMatchObject({ conversationId, state: 'with_operator' });
    expect(deepseek.stats.requests).toBe(calls);

    const read = await call(`/api/v1/inbox/conversations/${conversationId}`, { headers: bearer(operator.accessToken) });
    expect(read.status).toBe(200);
    const { messages } = (await read.json()) as { messages: { id: string; role: string; content: string }[] };
    expect(messages.map((m) => m.content)).toEqual(
      expect.arrayContaining(['Hello? Anyone?', 'Thanks for taking this']),
    );
    expect(messages.find((m) => m.id === held.messageId)).toMatchObject({ role: 'user' });
  });

  it('a customer who spent their daily messages on the assistant still reaches the person they asked for', async () => {
    const { deepseek } = useGuestFakes();
    const ask = callerWith({ CHAT_DAILY_MESSAGES: 'viewer:0,user:1,moderator:1000,admin:5000' });
    const customer = await registerAndLogin('user');
    const send = (path: string, body: unknown) =>
      ask(path, {
        method: 'POST',
        headers: { ...bearer(customer.accessToken), 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await send('/api/v1/chat', { message: 'Where is my parcel?', stream: false });
    expect(first.status).toBe(200);
    const { conversationId } = (await first.json()) as { conversationId: string };
    const spent = await send('/api/v1/chat', { message: 'Hello again', conversationId, stream: false });
    expect(spent.status).toBe(429);
    expect((await readError(spent)).code).toBe('MESSAGE_QUOTA_EXCEEDED');

    expect((await send(`/api/v1/conversations/${conversationId}/handoff`, {})).status).toBe(200);
    const calls = deepseek.stats.requests;
    const held = await send('/api/v1/chat', { message: 'Are you there?', conversationId });
    expect(held.status).toBe(202);
    expect(await held.json()).toMatchObject({ conversationId, state: 'waiting' });
    expect(deepseek.stats.requests).toBe(calls);
  });

  it('two operators claim at once: exactly one wins, the other gets 409 ALREADY_CLAIMED and cannot reply', async () => {
    useGuestFakes();
    const { guest, conversationId } = await guestConversation();
    const [ana, ben] = await Promise.all([registerAndLogin('moderator'), registerAndLogin('admin')]);
    await post(`/api/v1/conversations/${conversationId}/handoff`, guest.accessToken);

    const results = await Promise.all(
      [ana, ben].map((op) => post(`/api/v1/conversations/${conversationId}/claim`, op.accessToken)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    const loserIndex = results.findIndex((r) => r.status === 409);
    expect((await readError(results[loserIndex] as Response)).code).toBe('ALREADY_CLAIMED');
    const winner = [ana, ben][1 - loserIndex] as Session;
    const loser = [ana, ben][loserIndex] as Session;
    expect(await stateOf(conversationId)).toMatchObject({ state: 'with_operator', assignedTo: winner.userId });

    const lost = await post(`/api/v1/conversations/${conversationId}/messages`, loser.accessToken, { text: 'Me too' });
    expect(lost.status).toBe(409);
    expect((await readError(lost)).code).toBe('ALREADY_CLAIMED');
    // Claiming what you already hold changes nothing.
    expect((await post(`/api/v1/conversations/${conversationId}/claim`, winner.accessToken)).status).toBe(200);
  });

  it('an operator reply is stored with their name and role label and shown to the customer', async () => {
    useGuestFakes();
    const { guest, conversationId } = await guestConversation();
    const operator = await registerAndLogin('moderator');
    await env.DB.prepare("UPDATE users SET full_name = 'Ana Ops' WHERE id = ?").bind(operator.userId).run();
    await post(`/api/v1/conversations/${conversationId}/handoff`, guest.accessToken);

    const early = await post(`/api/v1/conversations/${conversationId}/messages`, operator.accessToken, { text: 'Hi' });
    expect(early.status).toBe(409);
    expect((await readError(early)).code).toBe('CONVERSATION_STATE');

    await post(`/api/v1/conversations/${conversationId}/claim`, operator.accessToken);
    for (const text of ['', '   ']) {
      const empty = await post(`/api/v1/conversations/${conversationId}/messages`, operator.accessToken, { text });
      expect(empty.status).toBe(400);
    }
    const sent = await post(`/api/v1/conversations/${conversationId}/messages`, operator.accessToken, {
      text: 'Hi, I can see the double charge.',
    });
    expect(sent.status).toBe(201);
    expect(await sent.json()).toMatchObject({
      message: {
        role: 'operator',
        content: 'Hi, I can see the double charge.',
        author: { name: 'Ana Ops', role: 'moderator' },
      },
    });

    const mine = await call(`/api/v1/conversations/${conversationId}`, { headers: bearer(guest.accessToken) });
    const view = (await mine.json()) as {
      conversation: { state: string };
      messages: { role: string; author: unknown }[];
    };
    expect(view.conversation.state).toBe('with_operator');
    expect(view.messages.at(-1)).toMatchObject({ role: 'operator', author: { name: 'Ana Ops', role: 'moderator' } });
  });

  it('resolve, then the customer writes again: the assistant answers and the conversation is the bot’s again', async () => {
    const { deepseek } = useGuestFakes();
    const { guest, conversationId } = await guestConversation();
    const operator = await registerAndLogin('moderator');
    await post(`/api/v1/conversations/${conversationId}/handoff`, guest.accessToken);
    await summaryWritten(conversationId);
    await post(`/api/v1/conversations/${conversationId}/claim`, operator.accessToken);

    const resolved = await post(`/api/v1/conversations/${conversationId}/resolve`, operator.accessToken);
    expect(resolved.status).toBe(200);
    expect(((await resolved.json()) as Transition).conversation.state).toBe('resolved');
    for (const move of ['resolve', 'release', 'claim']) {
      const illegal = await post(`/api/v1/conversations/${conversationId}/${move}`, operator.accessToken);
      expect(illegal.status, move).toBe(409);
      expect((await readError(illegal)).code, move).toBe('CONVERSATION_STATE');
    }

    const calls = deepseek.stats.requests;
    const again = await post('/api/v1/chat', guest.accessToken, { message: 'One more question', conversationId });
    expect(again.status).toBe(200);
    const events = await readSse(again);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { state: 'bot' } });
    expect(deepseek.stats.requests).toBe(calls + 1);
    expect((await stateOf(conversationId))?.state).toBe('bot');
  });

  it('release hands a conversation back to the assistant; only its holder may, and bot → bot is 409', async () => {
    useGuestFakes();
    const { guest, conversationId } = await guestConversation();
    const [holder, other] = await Promise.all([registerAndLogin('moderator'), registerAndLogin('moderator')]);
    await post(`/api/v1/conversations/${conversationId}/handoff`, guest.accessToken);
    await post(`/api/v1/conversations/${conversationId}/claim`, holder.accessToken);

    const notYours = await post(`/api/v1/conversations/${conversationId}/release`, other.accessToken);
    expect(notYours.status).toBe(409);
    expect((await readError(notYours)).code).toBe('ALREADY_CLAIMED');
    const released = await post(`/api/v1/conversations/${conversationId}/release`, holder.accessToken);
    expect(released.status).toBe(200);
    expect(await stateOf(conversationId)).toMatchObject({ state: 'bot', assignedTo: null });
    const twice = await post(`/api/v1/conversations/${conversationId}/release`, holder.accessToken);
    expect(twice.status).toBe(409);
    expect((await readError(twice)).code).toBe('CONVERSATION_STATE');

    const actions = await eventually(
      () => auditActions(conversationId),
      (rows) => rows.some((r) => r.action === 'handoff_release'),
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        { action: 'handoff_claim', actorId: holder.userId },
        { action: 'handoff_release', actorId: holder.userId },
      ]),
    );
  });

  it('a conversation whose operator is gone (deactivated, demoted, deleted) can be taken or ended by another', async () => {
    useGuestFakes();
    const [first, second] = await Promise.all([registerAndLogin('moderator'), registerAndLogin('moderator')]);
    const gone = async (how: string) => {
      const { guest, conversationId } = await guestConversation();
      const holder = await registerAndLogin('moderator');
      await post(`/api/v1/conversations/${conversationId}/handoff`, guest.accessToken);
      expect((await post(`/api/v1/conversations/${conversationId}/claim`, holder.accessToken)).status).toBe(200);
      // While the holder is there, nobody else may take it.
      const taken = await post(`/api/v1/conversations/${conversationId}/claim`, first.accessToken);
      expect((await readError(taken)).code).toBe('ALREADY_CLAIMED');
      await env.DB.prepare(how).bind(holder.userId).run();
      return conversationId;
    };
    const deactivated = await gone('UPDATE users SET is_active = 0 WHERE id = ?');
    expect((await post(`/api/v1/conversations/${deactivated}/claim`, first.accessToken)).status).toBe(200);
    expect(await stateOf(deactivated)).toMatchObject({ state: 'with_operator', assignedTo: first.userId });
    const demoted = await gone("UPDATE users SET role = 'user' WHERE id = ?");
    expect((await post(`/api/v1/conversations/${demoted}/resolve`, second.accessToken)).status).toBe(200);
    const deleted = await gone('DELETE FROM users WHERE id = ?');
    expect(await stateOf(deleted)).toMatchObject({ state: 'with_operator', assignedTo: null });
    expect((await post(`/api/v1/conversations/${deleted}/release`, second.accessToken)).status).toBe(200);
    expect((await stateOf(deleted))?.state).toBe('bot');
  });

  it('an operator may take over a guest conversation the assistant is answering', async () => {
    const { deepseek } = useGuestFakes();
    const { guest, conversationId } = await guestConversation();
    const operator = await registerAndLogin('admin');
    const taken = await post(`/api/v1/conversations/${conversationId}/claim`, operator.accessToken);
    expect(taken.status).toBe(200);
    expect(((await taken.json()) as Transition).item).toMatchObject({
      state: 'with_operator',
      trigger: 'operator',
      assignedTo: { id: operator.userId, role: 'admin' },
    });
    const calls = deepseek.stats.requests;
    const held = await post('/api/v1/chat', guest.accessToken, { message: 'Oh, a person!', conversationId });
    expect(held.status).toBe(202);
    expect(deepseek.stats.requests).toBe(calls);
  });

  it('operators never see a signed-in customer’s conversations unless handed off; every operator read is audited', async () => {
    useGuestFakes();
    const customer = await registerAndLogin('user');
    const operator = await registerAndLogin('moderator');
    const res = await post('/api/v1/chat', customer.accessToken, { message: 'Private question', stream: false });
    const { conversationId } = (await res.json()) as { conversationId: string };

    for (const path of [`/api/v1/inbox/conversations/${conversationId}`]) {
      expect((await call(path, { headers: bearer(operator.accessToken) })).status).toBe(404);
    }
    for (const move of ['claim', 'resolve', 'release']) {
      const refused = await post(`/api/v1/conversations/${conversationId}/${move}`, operator.accessToken);
      expect(refused.status, move).toBe(404);
    }
    const inbox = await (await call('/api/v1/inbox', { headers: bearer(operator.accessToken) })).text();
    expect(inbox).not.toContain(conversationId);
    // Reading the inbox (titles, reasons, summaries) is on record too.
    const { results: inboxReads } = await env.DB.prepare(
      "SELECT actor_id AS actorId FROM audit_events WHERE action = 'inbox_read' AND actor_id = ?",
    )
      .bind(operator.userId)
      .all<{ actorId: string }>();
    expect(inboxReads).toHaveLength(1);

    expect((await post(`/api/v1/conversations/${conversationId}/handoff`, customer.accessToken)).status).toBe(200);
    const read = await call(`/api/v1/inbox/conversations/${conversationId}`, { headers: bearer(operator.accessToken) });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ item: { customer: { kind: 'account', userId: customer.userId } } });
    const actions = await auditActions(conversationId);
    expect(actions).toContainEqual({ action: 'conversation_read', actorId: operator.userId });
  });

  it('only owners ask for a person and only operators run the inbox', async () => {
    useGuestFakes();
    const { conversationId } = await guestConversation();
    const stranger = await registerAndLogin('user');
    const notTheirs = await post(`/api/v1/conversations/${conversationId}/handoff`, stranger.accessToken);
    expect(notTheirs.status).toBe(404);
    expect((await call('/api/v1/inbox', { headers: bearer(stranger.accessToken) })).status).toBe(403);
    expect((await post(`/api/v1/conversations/${conversationId}/claim`, stranger.accessToken)).status).toBe(403);
    expect((await call('/api/v1/inbox')).status).toBe(401);
    const bad = await post(
      `/api/v1/conversations/${conversationId}/handoff`,
      (await startGuest((await createSite()).site.id)).accessToken,
      {
        email: 'not-an-email',
      },
    );
    expect(bad.status).toBe(400);
  });
});
