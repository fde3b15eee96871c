import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import { ipPrefix } from '../../lib/ip-prefix';
import { clientIp } from '../../lib/rate-limit/rate-limit.keys';
import type { AppEnv } from '../../lib/types';
import { limitIp, noteRateLimit } from '../../middleware/rate-limit';
import type { Admit } from '../auth/authenticate';
import { type SiteSettings, siteSettings } from '../site-settings/site-settings';
import { visitorAdmissionOf } from './admission.client';
import { refusalError } from './admission.errors';
import type { AdmitResult, TurnLease, TurnRequest } from './admission.types';
import { type Ceiling, type CeilingReservation, reserveFromCeiling } from './ceiling';
import { guestRefusals } from './guest-refusals';

/** A guest caller as its access token names it. */
export type GuestClaims = { visitorId: string; siteId: string };

/** Shards of a site's guest token ceiling: a busy site's guests do not all meet in one object. */
export const SITE_CEILING_SHARDS = 4;

/**
 * A guest's admission, once per request like a user's: their site still exists and allows guest chat
 * (the isolate's copy of it, SITE_CACHE_MS), the per-IP limit, and for a chat turn the visitor's own
 * object (per-minute limit, message quota, stream slot) beside one message counted against their
 * network's (IP prefix) daily allowance on their site. A refusal anywhere gives back what the others took.
 */
export function guestAdmission(c: Context<AppEnv>, claims: GuestClaims, tokenRefused: () => Error): Admit {
  let answer: Promise<TurnLease | undefined> | undefined;
  return (turn) => {
    answer ??= admitGuest(c, claims, turn, tokenRefused);
    return answer;
  };
}

async function admitGuest(
  c: Context<AppEnv>,
  claims: GuestClaims,
  turn: TurnRequest | undefined,
  tokenRefused: () => Error,
): Promise<TurnLease | undefined> {
  const [site, ip] = await Promise.allSettled([siteSettings(dbOf(c), claims.siteId), limitIp(c)]);
  if (ip.status === 'rejected') throw ip.reason;
  if (site.status === 'rejected') throw site.reason;
  if (!site.value) throw tokenRefused();
  if (!site.value.guestChat) throw guestRefusals.disabled();
  if (!turn) return undefined;
  return admitGuestTurn(c, claims, site.value, turn);
}

async function admitGuestTurn(
  c: Context<AppEnv>,
  claims: GuestClaims,
  site: SiteSettings,
  turn: TurnRequest,
): Promise<TurnLease> {
  const object = visitorAdmissionOf(c.env.ADMISSION, claims.visitorId);
  const network = ipPrefix(clientIp(c.req.raw.headers, c.get('config').rateLimit.trustXForwardedFor)) ?? 'unknown';
  const networkCeiling: Ceiling = { dailyTokens: site.limits.ipMessagesPerDay, shards: 1 };
  const [answer, counted] = await Promise.allSettled([
    object.admitVisitor({
      visitorId: claims.visitorId,
      rate: { limit: site.limits.messagesPerMinute, windowMs: 60_000 },
      turn,
    }),
    // One message against the network's allowance, counted like tokens against a ceiling.
    reserveFromCeiling(
      c.env.BUDGET_SHARDS,
      networkCeiling,
      turn.day,
      1,
      c.get('requestId'),
      `guest-ip:${site.id}:${network}`,
    ),
  ]);
  const lease = answer.status === 'fulfilled' && answer.value.ok ? answer.value.lease : undefined;
  const networkOk = counted.status === 'fulfilled' && counted.value.granted;
  if (!lease || !networkOk) {
    // Whichever side refused, the other side's count goes back: nothing was done with it.
    if (counted.status === 'fulfilled') c.executionCtx.waitUntil(counted.value.settle(0));
    if (lease) {
      c.executionCtx.waitUntil(object.settle({ lease: lease.id, day: turn.day, usedTokens: 0, refundMessage: true }));
    }
  } else {
    // The network's message stays counted whatever the turn then does (like a per-IP request count).
    c.executionCtx.waitUntil(counted.value.settle(1));
  }
  if (answer.status === 'rejected') throw answer.reason;
  if (counted.status === 'rejected') throw counted.reason;
  if (!answer.value.ok) throw refusal(answer.value);
  if (!counted.value.granted) throw guestRefusals.network();
  noteRateLimit(c, answer.value.rate);
  return lease as TurnLease;
}

function refusal(result: Extract<AdmitResult, { ok: false }>): Error {
  switch (result.refusal) {
    case 'rate':
      return guestRefusals.tooFast(result.rate ? (result.rate.reset - Date.now()) / 1000 : 60);
    case 'messages':
      return guestRefusals.messages();
    case 'conversations':
    case 'streams':
    case 'busy':
      return refusalError(result.refusal);
    default:
      // `account` (an object asked about a visitor it is not named after) and the API-key refusals
      // cannot answer a visitor: a programming error.
      return new Error(`visitor admission refused with ${result.refusal}`);
  }
}

/** The site's share of guest model tokens today, reserved beside the deployment's ceiling. */
export function reserveSiteTokens(
  c: Context<AppEnv>,
  site: SiteSettings,
  day: string,
  tokens: number,
): Promise<CeilingReservation> {
  const ceiling: Ceiling = { dailyTokens: site.limits.tokensPerDay, shards: SITE_CEILING_SHARDS };
  return reserveFromCeiling(c.env.BUDGET_SHARDS, ceiling, day, tokens, c.get('requestId'), `site:${site.id}`).then(
    (reservation) => ({ ...reservation, refusal: guestRefusals.siteBudget }),
  );
}
