import { createApp } from './app';
import { getConfig } from './config';
import { createDb } from './db/client';
import { purgeExpired } from './modules/accounts/purge';
import { handleDocumentBatch } from './modules/documents/document-processing';
import { handleWebhookBatch, isWebhookQueue } from './modules/handoff/webhook/webhook-delivery';
import { runRetention } from './modules/retention/retention.scheduled';

export { RateLimiterObject } from './lib/rate-limit/durable-object.limiter';

const app = createApp();

export default {
  fetch: app.fetch,
  // One handler for every queue this Worker consumes (wrangler.toml [[queues.consumers]]): handoff webhooks
  // and their dead letters, else document processing and its dead letters.
  queue: (batch, env) =>
    isWebhookQueue(batch.queue)
      ? handleWebhookBatch(batch, { webhook: getConfig(env).handoff.webhook })
      : handleDocumentBatch(batch, { d1: env.DB, bucket: env.DOCUMENTS, limits: getConfig(env).documents }),
  // The daily Cron Trigger (wrangler.toml [triggers]): retention of guest chats, expired tokens, old audit
  // events; and accounts left unverified for 7 days, released username holds, spent links.
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runRetention(env, controller.scheduledTime));
    ctx.waitUntil(purgeExpired(createDb(env.DB)));
  },
} satisfies ExportedHandler<Env>;

export { LiveChannel } from './live-channel';
export { AdmissionObject } from './modules/admission/admission.object';
export { BudgetShard } from './modules/admission/budget-shard';
