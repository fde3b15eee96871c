import { z } from 'zod';
import { errorDetail } from '../../../lib/error-detail';
import { log } from '../../../lib/logger';
import type { HandoffConfig } from '../handoff.config';
import type { WebhookMessage } from './handoff-webhook';
import { SIGNATURE_HEADER, signHandoffBody } from './webhook-signature';

export const WEBHOOK_QUEUE = 'handoff-webhooks';
export const WEBHOOK_DEAD_LETTER_QUEUE = 'handoff-webhooks-dlq';

export const isWebhookQueue = (queue: string) => queue === WEBHOOK_QUEUE || queue === WEBHOOK_DEAD_LETTER_QUEUE;

const USER_AGENT = 'edge-support-chat-webhooks/1';
const TIMEOUT_MS = 10_000;
/** Enough of a refusal ("invalid signature") to debug a receiver, never its whole answer. */
const SNIPPET_CHARS = 200;
const MAX_DELAY_SECONDS = 3600;

const WebhookMessageSchema = z.object({ eventId: z.string().min(1).max(100), body: z.string().min(2) }).strict();

/**
 * Delay before the next attempt after `attempts` failed ones: 10 s · 2^(attempts−1), at most an hour,
 * with ±20 % jitter so a receiver back from an outage is not hit by every delivery in the same second.
 */
export function webhookRetryDelaySeconds(attempts: number, random = Math.random): number {
  const base = Math.min(MAX_DELAY_SECONDS, 10 * 2 ** Math.max(0, attempts - 1));
  return Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.round(base * (0.8 + 0.4 * random()))));
}

export type WebhookDeliveryDeps = {
  webhook: HandoffConfig['webhook'];
  nowSec?: () => number;
};

/**
 * The consumer of handoff-webhooks (and of its dead-letter queue). A 2xx answer acknowledges the
 * delivery; anything else (status, timeout, network) is retried with backoff until the queue's
 * max_retries move it to the dead-letter queue, whose consumer logs it and lets it go.
 */
export async function handleWebhookBatch(batch: MessageBatch<unknown>, deps: WebhookDeliveryDeps): Promise<void> {
  const deadLetters = batch.queue === WEBHOOK_DEAD_LETTER_QUEUE;
  for (const message of batch.messages) {
    const parsed = WebhookMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      log('error', 'handoff webhook message malformed, dropped', { queue: batch.queue, messageId: message.id });
      message.ack();
      continue;
    }
    const { eventId } = parsed.data;
    if (deadLetters) {
      log('error', 'handoff webhook gave up after its retries', { eventId, attempts: message.attempts });
      message.ack();
      continue;
    }
    if (!deps.webhook) {
      log('warn', 'handoff webhook dropped: HANDOFF_WEBHOOK_URL is no longer set', { eventId });
      message.ack();
      continue;
    }
    const failure = await deliver(parsed.data, deps.webhook, deps.nowSec ?? (() => Date.now() / 1000));
    if (failure === undefined) {
      log('info', 'handoff webhook delivered', { eventId, attempts: message.attempts });
      message.ack();
    } else {
      const delaySeconds = webhookRetryDelaySeconds(message.attempts);
      log('warn', 'handoff webhook failed, will retry', {
        eventId,
        attempts: message.attempts,
        delaySeconds,
        ...failure,
      });
      message.retry({ delaySeconds });
    }
  }
}

type Failure = { status?: number; response?: string; error?: string };

/** One POST; undefined when the receiver answered 2xx, else what went wrong (for the log line). */
async function deliver(
  message: WebhookMessage,
  webhook: { url: string; secret: string },
  nowSec: () => number,
): Promise<Failure | undefined> {
  try {
    const res = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': USER_AGENT,
        'X-Webhook-Id': message.eventId,
        // Signed now, not at enqueue time: a retry an hour later still falls inside the receiver's tolerance.
        [SIGNATURE_HEADER]: await signHandoffBody(webhook.secret, message.body, nowSec()),
      },
      body: message.body,
      // A redirect would carry the signed body somewhere the operator did not configure.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel();
      return undefined;
    }
    return { status: res.status, response: await snippet(res) };
  } catch (error) {
    return { error: errorDetail(error).error };
  }
}

/** The start of the receiver's answer, read no further than needed (a receiver may answer megabytes). */
async function snippet(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length <= SNIPPET_CHARS) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
    return `${text.slice(0, SNIPPET_CHARS)}…`;
  } catch {
    return text.slice(0, SNIPPET_CHARS);
  } finally {
    void reader.cancel().catch(() => {});
  }
}
