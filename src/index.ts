import { createApp } from './app';
import { createDb } from './db/client';
import { purgeExpired } from './modules/accounts/purge';

export { RateLimiterObject } from './lib/rate-limit/durable-object.limiter';

const app = createApp();

export default {
  fetch: app.fetch,
  // Hourly ([triggers] in wrangler.toml): unverified accounts past 7 days, released username holds, spent links.
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(purgeExpired(createDb(env.DB)));
  },
} satisfies ExportedHandler<Env>;

export { AdmissionObject } from './modules/admission/admission.object';
export { BudgetShard } from './modules/admission/budget-shard';
