import type { SecureHeadersVariables } from 'hono/secure-headers';
import type { Config } from '../config';
import type { ApiKeyScope } from '../db/schema';
import type { CallerRole, GuestCaller } from './caller-role';

export type { CallerRole, GuestCaller };

/**
 * `sessionId` is the refresh-token family the caller's access token was minted for; `tokenVersion`
 * the account's token version it carries (both checked by admission). A guest's are its visitor id and 0.
 */
export type AuthUser = {
  id: string;
  role: CallerRole;
  sessionId: string;
  tokenVersion: number;
  /** Set exactly when `role` is `guest`; `id` is then the visitor id. */
  guest?: GuestCaller;
  /** Set when the caller is an API key acting for this user: it may do only what its scopes and the role allow. */
  apiKey?: { id: string; scopes: readonly ApiKeyScope[]; models: readonly string[] | null };
};

export type AppVariables = SecureHeadersVariables & {
  requestId: string;
  config: Config;
  /** Set by `authenticate` for a caller with a valid access token (not yet admitted). */
  user?: AuthUser;
  /** Set with `user`; read by the access log. */
  userId?: string;
  /** The API key's id (never the key) when the caller is one; read by the access log. */
  apiKeyId?: string;
};

export type AppEnv = { Bindings: Env; Variables: AppVariables };
