import { and, eq, gt } from 'drizzle-orm';
import type { Config } from '../../../config';
import { createDb } from '../../../db/client';
import { visitors } from '../../../db/schema';
import { admissionOf } from '../../admission/admission.client';
import { sessionWindowMs } from '../../auth/admission-call';
import type { LivePrincipal } from './live.types';

/**
 * Whether the ticket's holder may still connect: a ticket outlives nothing, but the session it was
 * issued to may have ended in its 30 seconds. A user is asked of their admission object (its cached
 * account state, no rate limit counted), which also remembers the channel so that a later account
 * change closes the socket; a guest's visitor record must still exist and be unexpired.
 */
export async function principalStillValid(
  env: Env,
  config: Config,
  principal: LivePrincipal,
  channel: string,
): Promise<boolean> {
  if (principal.kind === 'visitor') {
    const [row] = await createDb(env.DB)
      .select({ id: visitors.id })
      .from(visitors)
      .where(and(eq(visitors.id, principal.id), gt(visitors.expiresAt, new Date())))
      .limit(1);
    return row !== undefined;
  }
  const { auth } = config;
  return admissionOf(env.ADMISSION, principal.id).openLive({
    userId: principal.id,
    channel,
    sessionId: principal.sessionId,
    tokenVersion: principal.tokenVersion,
    accountMaxAgeMs: auth.accountRecheckMs,
    sessionWindowMs: sessionWindowMs(auth),
  });
}
