import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../../../src/config';
import { type HandoffContext, handoffContextFromEnv } from '../../../src/modules/handoff/handoff.context';
import { postSystemMessage } from '../../../src/modules/handoff/handoff.service';
import { conversationChannel, liveChannel } from '../../../src/modules/handoff/live/live.client';
import { handleWaitTimeout, NOBODY_THERE_TEXT } from '../../../src/modules/handoff/nobody-there';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { seedHandoff, seedMessage, seedSite, seedUser, seedVisitor } from '../../helpers/handoff-rows';
import { call, postJson } from '../../helpers/http';
import { mailsTo, settle, waitForMail } from '../../helpers/mail';

const SUPPORT_INBOX = 'support-inbox@example.com';

function context(): HandoffContext {
  return handoffContextFromEnv(env, getConfig(env), () => {});
}

const systemMessages = async (conversationId: string) =>
  (
    await env.DB.prepare("SELECT content FROM messages WHERE conversation_id = ? AND role = 'system'")
      .bind(conversationId)
      .all<{ content: string }>()
  ).results.map((r) => r.content);

const timedOutAt = (handoffId: string) =>
  env.DB.prepare('SELECT timed_out_at AS at FROM handoffs WHERE id = ?').bind(handoffId).first<number | null>('at');

/** Transcript mails for one conversation (titles are unique per test). */
const transcripts = async (title: string) => (await mailsTo(SUPPORT_INBOX)).filter((m) => m.subject.includes(title));

async function waitingHandoff(title: string) {
  const user = await seedUser('Ada Lovelace');
  const t0 = Date.UTC(2026, 10, 27, 9, 0);
  const seeded = await seedHandoff(
    { userId: user.id },
    { title, reason: 'Charged twice', contactEmail: null, requestedAt: Date.now() - 6 * 60_000 },
  );
  await seedMessage(seeded.conversationId, 'user', 'I was charged twice for order 1234.', t0);
  await seedMessage(seeded.conversationId, 'assistant', 'Let me get a person for you.', t0 + 1000);
  return { ...seeded, user };
}

describe('nobody claimed the handoff in time', () => {
  it('tells the customer in words, marks it timed out and mails the transcript to the support inbox', async () => {
    const title = `Double charge ${crypto.randomUUID()}`;
    const seeded = await waitingHandoff(title);

    await handleWaitTimeout(context(), seeded.conversationId, seeded.handoffId);

    expect(await systemMessages(seeded.conversationId)).toEqual([NOBODY_THERE_TEXT]);
    expect(NOBODY_THERE_TEXT).toMatch(/Leave your email/);
    // Clients offer the email field on what the notice is, not on how it is worded.
    const notice = await env.DB.prepare("SELECT notice FROM messages WHERE conversation_id = ? AND role = 'system'")
      .bind(seeded.conversationId)
      .first<{ notice: string | null }>('notice');
    expect(notice).toBe('nobody_available');
    expect(await timedOutAt(seeded.handoffId)).toBeGreaterThan(0);
    const [mail, ...more] = await transcripts(title);
    expect(more).toEqual([]);
    expect(mail?.subject).toMatch(/Nobody took this handoff/);
    const text = mail?.text ?? '';
    expect(text).toContain(`Ada Lovelace <${seeded.user.email}> (account ${seeded.user.id})`);
    expect(text).toContain('Reason: Charged twice');
    expect(text).toContain('Contact email: none left yet');
    expect(text).toContain(`/#/inbox/${seeded.conversationId}`);
    expect(text).toContain('[2026-11-27T09:00:00.000Z] Customer:\nI was charged twice for order 1234.');
    expect(text).toContain('[2026-11-27T09:00:01.000Z] Assistant:\nLet me get a person for you.');
    // The notice itself is in the transcript, last.
    expect(text.trimEnd().endsWith(NOBODY_THERE_TEXT)).toBe(true);
    expect(text).not.toContain('not-a-real-hash');
  });

  it('happens once: a second timeout for the same handoff changes nothing', async () => {
    const title = `Twice ${crypto.randomUUID()}`;
    const seeded = await waitingHandoff(title);
    await handleWaitTimeout(context(), seeded.conversationId, seeded.handoffId);
    const first = await timedOutAt(seeded.handoffId);
    await handleWaitTimeout(context(), seeded.conversationId, seeded.handoffId);
    await settle(100);
    expect(await systemMessages(seeded.conversationId)).toHaveLength(1);
    expect(await timedOutAt(seeded.handoffId)).toBe(first);
    expect(await transcripts(title)).toHaveLength(1);
  });

  it('still tells the customer when no support inbox is configured, and mails nobody', async () => {
    const title = `No inbox ${crypto.randomUUID()}`;
    const seeded = await waitingHandoff(title);
    const base = context();
    const ctx = {
      ...base,
      config: { ...base.config, handoff: { ...base.config.handoff, supportInboxEmail: undefined } },
    };
    await handleWaitTimeout(ctx, seeded.conversationId, seeded.handoffId);
    await settle(100);
    expect(await systemMessages(seeded.conversationId)).toEqual([NOBODY_THERE_TEXT]);
    expect(await timedOutAt(seeded.handoffId)).toBeGreaterThan(0);
    expect(await transcripts(title)).toEqual([]);
  });

  it('does nothing for a handoff an operator claimed', async () => {
    const title = `Claimed ${crypto.randomUUID()}`;
    const user = await seedUser();
    const seeded = await seedHandoff({ userId: user.id }, { title, state: 'with_operator', claimedAt: Date.now() });
    await handleWaitTimeout(context(), seeded.conversationId, seeded.handoffId);
    await settle(100);
    expect(await systemMessages(seeded.conversationId)).toEqual([]);
    expect(await timedOutAt(seeded.handoffId)).toBeNull();
    expect(await transcripts(title)).toEqual([]);
  });

  it('posts no notice when an operator claims between the time-out and the notice', async () => {
    const user = await seedUser();
    const seeded = await seedHandoff({ userId: user.id }, { state: 'with_operator', claimedAt: Date.now() });
    const posted = await postSystemMessage(
      context(),
      seeded.conversationId,
      NOBODY_THERE_TEXT,
      'nobody_available',
      seeded.handoffId,
    );
    expect(posted).toBeUndefined();
    expect(await systemMessages(seeded.conversationId)).toEqual([]);
    // The same notice while the handoff still waits is posted.
    const waiting = await seedHandoff({ userId: user.id });
    const told = await postSystemMessage(
      context(),
      waiting.conversationId,
      NOBODY_THERE_TEXT,
      'nobody_available',
      waiting.handoffId,
    );
    expect(told).toMatchObject({ role: 'system', notice: 'nobody_available' });
  });

  it('does nothing for a timer that outlived its handoff (resolved, or replaced by a newer one)', async () => {
    const user = await seedUser();
    const resolvedTitle = `Resolved ${crypto.randomUUID()}`;
    const resolved = await seedHandoff({ userId: user.id }, { title: resolvedTitle, state: 'resolved' });
    await handleWaitTimeout(context(), resolved.conversationId, resolved.handoffId);

    const replacedTitle = `Replaced ${crypto.randomUUID()}`;
    const replaced = await seedHandoff({ userId: user.id }, { title: replacedTitle });
    await env.DB.prepare('UPDATE conversations SET handoff_id = ? WHERE id = ?')
      .bind(crypto.randomUUID(), replaced.conversationId)
      .run();
    await handleWaitTimeout(context(), replaced.conversationId, replaced.handoffId);

    await settle(100);
    for (const seeded of [resolved, replaced]) {
      expect(await systemMessages(seeded.conversationId)).toEqual([]);
      expect(await timedOutAt(seeded.handoffId)).toBeNull();
    }
    expect(await transcripts(resolvedTitle)).toEqual([]);
    expect(await transcripts(replacedTitle)).toEqual([]);
  });

  it('fires from the conversation’s live channel alarm', async () => {
    const title = `Alarm ${crypto.randomUUID()}`;
    const seeded = await waitingHandoff(title);
    const channel = liveChannel(env.LIVE, conversationChannel(seeded.conversationId));
    await channel.scheduleWaitTimeout(seeded.conversationId, seeded.handoffId, Date.now() + 60_000);
    expect(await runDurableObjectAlarm(channel)).toBe(true);
    expect(await systemMessages(seeded.conversationId)).toEqual([NOBODY_THERE_TEXT]);
    expect(await transcripts(title)).toHaveLength(1);
    // The notice went out live too.
    const events = await channel.eventsAfter(0);
    expect(events.some((e) => e.type === 'message' && e.message.content === NOBODY_THERE_TEXT)).toBe(true);
  });

  it('names a guest by their site and signed identity, and keeps the transcript bounded', async () => {
    const siteId = await seedSite('Boutique Nord');
    const visitorId = await seedVisitor(siteId);
    const title = `Guest ${crypto.randomUUID()}`;
    const seeded = await seedHandoff(
      { visitorId, siteId, customerId: 'cust-7', customerEmail: 'grace@example.com' },
      { title, contactEmail: 'grace.home@example.com', trigger: 'assistant' },
    );
    const t0 = Date.UTC(2026, 10, 1);
    await seedMessage(seeded.conversationId, 'user', 'the very first message', t0);
    for (let i = 1; i <= 205; i++) await seedMessage(seeded.conversationId, 'user', `message ${i}`, t0 + i * 1000);
    await seedMessage(seeded.conversationId, 'user', 'y'.repeat(10_000), t0 + 999_000);
    await seedMessage(seeded.conversationId, 'operator', 'Hello, Ana here.', t0 + 999_500, {
      id: null,
      name: 'Ana',
      role: 'moderator',
    });

    await handleWaitTimeout(context(), seeded.conversationId, seeded.handoffId);
    const [mail] = await transcripts(title);
    const text = mail?.text ?? '';
    expect(text).toContain(`Site: Boutique Nord (${siteId})`);
    expect(text).toContain(
      `website visitor ${visitorId} (signed by the site: customer id cust-7, email grace@example.com)`,
    );
    expect(text).toContain('Contact email: grace.home@example.com');
    expect(text).toContain('Asked by: assistant');
    expect(text).toContain('Ana (operator):\nHello, Ana here.');
    expect(text).toMatch(/\(\d+ earlier messages not included\)/);
    expect(text).not.toContain('the very first message');
    expect(text).not.toContain('y'.repeat(4001));
    expect(text.length).toBeLessThan(40_000);
  });

  it('end to end: the handoff’s own timer tells the customer, who leaves an address that is forwarded', async () => {
    const customer = await registerAndLogin('user');
    const title = `End to end ${crypto.randomUUID()}`;
    const { conversationId } = await seedHandoff({ userId: customer.userId }, { state: 'bot', title });
    const asked = await postJson(`/api/v1/conversations/${conversationId}/handoff`, {}, bearer(customer.accessToken));
    expect(asked.status).toBe(200);

    const channel = liveChannel(env.LIVE, conversationChannel(conversationId));
    expect(await runDurableObjectAlarm(channel)).toBe(true);
    const view = await call(`/api/v1/conversations/${conversationId}`, { headers: bearer(customer.accessToken) });
    const { messages, conversation } = (await view.json()) as {
      conversation: { state: string };
      messages: { role: string; content: string }[];
    };
    expect(conversation.state).toBe('waiting');
    expect(messages.at(-1)).toMatchObject({ role: 'system', content: NOBODY_THERE_TEXT });
    expect(await transcripts(title)).toHaveLength(1);

    const since = Date.now();
    const left = await postJson(
      `/api/v1/conversations/${conversationId}/contact`,
      { email: 'ada.later@example.com' },
      bearer(customer.accessToken),
    );
    expect(await left.json()).toEqual({ contactEmail: 'ada.later@example.com', forwarded: true });
    const followUp = await waitForMail(SUPPORT_INBOX, /Contact email left/, since);
    expect(followUp.subject).toContain(title);
    expect(followUp.text).toContain(NOBODY_THERE_TEXT);
  });
});
