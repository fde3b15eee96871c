import { DurableObjectRateLimiter } from './durable-object.limiter';
import { FallbackRateLimiter } from './fallback.limiter';
import type { RateLimitConfig } from './rate-limit.config';
import type { RateLimiter } from './rate-limit.types';
import { UpstashBackend, UpstashRateLimiter } from './upstash.limiter';

// Keyed by the parsed config (one per isolate) so the Upstash ephemeral cache outlives requests.
const upstashBackends = new WeakMap<RateLimitConfig, UpstashBackend>();

type RequestScope = { waitUntil: (promise: Promise<unknown>) => void; requestId?: string };

/**
 * The limiter for one request, or `null` when limiting is configured off (`none`, refused in
 * production). Upstash is always backed by the Durable Object limiter, which answers whenever
 * Upstash errors or times out.
 */
export function rateLimiterFor(env: Env, config: RateLimitConfig, scope: RequestScope): RateLimiter | null {
  if (config.backend === 'none') return null;
  const durableObject = new DurableObjectRateLimiter(env.RATE_LIMITER);
  if (config.backend === 'durable-object' || !config.upstash) return durableObject;
  let backend = upstashBackends.get(config);
  if (!backend) {
    backend = new UpstashBackend(config.upstash);
    upstashBackends.set(config, backend);
  }
  return new FallbackRateLimiter(new UpstashRateLimiter(backend, scope.waitUntil), durableObject, {
    requestId: scope.requestId,
    primary: 'upstash',
    fallback: 'durable-object',
  });
}
