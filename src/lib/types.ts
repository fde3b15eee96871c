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
  /** Set by `requireAuth({ defer: true })`: settles when the account check and per-user limit have passed. */
  accountCheck?: Promise<void>;
};

export type AppEnv = { Bindings: Env; Variables: AppVariables };
