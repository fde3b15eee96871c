import { createApp } from './app';

export { RateLimiterObject } from './lib/rate-limit/durable-object.limiter';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;

export { AdmissionObject } from './modules/admission/admission.object';
export { BudgetShard } from './modules/admission/budget-shard';
