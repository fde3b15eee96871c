import { DurableObject } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { createDb } from '../../db/client';
import { users } from '../../db/schema';
import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import { type AcquireRequest, type AcquireResult, StreamAllowance } from '../chat/stream-allowance';
import { AccountCache, type AccountState } from './account-cache';

export type AccountCheck = { userId: string; tokenVersion: number; maxAgeMs: number };

/**
 * One Durable Object per user, named by the user id: the per-user state that every authenticated
 * request or chat turn must consult and that must be exact wherever the request lands. It holds the
 * account check (see AccountCache) and the model allowance (see StreamAllowance), so the chat path
 * reaches both in one place, near the user, with no D1 read on the way to the first token.
 */
export class UserGate extends DurableObject<Env> {
  private account: AccountCache | undefined;
  private userId: string | undefined;
  private readonly allowance = new StreamAllowance({
    get: () => this.ctx.storage.get('usage'),
    put: (usage) => this.ctx.storage.put('usage', usage),
  });

  async checkAccount({ userId, tokenVersion, maxAgeMs }: AccountCheck): Promise<boolean> {
    const account = this.accountOf(userId);
    if (!account) {
      // A programming error (the stub was made for another user), answered as a refusal, never a pass.
      log('error', 'user gate asked about a user it is not named after');
      return false;
    }
    return account.accepts(tokenVersion, maxAgeMs);
  }

  accountChanged(): void {
    this.account?.changed();
  }

  /**
   * A stream slot for a caller whose token still holds: a revoked token never takes (or waits for)
   * one of its user's slots, even while the request's own account check is still on its way.
   */
  async acquire(
    request: AcquireRequest & { account: AccountCheck },
  ): Promise<AcquireResult | { lease: null; refusal: 'account' }> {
    if (!(await this.checkAccount(request.account))) return { lease: null, refusal: 'account' };
    return this.allowance.acquire(request);
  }

  release(lease: string, day: string, tokens: number): Promise<void> {
    return this.allowance.release(lease, day, tokens);
  }

  /** The account this gate is named after; undefined for any other user id. */
  private accountOf(userId: string): AccountCache | undefined {
    if (userId !== this.userId) {
      // The id names the object; a caller passing another user's id would read the wrong row.
      if (this.userId !== undefined || !this.env.USER_GATE.idFromName(userId).equals(this.ctx.id)) return undefined;
      this.userId = userId;
    }
    if (!this.account) {
      const db = createDb(this.env.DB);
      this.account = new AccountCache(async (): Promise<AccountState> => {
        const [row] = await db
          .select({ isActive: users.isActive, tokenVersion: users.tokenVersion })
          .from(users)
          .where(eq(users.id, userId))
          .limit(1);
        return row ? { exists: true, ...row } : { exists: false, isActive: false, tokenVersion: -1 };
      });
    }
    return this.account;
  }
}

export type UserGates = DurableObjectNamespace<UserGate>;

export const userGateFor = (gates: UserGates, userId: string) => gates.get(gates.idFromName(userId));

/** Tells a user's gate that D1 now holds a new token version, status or no row at all. */
export type AccountChanged = (userId: string) => Promise<void>;

/**
 * Call after the D1 write has committed. If the gate cannot be told, the change still holds in D1 and
 * takes effect when the gate's copy ages out (ACCOUNT_RECHECK_SECONDS); that is logged, not thrown,
 * because the write itself succeeded.
 */
export const accountChangedVia =
  (gates: UserGates, requestId?: string): AccountChanged =>
  async (userId) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await userGateFor(gates, userId).accountChanged();
        return;
      } catch (error) {
        if (attempt < 2) continue; // a gate restarting (deploy, eviction) fails one call
        log('error', 'account change not propagated to the user gate; it applies once the cached copy ages out', {
          requestId,
          ...errorDetail(error),
        });
        return;
      }
    }
  };
