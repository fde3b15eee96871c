import { DurableObject } from 'cloudflare:workers';
import { and, eq, gt } from 'drizzle-orm';
import { createDb } from '../../db/client';
import { refreshTokens, users } from '../../db/schema';
import { log } from '../../lib/logger';
import { slideWindow, type WindowCounts } from '../../lib/rate-limit/sliding-window';
import { AccountCache, type AccountState } from './account-cache';
import type { AdmitRequest, AdmitResult, SettleRequest } from './admission.types';
import { TurnLedger } from './turn-ledger';

// Counters are written without waiting for confirmation: a crash may forget the last few counts, but
// no response waits on storage (the output gate would hold every answer until the write is durable).
const unconfirmed = { allowUnconfirmed: true } as const;

/**
 * One Durable Object per user, named by the user id: everything that must be exact about a caller
 * wherever the request lands, answered in one call. `admit` checks the account (active, token version,
 * session not ended), counts the caller's request against their limit and, for a chat turn, opens it in
 * the turn ledger (stream slot, conversation order, token reservation, message quota). `settle` ends a
 * turn. D1 is read only when the account copy is stale or was changed (see AccountCache).
 */
export class AdmissionObject extends DurableObject<Env> {
  private account: AccountCache | undefined;
  private userId: string | undefined;
  private sessionWindowMs = 0;
  private rate: WindowCounts | undefined;
  private rateLoaded = false;
  private readonly ledger = new TurnLedger({
    get: () => this.ctx.storage.get('day'),
    put: (counts) => void this.ctx.storage.put('day', counts, unconfirmed),
  });

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const account = this.accountOf(request.userId);
    if (!account) {
      // A programming error (the stub was made for another user), answered as a refusal, never a pass.
      log('error', 'admission object asked about a user it is not named after');
      return { ok: false, refusal: 'account' };
    }
    this.sessionWindowMs = request.sessionWindowMs;
    const state = await account.admits(request.tokenVersion, request.sessionId, request.accountMaxAgeMs);
    if (!state) return { ok: false, refusal: 'account' };
    const rate = await this.count(request.rate.limit, request.rate.windowMs);
    if (!rate.success) return { ok: false, refusal: 'rate', rate };
    if (!request.turn) return { ok: true, rate };
    // Open registration must not multiply the token budget with throwaway addresses.
    if (!state.emailVerified) return { ok: false, refusal: 'unverified', rate };
    const opened = await this.ledger.open(request.turn);
    return 'lease' in opened ? { ok: true, rate, lease: opened.lease } : { ok: false, refusal: opened.refusal, rate };
  }

  settle({ lease, day, usedTokens, refundMessage = false }: SettleRequest): Promise<void> {
    return this.ledger.settle(lease, day, usedTokens, refundMessage);
  }

  /** D1 now holds a new token version, status, ended session or no row at all: read it on the next call. */
  accountChanged(): void {
    this.account?.changed();
  }

  private async count(limit: number, windowMs: number) {
    if (!this.rateLoaded) {
      const stored = await this.ctx.storage.get<WindowCounts & { windowMs: number }>('rate');
      if (!this.rateLoaded) {
        this.rate = stored?.windowMs === windowMs ? stored : undefined;
        this.rateLoaded = true;
      }
    }
    const { result, counts } = slideWindow(this.rate, Date.now(), limit, windowMs);
    if (result.success) {
      this.rate = counts;
      void this.ctx.storage.put('rate', { ...counts, windowMs }, unconfirmed);
    }
    return result;
  }

  /** The account this object is named after; undefined for any other user id. */
  private accountOf(userId: string): AccountCache | undefined {
    if (userId !== this.userId) {
      // The id names the object; a caller passing another user's id would read the wrong row.
      if (this.userId !== undefined || !this.env.ADMISSION.idFromName(userId).equals(this.ctx.id)) return undefined;
      this.userId = userId;
    }
    if (!this.account) {
      const db = createDb(this.env.DB);
      this.account = new AccountCache(async (): Promise<AccountState> => {
        const since = new Date(Date.now() - this.sessionWindowMs);
        const [[row], ended] = await Promise.all([
          db
            .select({ isActive: users.isActive, tokenVersion: users.tokenVersion, verifiedAt: users.emailVerifiedAt })
            .from(users)
            .where(eq(users.id, userId))
            .limit(1),
          db
            .selectDistinct({ familyId: refreshTokens.familyId })
            .from(refreshTokens)
            .where(and(eq(refreshTokens.userId, userId), gt(refreshTokens.revokedAt, since))),
        ]);
        const endedSessions = new Set(ended.map((r) => r.familyId));
        return row
          ? {
              exists: true,
              isActive: row.isActive,
              tokenVersion: row.tokenVersion,
              emailVerified: row.verifiedAt !== null,
              endedSessions,
            }
          : { exists: false, isActive: false, tokenVersion: -1, emailVerified: false, endedSessions };
      });
    }
    return this.account;
  }
}
