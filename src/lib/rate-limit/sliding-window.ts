import type { RateLimitResult } from './rate-limit.types';

/** Counts of the fixed window `now` falls in and of the one before it. */
export type WindowCounts = { windowStart: number; current: number; previous: number };

/**
 * The sliding-window approximation `@upstash/ratelimit` runs in Redis, so both backends
 * agree on every answer: the previous window's count is weighted by how much of it still
 * overlaps the sliding window. Returns the decision and the counts to store.
 */
export function slideWindow(
  stored: WindowCounts | undefined,
  now: number,
  limit: number,
  windowMs: number,
): { result: RateLimitResult; counts: WindowCounts } {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  let current = 0;
  let previous = 0;
  if (stored?.windowStart === windowStart) {
    current = stored.current;
    previous = stored.previous;
  } else if (stored?.windowStart === windowStart - windowMs) {
    previous = stored.current;
  }
  const weightedPrevious = Math.floor((1 - (now - windowStart) / windowMs) * previous);
  const reset = windowStart + windowMs;
  if (weightedPrevious + current >= limit) {
    return { result: { success: false, limit, remaining: 0, reset }, counts: { windowStart, current, previous } };
  }
  current += 1;
  const remaining = Math.max(0, limit - (current + weightedPrevious));
  return { result: { success: true, limit, remaining, reset }, counts: { windowStart, current, previous } };
}
