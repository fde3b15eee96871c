import type { RateLimitResult } from '../../lib/rate-limit/rate-limit.types';

/** Who is asking: the signed claims that the account check compares with D1's copy. */
export type AdmitCaller = {
  userId: string;
  tokenVersion: number;
  /** The session (refresh-token family) the access token was minted for. */
  sessionId: string;
};

/** What a chat turn asks for beside the account check and the request count. */
export type TurnRequest = {
  /** The UTC day the turn is charged to. */
  day: string;
  /** An existing conversation: its previous turn must be settled before this one starts. */
  conversationId?: string | undefined;
  /** How long to wait for that previous turn before refusing with `busy`. */
  waitMs: number;
  maxStreams: number;
  /** Leases outlive the longest stream a little, so a crashed Worker frees its slot by itself. */
  leaseTtlMs: number;
  /** Estimated prompt tokens plus the answer's `max_tokens`: never less than the turn can cost. */
  reserveTokens: number;
  dailyTokenBudget: number;
  dailyMessageQuota: number;
};

export type AdmitRequest = AdmitCaller & {
  /** How long the object may answer the account check from its copy before reading D1 again. */
  accountMaxAgeMs: number;
  /** How far back an ended session can still have live access tokens (their lifetime plus skew). */
  sessionWindowMs: number;
  /** The caller's own request limit (sliding window). */
  rate: { limit: number; windowMs: number };
  turn?: TurnRequest | undefined;
};

/**
 * A leased turn: it holds one of the user's stream slots (and its conversation) until settled.
 * `reserved` is 0 when the day's budget could not cover the reservation: a knowledge-base answer may
 * still be given, a model answer may not.
 */
export type TurnLease = { id: string; reserved: number; waited: boolean };

export type Refusal = 'account' | 'rate' | 'unverified' | 'messages' | 'streams' | 'busy';

export type AdmitResult =
  | { ok: true; rate: RateLimitResult; lease?: TurnLease }
  | { ok: false; refusal: Refusal; rate?: RateLimitResult };

export type SettleRequest = {
  lease: string;
  day: string;
  /** What the turn really cost; the rest of its reservation returns to the day's budget. */
  usedTokens: number;
  /** Nothing was stored (the turn was refused after admission): the message does not count. */
  refundMessage?: boolean;
};
