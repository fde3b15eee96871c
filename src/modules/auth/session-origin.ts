import { ipPrefix } from '../../lib/ip-prefix';
import type { RequestMeta } from './auth.service';
import type { SessionOrigin } from './refresh-token';

export { ipPrefix };

const USER_AGENT_MAX = 200;

/** What a new session records about where it started. */
export const sessionOrigin = (meta: Pick<RequestMeta, 'ip' | 'userAgent'>): SessionOrigin => ({
  userAgent: meta.userAgent ? meta.userAgent.slice(0, USER_AGENT_MAX) : null,
  ipPrefix: ipPrefix(meta.ip),
});
