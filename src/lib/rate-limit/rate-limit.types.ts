/** A named limit: at most `limit` requests per sliding `windowMs` for one key. */
export type RateLimitPolicy = {
  /** Short stable name; backends store under `<name>:<key>`, so renaming one resets its counters. */
  name: string;
  limit: number;
  windowMs: number;
};

export type RateLimitResult = {
  success: boolean;
  limit: number;
  remaining: number;
  /** Epoch milliseconds when the current window ends and capacity comes back. */
  reset: number;
};

/**
 * The one contract every backend honours (tested by the shared contract suite): counting is
 * atomic per key, so N of M concurrent calls pass for a limit of N, and neither keys nor
 * policies share counts.
 */
export interface RateLimiter {
  limit(key: string, policy: RateLimitPolicy): Promise<RateLimitResult>;
}
