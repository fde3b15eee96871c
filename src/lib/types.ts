import type { SecureHeadersVariables } from 'hono/secure-headers';
import type { Config } from '../config';
import type { Role } from '../db/schema';

/**
 * `sessionId` is the refresh-token family the caller's access token was minted for; `tokenVersion`
 * the account's token version it carries (checked by the user's gate).
 */
export type AuthUser = { id: string; role: Role; sessionId: string; tokenVersion: number };

export type AppVariables = SecureHeadersVariables & {
  requestId: string;
  config: Config;
  /** Set by `requireAuth`. */
  user?: AuthUser;
  /** Set by `requireAuth`; read by the access log and per-user rate limits. */
  userId?: string;
  /** Set by `requireAuth({ defer: true })`: see `Admission`. */
  admission?: Admission;
};

/**
 * What a deferring route must settle before it acts for the caller. `limits` settles when the
 * per-IP and per-user limits have passed. The account check is the route's to make through the
 * user's gate (its stream-slot call carries the token version: one round trip for both); it calls
 * `accountChecked()` once the gate has answered, or `requireAuth` asks the gate itself afterwards.
 */
export type Admission = { limits: Promise<void>; accountChecked: () => void };

export type AppEnv = { Bindings: Env; Variables: AppVariables };
