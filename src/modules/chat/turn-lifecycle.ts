import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import type { SettleRequest, TurnLease, TurnUsage } from '../admission/admission.types';
import type { CeilingReservation } from '../admission/ceiling';

export type LifecycleDeps = {
  settle: (request: SettleRequest) => Promise<void>;
  waitUntil: (promise: Promise<unknown>) => void;
  requestId: string;
};

/** A write that has not answered by then is given up on (and logged), so the lease is freed regardless. */
const RECORD_TIMEOUT_MS = 10_000;

/** How long a turn may wait for its events to be consumed before its lease is given back. */
const UNCLAIMED_MS = 30_000;

/**
 * Everything a leased chat turn holds — its stream slot, its token reservation, its share of the
 * deployment ceiling — and the one way each is given back. Exactly one of `abandon` (refused after
 * admission: nothing was stored, nothing charged) or `finish` (stored, then charged what it cost) ends
 * it; further calls do nothing. A turn whose events are never run is abandoned after `UNCLAIMED_MS`.
 */
export class TurnLifecycle {
  private ended = false;
  private readonly claimed: Promise<void>;
  private claim: () => void = () => {};

  constructor(
    readonly lease: TurnLease,
    private readonly day: string,
    private readonly ceiling: CeilingReservation,
    private readonly deps: LifecycleDeps,
  ) {
    this.claimed = new Promise<void>((resolve) => {
      this.claim = resolve;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unclaimed = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), UNCLAIMED_MS);
    });
    deps.waitUntil(
      Promise.race([this.claimed.then(() => false), unclaimed]).then((abandoned) => {
        if (timer !== undefined) clearTimeout(timer);
        if (abandoned) this.abandon();
      }),
    );
  }

  /** Tokens admission reserved for the model; 0 when the day's budget could not cover the turn. */
  get reservedTokens(): number {
    return this.lease.reserved;
  }

  /** The turn's events are being consumed: the lease now ends with `finish` or `abandon`. */
  started(): void {
    this.claim();
  }

  /** Refused after admission: the slot, the reservation and the message go back. */
  abandon(): void {
    this.claim();
    if (this.ended) return;
    this.ended = true;
    this.deps.waitUntil(this.end(0, true));
  }

  /**
   * Stores the turn without holding up its answer (kept alive by `waitUntil`) and only then ends the
   * lease and charges `usedTokens`, so the conversation's next turn waits for the write (its history
   * then includes this turn). The returned promise settles (never rejects) once `record` has, for the
   * rare caller that must not answer before the write; most leave it to `waitUntil`.
   */
  finish(record: () => Promise<void>, usedTokens: number, usage?: TurnUsage): Promise<void> {
    this.claim();
    if (this.ended) return Promise.resolve();
    this.ended = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('chat record timed out')), RECORD_TIMEOUT_MS);
    });
    const recorded = Promise.race([record(), timeout])
      .catch((error) => log('error', 'chat record failed', { requestId: this.deps.requestId, ...errorDetail(error) }))
      .finally(() => {
        if (timer !== undefined) clearTimeout(timer);
      });
    this.deps.waitUntil(recorded.then(() => this.end(usedTokens, false, usage)));
    return recorded;
  }

  /** Tried twice: a lost settlement would hold the slot, and the conversation, until the lease expires. */
  private async end(usedTokens: number, refundMessage: boolean, usage?: TurnUsage): Promise<void> {
    const request = { lease: this.lease.id, day: this.day, usedTokens, refundMessage, ...(usage ? { usage } : {}) };
    await Promise.all([
      this.deps
        .settle(request)
        .catch(() => this.deps.settle(request))
        .catch((error) =>
          log('error', 'turn not settled; its slot frees itself when the lease expires', {
            requestId: this.deps.requestId,
            usedTokens,
            ...errorDetail(error),
          }),
        ),
      this.ceiling.settle(usedTokens),
    ]);
  }
}
