import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import type { BudgetShard } from './budget-shard';

export type Ceiling = { dailyTokens: number; shards: number };

/** A reservation against a shared ceiling; `settle` is safe to call more than once (only the first counts). */
export type CeilingReservation = { granted: boolean; settle: (usedTokens: number) => Promise<void> };

const unlimited: CeilingReservation = { granted: true, settle: async () => {} };

/**
 * Reserves `tokens` of today's share of a ceiling from one shard picked at random, so load spreads
 * evenly and no shard sees every turn. `dailyTokens: 0` means no ceiling (no call at all).
 */
export async function reserveFromCeiling(
  shards: DurableObjectNamespace<BudgetShard>,
  ceiling: Ceiling,
  day: string,
  tokens: number,
  requestId: string,
): Promise<CeilingReservation> {
  if (ceiling.dailyTokens <= 0) return unlimited;
  const index = Math.floor(Math.random() * ceiling.shards);
  const shard = shards.get(shards.idFromName(`deployment:${index}`));
  const granted = await shard.reserve(day, tokens, Math.floor(ceiling.dailyTokens / ceiling.shards));
  let settled = false;
  return {
    granted,
    settle: async (usedTokens) => {
      if (settled || !granted) return;
      settled = true;
      try {
        await shard.settle(day, tokens, usedTokens);
      } catch (error) {
        // The reservation stays counted until midnight UTC: the ceiling errs on the side of stopping early.
        log('error', 'ceiling reservation not settled', { requestId, ...errorDetail(error) });
      }
    },
  };
}
