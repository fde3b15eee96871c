import type { Role } from '../../db/schema';
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
  /** The turn starts a stored conversation: the caller may keep at most this many. */
  newConversationCap?: number | undefined;
};

export type AdmitRequest = AdmitCaller & {
  /** How long the object may answer the account check from its copy before reading D1 again. */
  accountMaxAgeMs: number;
  /** How far back an ended session can still have live access tokens (their lifetime plus skew). */
  sessionWindowMs: number;
  /** The caller's own request limit (sliding window). */
  rate: { limit: number; windowMs: number };
  turn?: TurnRequest | undefined;
  /** Set when the caller is an API key acting for the user: admitted in the same call, by the same object. */
  key?: KeyAdmission | undefined;
};

/**
 * An API key, as the caller's (per-isolate) copy of its row describes it. The object refuses a copy
 * older than the newest version it has been told of (`stale`), and one read under another role than
 * the owner has now, so an edit, rotation, revocation or role change applies from the next request.
 */
export type KeyAdmission = {
  id: string;
  version: number;
  /** The owner's role the copy was read with (the key's permissions were checked against it). */
  ownerRole: Role;
  requestsPerMinute: number;
  /** null: no limit of the key's own (the owner's limits still apply). */
  tokensPerMinute: number | null;
  maxConcurrentStreams: number | null;
  dailyTokenBudget: number | null;
  /** How long the key's usage may wait in the object before it is written to D1. */
  usageFlushMs: number;
};

/** How admission refuses an API key's own limits, or a copy of the key that is out of date. */
export type KeyRefusal = 'stale' | 'key-rate' | 'key-tokens' | 'key-streams' | 'key-budget';

/** What the object answers for a refused key request beside the refusal itself. */
export type KeyRefusalInfo = {
  /** The key's own request window (for `key-rate`, and the headers of every key response). */
  keyRate?: RateLimitResult;
  /** When the refused capacity comes back, for `Retry-After`. */
  retryAfterMs?: number;
  /** The first refusal of this kind for this key in a while: write it to the audit log. */
  audit?: boolean;
};

/**
 * A guest caller (a website visitor, no account): their object is named after the visitor
 * (`visitorAdmissionOf`), and their limits are their site's. There is no account to check: a guest
 * access token lives minutes, and its site is checked by the caller (site-settings) beside this call.
 */
export type VisitorAdmitRequest = {
  visitorId: string;
  rate: { limit: number; windowMs: number };
  turn?: TurnRequest | undefined;
};

/**
 * A leased turn: it holds one of the user's stream slots (and its conversation) until settled.
 * `reserved` is 0 when the day's budget could not cover the reservation: a knowledge-base answer may
 * still be given, a model answer may not.
 */
export type TurnLease = { id: string; reserved: number; waited: boolean };

export type Refusal = 'account' | 'rate' | 'unverified' | 'messages' | 'conversations' | 'streams' | 'busy';

export type AdmitResult =
  | { ok: true; rate: RateLimitResult; lease?: TurnLease; keyRate?: RateLimitResult }
  | ({ ok: false; refusal: Refusal | KeyRefusal; rate?: RateLimitResult } & KeyRefusalInfo);

export type SettleRequest = {
  lease: string;
  day: string;
  /** What the turn really cost; the rest of its reservation returns to the day's budget. */
  usedTokens: number;
  /** Nothing was stored (the turn was refused after admission): the message (and a new conversation) does not count. */
  refundMessage?: boolean;
  /** The turn's usage in detail, for an API key's daily usage figures. */
  usage?: TurnUsage;
};

export type TurnUsage = { promptTokens: number; completionTokens: number; cachedTokens: number };

/** An API key's live figures for today, as its owner's object counts them. */
export type KeyStatus = { day: string; tokensUsed: number; tokensReserved: number; activeStreams: number };
