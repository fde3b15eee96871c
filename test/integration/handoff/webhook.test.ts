import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/app';
import { getConfig } from '../../../src/config';
import worker from '../../../src/index';
import { type HandoffContext, handoffContextFromEnv } from '../../../src/modules/handoff/handoff.context';
import type { HandoffEvent } from '../../../src/modules/handoff/webhook/handoff-event';
import { enqueueHandoffWebhook, type WebhookMessage } from '../../../src/modules/handoff/webhook/handoff-webhook';
import {
  handleWebhookBatch,
  WEBHOOK_DEAD_LETTER_QUEUE,
  WEBHOOK_QUEUE,
  webhookRetryDelaySeconds,
} from '../../../src/modules/handoff/webhook/webhook-delivery';
import { verifyHandoffSignature } from '../../../src/modules/handoff/webhook/webhook-signature';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { seedHandoff, seedSite, seedUser, seedVisitor } from '../../helpers/handoff-rows';
import { ORIGIN } from '../../helpers/http';
import { captureLogs, linesWith } from '../../helpers/logs';

const RECEIVER = 'https://receiver.example/hooks/handoff';
const SECRET = 'test-only-webhook-secret-0123456789abcdef';
const webhookVars = { HANDOFF_WEBHOOK_URL: RECEIVER, HANDOFF_WEBHOOK_SECRET: SECRET };

type Received = { body: string; headers: Headers; redirect: string };

/** The receiver at the network boundary: records each POST and answers with the next scripted status. */
function useReceiver(statuses: (number | 'hang')[] = [200], answer = 'ok') {
  const received: Received[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url !== RECEIVER) throw new Error(`Unexpected outbound fetch in a test: ${request.url}`);
    received.push({ body: await request.text(), headers: request.headers, redirect: request.redirect });
    const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
    if (status === 'hang') throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    return new Response(status === 204 ? null : answer, { status });
  });
  return received;
}

/** A webhook queue that records what is sent instead of delivering it. */
function recordingQueue(fail = false) {
  const sent: WebhookMessage[] = [];
  const queue = {
    send: async (message: WebhookMessage) => {
      if (fail) throw new Error('queue unavailable');
      sent.push(message);
    },
  } as unknown as Queue;
  return { sent, queue };
}

function contextWith(queue: Queue, webhook = true): HandoffContext {
  const vars = webhook ? { ...env, ...webhookVars } : { ...env };
  return handoffContextFromEnv({ ...vars, HANDOFF_WEBHOOKS: queue } as Env, getConfig(vars), () => {});
}

async function queuedEvent(handoffId: string) {
  const { sent, queue } = recordingQueue();
  await enqueueHandoffWebhook(contextWith(queue), handoffId);
  expect(sent).toHaveLength(1);
  return sent[0] as WebhookMessage;
}

const messageOf = (body: WebhookMessage, attempts = 1) => ({
  id: crypto.randomUUID(),
  timestamp: new Date(),
  attempts,
  body,
});

/**
 * Runs the Worker's own queue handler, configured with a webhook, on one batch. The plugin's queue
 * result does not keep retry delays, so they are read from the messages' retry calls.
 */
async function consume(queue: string, messages: ReturnType<typeof messageOf>[]) {
  const batch = createMessageBatch(queue, messages);
  const retries = batch.messages.map((message) => vi.spyOn(message, 'retry'));
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...webhookVars } as Env);
  const delays = retries.flatMap((spy) => spy.mock.calls.map(([options]) => options?.delaySeconds));
  return { ...(await getQueueResult(batch, ctx)), delays };
}

const nowSec = () => Math.floor(Date.now() / 1000);

describe('the handoff.requested body', () => {
  it('describes an account customer’s handoff from D1, with a link to the operator inbox and no secrets', async () => {
    const user = await seedUser('Ada Lovelace');
    const seeded = await seedHandoff(
      { userId: user.id },
      { reason: 'Wrong size', contactEmail: 'ada@example.com', requestedAt: Date.UTC(2026, 10, 27, 9, 30) },
    );
    const message = await queuedEvent(seeded.handoffId);
    const event = JSON.parse(message.body) as HandoffEvent;
    expect(message.eventId).toBe(seeded.handoffId);
    expect(event).toEqual({
      id: seeded.handoffId,
      event: 'handoff.requested',
      occurredAt: '2026-11-27T09:30:00.000Z',
      conversation: {
        id: seeded.conversationId,
        title: 'Where is my parcel?',
        url: `http://127.0.0.1:8787/#/inbox/${seeded.conversationId}`,
      },
      trigger: 'customer',
      reason: 'Wrong size',
      contactEmail: 'ada@example.com',
      site: null,
      customer: { type: 'account', id: user.id, name: 'Ada Lovelace' },
      summary: null,
    });
    expect(message.body).not.toContain('not-a-real-hash');
    expect(message.body).not.toContain(user.email);
  });

  it('names a guest by visitor id and the identity their site signed, never the site’s identity secret', async () => {
    const siteId = await seedSite('Boutique');
    const visitorId = await seedVisitor(siteId);
    const seeded = await seedHandoff(
      { visitorId, siteId, customerId: 'cust-42', customerEmail: 'grace@example.com' },
      { trigger: 'assistant', reason: null },
    );
    const event = JSON.parse((await queuedEvent(seeded.handoffId)).body) as HandoffEvent;
    expect(event.site).toEqual({ id: siteId, name: 'Boutique' });
    expect(event.trigger).toBe('assistant');
    expect(event.reason).toBeNull();
    expect(event.customer).toEqual({
      type: 'guest',
      visitorId,
      identity: { id: 'cust-42', email: 'grace@example.com' },
    });
    expect(JSON.stringify(event)).not.toContain('site-secret-never-sent');
    expect(JSON.stringify(event)).not.toContain(`hash-${visitorId}`);

    const anonymous = await seedHandoff({ visitorId: await seedVisitor(siteId), siteId });
    const unsigned = JSON.parse((await queuedEvent(anonymous.handoffId)).body) as HandoffEvent;
    expect(unsigned.customer).toMatchObject({ type: 'guest', identity: null });
  });

  it('queues nothing when no webhook is configured', async () => {
    const user = await seedUser();
    const seeded = await seedHandoff({ userId: user.id });
    const { sent, queue } = recordingQueue();
    await enqueueHandoffWebhook(contextWith(queue, false), seeded.handoffId);
    expect(sent).toEqual([]);
  });

  it('logs a queue failure instead of throwing (the chat never waits on it)', async () => {
    const logs = captureLogs();
    const user = await seedUser();
    const seeded = await seedHandoff({ userId: user.id });
    const { queue } = recordingQueue(true);
    await expect(enqueueHandoffWebhook(contextWith(queue), seeded.handoffId)).resolves.toBeUndefined();
    expect(linesWith(logs, 'handoff webhook not queued')).toEqual([
      expect.objectContaining({ level: 'error', handoffId: seeded.handoffId }),
    ]);
  });
});

describe('a customer asks for a person, with a webhook configured', () => {
  it('queues the event from the request’s background work, and the receiver gets a body that verifies', async () => {
    const customer = await registerAndLogin('user');
    const { conversationId } = await seedHandoff({ userId: customer.userId }, { state: 'bot' });
    const { sent, queue } = recordingQueue();
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request(`${ORIGIN}/api/v1/conversations/${conversationId}/handoff`, {
        method: 'POST',
        headers: { ...bearer(customer.accessToken), 'Content-Type': 'application/json' },
        body: JSON.stringify({ reason: 'I was charged twice', email: 'ada@example.com' }),
      }),
      { ...env, ...webhookVars, HANDOFF_WEBHOOKS: queue },
      ctx,
    );
    expect(res.status).toBe(200);
    await waitOnExecutionContext(ctx);
    const handoffId = await env.DB.prepare('SELECT handoff_id AS id FROM conversations WHERE id = ?')
      .bind(conversationId)
      .first<string>('id');
    expect(sent.map((m) => m.eventId)).toEqual([handoffId]);

    const received = useReceiver([204]);
    const result = await consume(WEBHOOK_QUEUE, [messageOf(sent[0] as WebhookMessage)]);
    expect(result.explicitAcks).toHaveLength(1);
    const [delivery] = received as [Received];
    expect(await verifyHandoffSignature(SECRET, delivery.headers.get('X-Signature'), delivery.body, nowSec())).toBe(
      true,
    );
    expect(JSON.parse(delivery.body)).toMatchObject({
      id: handoffId,
      event: 'handoff.requested',
      conversation: { id: conversationId },
      trigger: 'customer',
      reason: 'I was charged twice',
      contactEmail: 'ada@example.com',
      customer: { type: 'account', id: customer.userId },
    });
  });
});

describe('an operator takes over a guest conversation, with a webhook configured', () => {
  it('queues the take-over too: trigger operator, for the same handoff the conversation now points at', async () => {
    const operator = await registerAndLogin('moderator');
    const siteId = await seedSite();
    const visitorId = await seedVisitor(siteId);
    const { conversationId } = await seedHandoff({ visitorId, siteId }, { state: 'bot' });
    const { sent, queue } = recordingQueue();
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request(`${ORIGIN}/api/v1/conversations/${conversationId}/claim`, {
        method: 'POST',
        headers: { ...bearer(operator.accessToken), 'Content-Type': 'application/json' },
        body: '{}',
      }),
      { ...env, ...webhookVars, HANDOFF_WEBHOOKS: queue },
      ctx,
    );
    expect(res.status).toBe(200);
    await waitOnExecutionContext(ctx);
    const handoffId = await env.DB.prepare('SELECT handoff_id AS id FROM conversations WHERE id = ?')
      .bind(conversationId)
      .first<string>('id');
    expect(sent.map((m) => m.eventId)).toEqual([handoffId]);
    expect(JSON.parse((sent[0] as WebhookMessage).body)).toMatchObject({
      id: handoffId,
      trigger: 'operator',
      conversation: { id: conversationId },
    });
  });
});

describe('delivery', () => {
  it('posts the queued body, signed, so a receiver verifies it and refuses altered or replayed copies', async () => {
    const user = await seedUser();
    const seeded = await seedHandoff({ userId: user.id });
    const queued = await queuedEvent(seeded.handoffId);
    const received = useReceiver([200]);

    const result = await consume(WEBHOOK_QUEUE, [messageOf(queued)]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    expect(received).toHaveLength(1);
    const [delivery] = received as [Received];
    expect(delivery.body).toBe(queued.body);
    expect(delivery.headers.get('Content-Type')).toBe('application/json');
    expect(delivery.headers.get('User-Agent')).toMatch(/webhooks/);
    expect(delivery.headers.get('X-Webhook-Id')).toBe(seeded.handoffId);
    const signature = delivery.headers.get('X-Signature');
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    expect(await verifyHandoffSignature(SECRET, signature, delivery.body, nowSec())).toBe(true);
    // Altered body, wrong secret, replayed after the tolerance, a timestamp moved forward: all refused.
    const altered = delivery.body.replace('"trigger":"customer"', '"trigger":"operator"');
    expect(altered).not.toBe(delivery.body);
    expect(await verifyHandoffSignature(SECRET, signature, altered, nowSec())).toBe(false);
    expect(await verifyHandoffSignature(`${SECRET}x`, signature, delivery.body, nowSec())).toBe(false);
    expect(await verifyHandoffSignature(SECRET, signature, delivery.body, nowSec() + 301)).toBe(false);
    const shifted = signature?.replace(/t=(\d+)/, (_, t) => `t=${Number(t) + 600}`);
    expect(await verifyHandoffSignature(SECRET, shifted, delivery.body, nowSec() + 600)).toBe(false);
    expect(await verifyHandoffSignature(SECRET, null, delivery.body, nowSec())).toBe(false);
    expect(await verifyHandoffSignature(SECRET, 't=1,v1=zz', delivery.body, 1)).toBe(false);
  });

  it('retries a failing receiver with backoff, then acknowledges its 2xx, signing each attempt afresh', async () => {
    const logs = captureLogs();
    const user = await seedUser();
    const queued = await queuedEvent((await seedHandoff({ userId: user.id })).handoffId);
    const received = useReceiver([500, 200], `refused: ${'x'.repeat(5000)}`);

    const first = await consume(WEBHOOK_QUEUE, [messageOf(queued, 1)]);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toHaveLength(1);
    const [delay = 0] = first.delays;
    expect(delay).toBeGreaterThanOrEqual(8);
    expect(delay).toBeLessThanOrEqual(12);
    const [failed] = linesWith(logs, 'handoff webhook failed, will retry');
    expect(failed).toMatchObject({ eventId: queued.eventId, status: 500, attempts: 1 });
    // The receiver's answer is cut short in the log, and the secret is nowhere in it.
    expect(String(failed?.response).length).toBeLessThanOrEqual(201);
    expect(logs.join('\n')).not.toContain(SECRET);
    expect(logs.join('\n')).not.toContain('x'.repeat(1000));

    const second = await consume(WEBHOOK_QUEUE, [messageOf(queued, 2)]);
    expect(second.explicitAcks).toHaveLength(1);
    expect(second.retryMessages).toEqual([]);
    expect(received.map((r) => r.body)).toEqual([queued.body, queued.body]);
  });

  it('signs each attempt with its own timestamp, so a retry an hour later still verifies', async () => {
    const user = await seedUser();
    const queued = await queuedEvent((await seedHandoff({ userId: user.id })).handoffId);
    const received = useReceiver([503, 200]);
    const webhook = { url: RECEIVER, secret: SECRET };
    const start = nowSec();
    const batch1 = createMessageBatch(WEBHOOK_QUEUE, [messageOf(queued, 1)]);
    await handleWebhookBatch(batch1, { webhook, nowSec: () => start });
    const batch2 = createMessageBatch(WEBHOOK_QUEUE, [messageOf(queued, 2)]);
    await handleWebhookBatch(batch2, { webhook, nowSec: () => start + 3600 });
    const [t1, t2] = received.map((r) => Number(/t=(\d+)/.exec(r.headers.get('X-Signature') ?? '')?.[1]));
    expect(t2).toBe((t1 ?? 0) + 3600);
    const late = received[1] as Received;
    expect(await verifyHandoffSignature(SECRET, late.headers.get('X-Signature'), late.body, start + 3600)).toBe(true);
  });

  it('retries when the receiver times out or cannot be reached', async () => {
    const user = await seedUser();
    const queued = await queuedEvent((await seedHandoff({ userId: user.id })).handoffId);
    useReceiver(['hang']);
    const result = await consume(WEBHOOK_QUEUE, [messageOf(queued, 3)]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toEqual([]);
  });

  it('treats a redirect as a failure instead of following it', async () => {
    const user = await seedUser();
    const queued = await queuedEvent((await seedHandoff({ userId: user.id })).handoffId);
    const received = useReceiver([302]);
    const result = await consume(WEBHOOK_QUEUE, [messageOf(queued)]);
    expect(result.retryMessages).toHaveLength(1);
    // The runtime would follow a redirect itself (with the signed body) unless told not to.
    expect(received.map((r) => r.redirect)).toEqual(['manual']);
  });

  it('logs a dead letter by event id (no secret, no body) and lets it go without calling the receiver', async () => {
    const logs = captureLogs();
    const user = await seedUser();
    const queued = await queuedEvent((await seedHandoff({ userId: user.id })).handoffId);
    const received = useReceiver([200]);
    const result = await consume(WEBHOOK_DEAD_LETTER_QUEUE, [messageOf(queued, 9)]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(received).toEqual([]);
    expect(linesWith(logs, 'handoff webhook gave up after its retries')).toEqual([
      expect.objectContaining({ level: 'error', eventId: queued.eventId }),
    ]);
    expect(logs.join('\n')).not.toContain(SECRET);
    expect(logs.join('\n')).not.toContain('Where is my parcel?');
  });

  it('drops (acknowledges) queued deliveries once the webhook is no longer configured, calling nobody', async () => {
    const user = await seedUser();
    const queued = await queuedEvent((await seedHandoff({ userId: user.id })).handoffId);
    const received = useReceiver([200]);
    const batch = createMessageBatch(WEBHOOK_QUEUE, [messageOf(queued)]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    expect(received).toEqual([]);
  });

  it('grows the delay exponentially with jitter, capped at an hour', () => {
    expect(webhookRetryDelaySeconds(1, () => 0.5)).toBe(10);
    expect(webhookRetryDelaySeconds(2, () => 0.5)).toBe(20);
    expect(webhookRetryDelaySeconds(4, () => 0.5)).toBe(80);
    expect(webhookRetryDelaySeconds(4, () => 0)).toBe(64);
    expect(webhookRetryDelaySeconds(4, () => 0.999)).toBe(96);
    expect(webhookRetryDelaySeconds(20, () => 0.999)).toBe(3600);
  });
});
