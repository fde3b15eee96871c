import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import type { BudgetShard } from './budget-shard';

export type Ceiling = { dailyTokens: number; shards: number };

/**
 * A reservation against a shared ceiling; `settle` is safe to call more than once (only the first counts).
 * `refusal` is the public answer when it was not granted, for ceilings that are not the deployment's.
 */
export type CeilingReservation = {
  granted: boolean;
  settle: (usedTokens: number) => Promise<void>;
  refusal?: (() => Error) | undefined;
};

const unlimited: CeilingReservation = { granted: true, settle: async () => {} };

/**
 * Reserves `tokens` of today's share of a ceiling from one shard picked at random, so load spreads
 * evenly and no shard sees every turn. `dailyTokens: 0` means no ceiling (no call at all). `scope`
 * names the ceiling: the deployment's, or a narrower one (a site's guests, `site:<id>`).
 */
export async function reserveFromCeiling(
  shards: DurableObjectNamespace<BudgetShard>,
  ceiling: Ceiling,
  day: string,
  tokens: number,
  requestId: string,
  scope = 'deployment',
): Promise<CeilingReservation> {
  if (ceiling.dailyTokens <= 0) return unlimited;
  const index = Math.floor(Math.random() * ceiling.shards);
  const shard = shards.get(shards.idFromName(`${scope}:${index}`));
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

/**
 * Both reservations or neither: a turn under several ceilings (a guest's: the deployment's and their
 * site's) reserves from all, beside admission; one refused gives the others back. The first refusal
 * found answers for the whole.
 */
export async function reserveAll(reservations: Promise<CeilingReservation>[]): Promise<CeilingReservation> {
  const results = await Promise.allSettled(reservations);
  const held = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const refused = held.find((r) => !r.granted);
  if (failed || refused) await Promise.all(held.map((r) => r.settle(0)));
  if (failed) throw failed.reason;
  return {
    granted: refused === undefined,
    settle: async (usedTokens) => {
      await Promise.all(held.map((r) => r.settle(usedTokens)));
    },
    refusal: refused?.refusal,
  };
}
