import type { TurnLease, TurnRequest } from './admission.types';

type Lease = {
  id: string;
  expiresAt: number;
  conversationId: string | undefined;
  reserved: number;
  /** It started a conversation, counted against the cap until settled (or given back on a refund). */
  newConversation: boolean;
  /** Settles when the lease is settled or found expired. */
  ended: Promise<void>;
  end: () => void;
};

/** What must survive the object being evicted: the day's spend. Leases are seconds to minutes long. */
export type DailyCounts = { day: string; tokens: number; messages: number };

export type LedgerStore = {
  get(): Promise<DailyCounts | undefined>;
  put(counts: DailyCounts): void;
  /** How many conversations the user keeps (D1 is the source of truth; read when the count is unknown). */
  countConversations(): Promise<number>;
};

export type OpenResult = { lease: TurnLease } | { refusal: 'messages' | 'conversations' | 'streams' | 'busy' };

/**
 * One user's chat turns (OWASP LLM10, unbounded consumption): how many answers stream at once, which
 * conversation each holds, today's tokens (spent plus reserved by running turns) and today's messages.
 * It lives in the user's admission object, which runs one call at a time; every read-decide-write below
 * happens without an await, so concurrent turns are counted exactly.
 *
 * Leases, and the reservations they carry, are kept in memory: if the object is evicted, running streams
 * stop counting against the cap, and their settlement still charges what they cost. Leases expire on their
 * own, so a Worker that dies mid-stream cannot hold its user's slot for longer than the TTL.
 */
export class TurnLedger {
  private leases: Lease[] = [];
  private counts: DailyCounts | undefined;
  private loaded = false;
  /** Conversations kept, including those being started; unknown until first needed or after a deletion. */
  private conversations: number | undefined;

  constructor(
    private readonly store: LedgerStore,
    private readonly now: () => number = Date.now,
  ) {}

  async open(request: TurnRequest): Promise<OpenResult> {
    const { day, conversationId } = request;
    await this.ready();
    if (request.newConversationCap !== undefined && this.conversations === undefined) {
      const counted = await this.store.countConversations();
      this.conversations ??= counted;
    }
    const deadline = this.now() + request.waitMs;
    let waited = false;
    for (;;) {
      const now = this.now();
      this.drop((l) => l.expiresAt <= now);
      const today = this.on(day);
      if (today.messages >= request.dailyMessageQuota) return { refusal: 'messages' };
      const newConversation = request.newConversationCap !== undefined;
      if (newConversation && (this.conversations ?? 0) >= (request.newConversationCap ?? 0)) {
        return { refusal: 'conversations' };
      }
      // A lease is held until its turn is stored, so a conversation's next turn waits here for the
      // previous one and then reads a history that includes it.
      const busy =
        conversationId === undefined ? undefined : this.leases.find((l) => l.conversationId === conversationId);
      if (!busy) {
        if (this.leases.length >= request.maxStreams) return { refusal: 'streams' };
        const left = request.dailyTokenBudget - today.tokens - this.reservedTotal();
        const reserved = left >= request.reserveTokens ? request.reserveTokens : 0;
        let end = () => {};
        const ended = new Promise<void>((resolve) => {
          end = resolve;
        });
        const id = crypto.randomUUID();
        this.leases.push({
          id,
          expiresAt: now + request.leaseTtlMs,
          conversationId,
          reserved,
          newConversation,
          ended,
          end,
        });
        if (newConversation && this.conversations !== undefined) this.conversations += 1;
        this.save({ ...today, messages: today.messages + 1 });
        return { lease: { id, reserved, waited } };
      }
      if (deadline <= now) return { refusal: 'busy' };
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

  /** Ends a turn: frees its slot, returns its reservation and charges what it cost to its own day. */
  async settle(id: string, day: string, usedTokens: number, refundMessage: boolean): Promise<void> {
    await this.ready();
    const now = this.now();
    const settling = this.leases.find((l) => l.id === id);
    if (settling?.newConversation && refundMessage && this.conversations !== undefined) this.conversations -= 1;
    this.drop((l) => l.id === id || l.expiresAt <= now);
    // A turn that began before midnight UTC is charged to its own day, never to the next one's count.
    if (this.counts !== undefined && this.counts.day > day) return;
    const today = this.on(day);
    const next = {
      day,
      tokens: today.tokens + Math.max(0, usedTokens),
      messages: Math.max(0, today.messages - (refundMessage ? 1 : 0)),
    };
    if (next.tokens !== today.tokens || next.messages !== today.messages) this.save(next);
  }

  /** Conversations were deleted: count them again from D1 when next needed. */
  conversationsChanged(): void {
    this.conversations = undefined;
  }

  private reservedTotal(): number {
    return this.leases.reduce((sum, lease) => sum + lease.reserved, 0);
  }

  private drop(gone: (lease: Lease) => boolean): void {
    for (const lease of this.leases.filter(gone)) lease.end();
    this.leases = this.leases.filter((lease) => !gone(lease));
  }

  private save(counts: DailyCounts): void {
    this.counts = counts;
    this.store.put(counts);
  }

  private async ready(): Promise<void> {
    if (this.loaded) return;
    const stored = await this.store.get();
    if (!this.loaded) {
      this.counts = stored;
      this.loaded = true;
    }
  }

  /** Synchronous once loaded. */
  private on(day: string): DailyCounts {
    return this.counts?.day === day ? this.counts : { day, tokens: 0, messages: 0 };
  }
}
