import type { RateLimitResult } from '../../lib/rate-limit/rate-limit.types';
import { slideWindow, type WindowCounts } from '../../lib/rate-limit/sliding-window';
import type { KeyAdmission, KeyRefusal, KeyStatus } from './admission.types';

const MINUTE_MS = 60_000;

/** What must survive the object being evicted, per key: the newest version heard of, its request window, today's tokens. */
export type StoredKey = { version: number; rate?: WindowCounts | undefined; day?: { day: string; tokens: number } };

export type KeyStore = {
  get(keyId: string): Promise<StoredKey | undefined>;
  /** `confirmed`: the caller waits until the write is durable (a new version must not be forgotten). */
  put(keyId: string, stored: StoredKey, confirmed: boolean): Promise<void>;
};

type KeyState = StoredKey & {
  /** Tokens per turn by the time it started: reserved while it runs, what it cost once settled. */
  minute: { at: number; tokens: number; lease?: string | undefined }[];
};

type KeyLease = { keyId: string; reserved: number; expiresAt: number };

export type KeyCheck = { refusal: KeyRefusal; retryAfterMs?: number; keyRate?: RateLimitResult };

/**
 * The API keys of one user, counted in that user's admission object beside the user's own turn ledger:
 * each key's version (to refuse out-of-date copies), requests per minute, tokens per minute, streams at
 * once and tokens per UTC day. Like the turn ledger, every read-decide-write happens without an await
 * once the key is loaded, so concurrent requests are counted exactly; reservations are made before the
 * call and settled with what it cost after.
 */
export class KeyLedger {
  private readonly keys = new Map<string, KeyState>();
  private readonly loading = new Map<string, Promise<KeyState>>();
  private leases = new Map<string, KeyLease>();

  constructor(
    private readonly store: KeyStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads a key's stored state; every other method expects it loaded. */
  async load(keyId: string): Promise<void> {
    if (this.keys.has(keyId)) return;
    let loading = this.loading.get(keyId);
    if (!loading) {
      loading = this.store.get(keyId).then((stored) => ({ version: 0, ...stored, minute: [] }));
      this.loading.set(keyId, loading);
    }
    const state = await loading;
    this.loading.delete(keyId);
    if (!this.keys.has(keyId)) this.keys.set(keyId, state);
  }

  /** A change was written to D1 (edit, rotation, revocation): copies older than `version` are out of date. */
  async changed(keyId: string, version: number): Promise<void> {
    await this.load(keyId);
    const state = this.state(keyId);
    if (version <= state.version) return;
    state.version = version;
    await this.store.put(keyId, this.stored(state), true);
  }

  /**
   * Admits one request of the key: its copy must be current, and its request window must have room.
   * A newer copy than the object knows (it missed a change) raises what it knows.
   */
  admit(key: KeyAdmission): { keyRate: RateLimitResult } | KeyCheck {
    const state = this.state(key.id);
    if (key.version < state.version) return { refusal: 'stale' };
    if (key.version > state.version) state.version = key.version;
    const { result, counts } = slideWindow(state.rate, this.now(), key.requestsPerMinute, MINUTE_MS);
    if (!result.success) {
      return { refusal: 'key-rate', keyRate: result, retryAfterMs: Math.max(1000, result.reset - this.now()) };
    }
    state.rate = counts;
    void this.store.put(key.id, this.stored(state), false);
    return { keyRate: result };
  }

  /**
   * Opens a turn for the key under an already leased user turn: a stream slot of its own, and `reserve`
   * tokens against its tokens-per-minute and daily budget. Refused: nothing is held.
   */
  openTurn(key: KeyAdmission, lease: { id: string; expiresAt: number }, day: string, reserve: number): KeyCheck | null {
    const now = this.now();
    this.expire(now);
    const state = this.state(key.id);
    const running = [...this.leases.values()].filter((l) => l.keyId === key.id);
    if (key.maxConcurrentStreams !== null && running.length >= key.maxConcurrentStreams) {
      return { refusal: 'key-streams', retryAfterMs: 5000 };
    }
    if (key.dailyTokenBudget !== null) {
      const reserved = running.reduce((sum, l) => sum + l.reserved, 0);
      if (this.today(state, day) + reserved + reserve > key.dailyTokenBudget) {
        return { refusal: 'key-budget', retryAfterMs: msToUtcMidnight(now) };
      }
    }
    const recent = this.lastMinute(state, now);
    if (key.tokensPerMinute !== null) {
      const used = recent.reduce((sum, entry) => sum + entry.tokens, 0);
      if (used + reserve > key.tokensPerMinute) {
        const oldest = recent[0]?.at ?? now;
        return { refusal: 'key-tokens', retryAfterMs: Math.max(1000, oldest + MINUTE_MS - now) };
      }
    }
    this.leases.set(lease.id, { keyId: key.id, reserved: reserve, expiresAt: lease.expiresAt });
    state.minute.push({ at: now, tokens: reserve, lease: lease.id });
    return null;
  }

  /** Ends a key's turn: frees its slot and charges what it cost (to its own day, never the next). */
  settle(leaseId: string, day: string, usedTokens: number): string | undefined {
    const lease = this.leases.get(leaseId);
    if (!lease) return undefined;
    this.leases.delete(leaseId);
    const state = this.keys.get(lease.keyId);
    if (!state) return lease.keyId;
    const entry = state.minute.find((e) => e.lease === leaseId);
    if (entry) {
      entry.tokens = Math.max(0, usedTokens);
      entry.lease = undefined;
    }
    if (state.day === undefined || state.day.day <= day) {
      state.day = { day, tokens: this.today(state, day) + Math.max(0, usedTokens) };
      void this.store.put(lease.keyId, this.stored(state), false);
    }
    return lease.keyId;
  }

  /** Which key holds a lease, if any (so settlement can count the key's usage). */
  keyOf(leaseId: string): string | undefined {
    return this.leases.get(leaseId)?.keyId;
  }

  status(keyId: string, day: string): KeyStatus {
    this.expire(this.now());
    const state = this.state(keyId);
    const running = [...this.leases.values()].filter((l) => l.keyId === keyId);
    return {
      day,
      tokensUsed: this.today(state, day),
      tokensReserved: running.reduce((sum, l) => sum + l.reserved, 0),
      activeStreams: running.length,
    };
  }

  private state(keyId: string): KeyState {
    const state = this.keys.get(keyId);
    if (!state) throw new Error('key ledger used before the key was loaded');
    return state;
  }

  private today(state: KeyState, day: string): number {
    return state.day?.day === day ? state.day.tokens : 0;
  }

  private lastMinute(state: KeyState, now: number) {
    state.minute = state.minute.filter((entry) => entry.at > now - MINUTE_MS);
    return state.minute;
  }

  /** A Worker that died mid-stream never settles: its key's slot frees itself with the user's lease. */
  private expire(now: number): void {
    for (const [id, lease] of this.leases) if (lease.expiresAt <= now) this.leases.delete(id);
  }

  private stored({ version, rate, day }: KeyState): StoredKey {
    return { version, rate, ...(day ? { day } : {}) };
  }
}

export function msToUtcMidnight(now: number): number {
  return Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000 - now;
}
