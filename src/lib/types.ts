import type { SecureHeadersVariables } from 'hono/secure-headers';
import type { Config } from '../config';

export type AppVariables = SecureHeadersVariables & {
  requestId: string;
  config: Config;
  /** Set by the auth middleware; read by the access log. */
  userId?: string;
};

export type AppEnv = { Bindings: Env; Variables: AppVariables };
