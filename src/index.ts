import { createApp } from './app';
import { getConfig } from './config';
import { handleDocumentBatch } from './modules/documents/document-processing';

export { RateLimiterObject } from './lib/rate-limit/durable-object.limiter';

const app = createApp();

export default {
  fetch: app.fetch,
  // Document processing and its dead-letter queue (wrangler.toml [[queues.consumers]]).
  queue: (batch, env) =>
    handleDocumentBatch(batch, { d1: env.DB, bucket: env.DOCUMENTS, limits: getConfig(env).documents }),
} satisfies ExportedHandler<Env>;

export { AdmissionObject } from './modules/admission/admission.object';
export { BudgetShard } from './modules/admission/budget-shard';
