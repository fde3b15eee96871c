import { createApp } from './app';

export { RateLimiterObject } from './lib/rate-limit/durable-object.limiter';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;

export { UserGate } from './modules/users/user-gate';
