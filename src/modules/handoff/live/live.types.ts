import type { CallerRole } from '../../../lib/types';

/**
 * Who holds a live socket, as the ticket named them when it was issued. Checked again when the socket
 * is accepted (the session may have ended since) and kept on the socket (its attachment) for typing
 * relays and revocation.
 */
export type LivePrincipal = {
  kind: 'user' | 'visitor';
  /** The user id, or the visitor id for a guest. */
  id: string;
  sessionId: string;
  tokenVersion: number;
  role: CallerRole;
  /** An operator's name as customers see it in typing notices. */
  displayName?: string;
  /** On a conversation's channel: whether this is its customer or an operator following it. */
  as: 'customer' | 'operator';
};

/** A ticket as the channel stores it, under the SHA-256 of the ticket: single use, short-lived. */
export type StoredTicket = { principal: LivePrincipal; expiresAt: number };

/** Sent instead of the missed events when the client's `after` is older than what the channel keeps. */
export type LiveReset = { type: 'reset'; seq: number };

/** Closes a socket whose session or account ended (the client signs in again rather than reconnecting). */
export const SESSION_ENDED_CLOSE = 4401;
/** RFC 6455 policy violation: a message that is not one the channel accepts. */
export const POLICY_CLOSE = 1008;

/** On a channel's 401: why the connection was refused (`ticket` or `session`), for the route's error body. */
export const LIVE_REFUSED_HEADER = 'X-Live-Refused';
