import type { Context } from 'hono';
import type { Config } from '../../config';
import type { AppEnv } from '../../lib/types';
import { limitIp } from '../../middleware/rate-limit';
import type { admissionOf } from '../admission/admission.client';
import type { AdmitRequest, AdmitResult, TurnLease, TurnRequest } from '../admission/admission.types';

/** A caller's admission for one request: the first call decides, later ones (the turn's, the guard's) share it. */
export type Admit = (turn?: TurnRequest) => Promise<TurnLease | undefined>;

export function admitOnce(decide: (turn: TurnRequest | undefined) => Promise<TurnLease | undefined>): Admit {
  let answer: Promise<TurnLease | undefined> | undefined;
  return (turn) => {
    answer ??= decide(turn);
    return answer;
  };
}

/** How much later than the access token's lifetime an ended session must be remembered. */
const SESSION_WINDOW_SLACK_MS = 60_000;

/** How long admission must remember an ended session: as long as any token of it can still be presented. */
export const sessionWindowMs = (auth: Config['auth']) => auth.accessTokenTtlSeconds * 1000 + SESSION_WINDOW_SLACK_MS;

/**
 * The per-IP count and the admission object's answer side by side (one round trip before the first
 * token). Refused per IP after the object leased a turn, the lease goes back: nothing was done with it.
 */
export async function admitBesideIpLimit(
  c: Context<AppEnv>,
  object: ReturnType<typeof admissionOf>,
  request: AdmitRequest,
): Promise<PromiseSettledResult<AdmitResult>> {
  const [ip, answer] = await Promise.allSettled([limitIp(c), object.admit(request)]);
  if (ip.status === 'rejected') {
    const lease = answer.status === 'fulfilled' && answer.value.ok ? answer.value.lease : undefined;
    const turn = request.turn;
    if (lease && turn) {
      c.executionCtx.waitUntil(object.settle({ lease: lease.id, day: turn.day, usedTokens: 0, refundMessage: true }));
    }
    throw ip.reason;
  }
  return answer;
}
