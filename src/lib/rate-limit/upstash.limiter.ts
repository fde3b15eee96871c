import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis/cloudflare';
import type { RateLimiter, RateLimitPolicy, RateLimitResult } from './rate-limit.types';

/** The library does not export its response type. */
export type RatelimitResponse = Awaited<ReturnType<Ratelimit['limit']>>;

/** Upstash did not give a real answer: the caller must decide with another limiter. */
export class UpstashUnavailableError extends Error {
  override name = 'UpstashUnavailableError';
}

/**
 * `@upstash/ratelimit` fails open: when Redis is slower than `timeout` it *resolves* with
 * `success: true, reason: "timeout"`. That is an outage, not a permission.
 */
export function classifyUpstashResponse(response: RatelimitResponse): RateLimitResult {
  if (response.reason === 'timeout') {
    throw new UpstashUnavailableError('Upstash did not answer within the rate-limit timeout');
  }
  const { success, limit, remaining, reset } = response;
  return { success, limit, remaining, reset };
}

export type UpstashOptions = { url: string; token: string; timeoutMs: number };

/**
 * Long-lived per isolate: the Ratelimit instances keep their ephemeral cache (identifiers
 * already denied until their window resets, answered without a round trip) across requests.
 * The cache only ever holds denials Redis itself gave, so it cannot let an extra request through.
 */
export class UpstashBackend {
  private readonly redis: Redis;
  private readonly limiters = new Map<string, Ratelimit>();

  constructor(private readonly options: UpstashOptions) {
    this.redis = new Redis({
      url: options.url,
      token: options.token,
      // The Durable Object fallback is our retry; the client's own back-off would outlast the timeout.
      retry: false,
      enableTelemetry: false,
    });
  }

  /** Raw library response for `key`; `pending` must be handed to `waitUntil`. */
  limit(key: string, policy: RateLimitPolicy): Promise<RatelimitResponse> {
    return this.limiterFor(policy).limit(`${policy.name}:${key}`);
  }

  private limiterFor(policy: RateLimitPolicy): Ratelimit {
    const id = `${policy.name}/${policy.limit}/${policy.windowMs}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new Ratelimit({
        redis: this.redis,
        limiter: Ratelimit.slidingWindow(policy.limit, `${policy.windowMs} ms`),
        prefix: 'rl',
        timeout: this.options.timeoutMs,
        ephemeralCache: new Map(),
        analytics: false,
        enableProtection: false,
        enableTelemetry: false,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

/** Per request: ties the shared backend to this request's `waitUntil`. */
export class UpstashRateLimiter implements RateLimiter {
  constructor(
    private readonly backend: UpstashBackend,
    private readonly waitUntil: (promise: Promise<unknown>) => void,
  ) {}

  async limit(key: string, policy: RateLimitPolicy): Promise<RateLimitResult> {
    let response: RatelimitResponse;
    try {
      response = await this.backend.limit(key, policy);
    } catch (cause) {
      throw new UpstashUnavailableError('Upstash request failed', { cause });
    }
    this.waitUntil(response.pending.catch(() => {}));
    return classifyUpstashResponse(response);
  }
}
