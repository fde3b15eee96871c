import { log } from '../logger';
import type { RateLimiter, RateLimitPolicy, RateLimitResult } from './rate-limit.types';

/**
 * Asks `primary` and, if it fails in any way (error, timeout reported as success), asks
 * `fallback` for this request instead. Failing open would leave a window with no limit at
 * all; failing closed would turn an Upstash blip into an outage. The warning makes it visible.
 */
export class FallbackRateLimiter implements RateLimiter {
  constructor(
    private readonly primary: RateLimiter,
    private readonly fallback: RateLimiter,
    private readonly context: { requestId?: string; primary: string; fallback: string },
  ) {}

  async limit(key: string, policy: RateLimitPolicy): Promise<RateLimitResult> {
    try {
      return await this.primary.limit(key, policy);
    } catch (error) {
      log('warn', 'rate limiter unavailable, using fallback', {
        requestId: this.context.requestId,
        policy: policy.name,
        backend: this.context.primary,
        fallback: this.context.fallback,
        error: describe(error),
      });
      return this.fallback.limit(key, policy);
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.name}: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
