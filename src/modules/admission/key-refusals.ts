import { AppError } from '../../lib/errors';
import type { RateLimitResult } from '../../lib/rate-limit/rate-limit.types';
import type { KeyRefusal } from './admission.types';

const seconds = (ms: number | undefined, fallback: number) => String(Math.max(1, Math.ceil((ms ?? fallback) / 1000)));

/**
 * The public answer for each of an API key's own limits: 429 with a code of its own (so a client can
 * tell its key's limit from its owner's) and `Retry-After`.
 */
export function keyRefusalError(
  refusal: Exclude<KeyRefusal, 'stale'>,
  retryAfterMs: number | undefined,
  keyRate: RateLimitResult | undefined,
): AppError {
  const retryAfter = { 'Retry-After': seconds(retryAfterMs, 1000) };
  switch (refusal) {
    case 'key-rate':
      return new AppError(429, 'KEY_RATE_LIMITED', 'This API key has made its allowed requests for this minute.', {
        headers: { ...(keyRate ? keyRateHeaders(keyRate) : {}), ...retryAfter },
      });
    case 'key-tokens':
      return new AppError(429, 'KEY_TOKEN_RATE_LIMITED', 'This API key has used its allowed tokens for this minute.', {
        headers: retryAfter,
      });
    case 'key-streams':
      return new AppError(429, 'KEY_TOO_MANY_STREAMS', 'This API key already has its allowed answers in progress.', {
        headers: retryAfter,
      });
    case 'key-budget':
      return new AppError(
        429,
        'KEY_BUDGET_EXCEEDED',
        'This API key has used today’s token budget. It resets at midnight UTC.',
        { headers: retryAfter },
      );
  }
}

/** The key's own request window as X-RateLimit-* headers (seconds until reset, like the per-user ones). */
export function keyRateHeaders(result: RateLimitResult): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(result.limit),
    'X-RateLimit-Remaining': String(result.remaining),
    'X-RateLimit-Reset': String(Math.max(0, Math.ceil((result.reset - Date.now()) / 1000))),
  };
}

/** Refusals that only ever answer an API key's request. */
export const isKeyRefusal = (refusal: string): refusal is KeyRefusal =>
  refusal === 'stale' || refusal.startsWith('key-');
