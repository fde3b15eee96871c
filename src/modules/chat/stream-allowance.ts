type Lease = { id: string; expiresAt: number };
type DailyUsage = { day: string; tokens: number };

export type AcquireRequest = { maxStreams: number; ttlMs: number; day: string; dailyBudget: number };
export type AcquireResult =
  | { lease: string; used: number }
  | { lease: null; used: number; refusal: 'budget' | 'streams' };

/** The slice of Durable Object storage the allowance keeps its daily count in. */
export type UsageStore = {
  get(): Promise<DailyUsage | undefined>;
  put(usage: DailyUsage): Promise<void>;
};

/**
 * One user's model allowance (OWASP LLM10, unbounded consumption): how many answers may stream at
 * once and how many tokens today's budget has left. It lives inside the user's Durable Object, which
 * runs one call at a time, so both counts are exact across every edge location.
 *
 * Leases are kept in memory only: they are seconds to minutes long, so if the object is evicted the
 * worst case is that streams already running stop counting against the cap. That keeps storage (and
 * the output gate that waits for it) off the path to the first token. Leases expire on their own, so
 * a Worker that dies mid-stream cannot lock its user out for longer than the TTL. The daily token
 * count is stored: it must survive eviction.
 */
export class StreamAllowance {
  private leases: Lease[] = [];
  private usage: DailyUsage | undefined;
  private loaded = false;

  constructor(
    private readonly store: UsageStore,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire({ maxStreams, ttlMs, day, dailyBudget }: AcquireRequest): Promise<AcquireResult> {
    const used = await this.usedOn(day);
    const now = this.now();
    this.leases = this.leases.filter((l) => l.expiresAt > now);
    if (used >= dailyBudget) return { lease: null, used, refusal: 'budget' };
    if (this.leases.length >= maxStreams) return { lease: null, used, refusal: 'streams' };
    const lease = { id: crypto.randomUUID(), expiresAt: now + ttlMs };
    this.leases.push(lease);
    return { lease: lease.id, used };
  }

  /** Ends a stream and charges what it cost to the day it started on. */
  async release(id: string, day: string, tokens: number): Promise<void> {
    const used = await this.usedOn(day);
    const now = this.now();
    this.leases = this.leases.filter((l) => l.id !== id && l.expiresAt > now);
    // A stream that began before midnight UTC is charged to its own day, never over today's count.
    if (tokens <= 0 || (this.usage !== undefined && this.usage.day > day)) return;
    this.usage = { day, tokens: used + tokens };
    await this.store.put(this.usage);
  }

  private async usedOn(day: string): Promise<number> {
    if (!this.loaded) {
      this.usage = await this.store.get();
      this.loaded = true;
    }
    return this.usage?.day === day ? this.usage.tokens : 0;
  }
}
