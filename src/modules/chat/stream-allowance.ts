type Lease = {
  id: string;
  expiresAt: number;
  conversationId: string | undefined;
  /** Settles when the lease is released (its turn stored) or found expired. */
  ended: Promise<void>;
  end: () => void;
};
type DailyUsage = { day: string; tokens: number };

export type AcquireRequest = {
  maxStreams: number;
  ttlMs: number;
  day: string;
  dailyBudget: number;
  /** An existing conversation the turn continues: its previous turn must be stored first. */
  conversationId?: string | undefined;
  /** How long to wait for that previous turn before refusing with `busy`. */
  waitMs?: number;
};
export type AcquireResult =
  | { lease: string; used: number /** A previous turn of the conversation was still in progress. */; waited: boolean }
  | { lease: null; used: number; refusal: 'budget' | 'streams' | 'busy' };

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

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    const { maxStreams, ttlMs, day, dailyBudget, conversationId } = request;
    await this.ready();
    const deadline = this.now() + (request.waitMs ?? 0);
    let waited = false;
    for (;;) {
      // From here to the push nothing awaits: concurrent calls (and waiters woken together) cannot
      // both see a free slot or an idle conversation.
      const now = this.now();
      this.drop((l) => l.expiresAt <= now);
      const used = this.usedOn(day);
      if (used >= dailyBudget) return { lease: null, used, refusal: 'budget' };
      // A lease is held until its turn is stored, so a conversation's next turn waits here for the
      // previous one and then reads a history that includes it.
      const busy =
        conversationId === undefined ? undefined : this.leases.find((l) => l.conversationId === conversationId);
      if (!busy) {
        if (this.leases.length >= maxStreams) return { lease: null, used, refusal: 'streams' };
        let end = () => {};
        const ended = new Promise<void>((resolve) => {
          end = resolve;
        });
        const lease: Lease = { id: crypto.randomUUID(), expiresAt: now + ttlMs, conversationId, ended, end };
        this.leases.push(lease);
        return { lease: lease.id, used, waited };
      }
      if (deadline <= now) return { lease: null, used, refusal: 'busy' };
      waited = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        busy.ended,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.min(deadline, busy.expiresAt) - now);
        }),
      ]);
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** Ends a stream and charges what it cost to the day it started on. */
  async release(id: string, day: string, tokens: number): Promise<void> {
    await this.ready();
    const now = this.now();
    this.drop((l) => l.id === id || l.expiresAt <= now);
    // A stream that began before midnight UTC is charged to its own day, never over today's count.
    if (tokens <= 0 || (this.usage !== undefined && this.usage.day > day)) return;
    this.usage = { day, tokens: this.usedOn(day) + tokens };
    await this.store.put(this.usage);
  }

  private drop(gone: (lease: Lease) => boolean): void {
    for (const lease of this.leases.filter(gone)) lease.end();
    this.leases = this.leases.filter((lease) => !gone(lease));
  }

  private async ready(): Promise<void> {
    if (this.loaded) return;
    const stored = await this.store.get();
    if (!this.loaded) {
      this.usage = stored;
      this.loaded = true;
    }
  }

  /** Synchronous once loaded: every read-modify-write of the count happens without an await inside. */
  private usedOn(day: string): number {
    return this.usage?.day === day ? this.usage.tokens : 0;
  }
}
