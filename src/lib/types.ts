import type { SecureHeadersVariables } from 'hono/secure-headers';
import type { Config } from '../config';
import type { Role } from '../db/schema';

/**
 * `sessionId` is the refresh-token family the caller's access token was minted for; `tokenVersion`
 * the account's token version it carries (both checked by admission).
 */
export type AuthUser = { id: string; role: Role; sessionId: string; tokenVersion: number };

export type AppVariables = SecureHeadersVariables & {
  requestId: string;
  config: Config;
  /** Set by `authenticate` for a caller with a valid access token (not yet admitted). */
  user?: AuthUser;
  /** Set with `user`; read by the access log. */
  userId?: string;
};

export type AppEnv = { Bindings: Env; Variables: AppVariables };
