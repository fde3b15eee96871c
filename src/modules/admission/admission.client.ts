import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import type { AdmissionObject } from './admission.object';

export type AdmissionObjects = DurableObjectNamespace<AdmissionObject>;

/** The caller's admission object: one per user, named by the user id. */
export const admissionOf = (objects: AdmissionObjects, userId: string) => objects.get(objects.idFromName(userId));

/**
 * A guest's admission object, named by their visitor id. The prefix keeps the two kinds apart: user ids
 * are bare UUIDs, so no visitor can ever reach a user's object (or the reverse).
 */
export const visitorAdmissionOf = (objects: AdmissionObjects, visitorId: string) =>
  objects.get(objects.idFromName(`visitor:${visitorId}`));

/** Tells a user's admission object that D1 now holds a new token version, status, ended session or no row. */
export type AccountChanged = (userId: string) => Promise<void>;

/**
 * Call after the D1 write has committed. If the object cannot be told, the change still holds in D1 and
 * takes effect when the object's copy ages out (ACCOUNT_RECHECK_SECONDS); that is logged, not thrown,
 * because the write itself succeeded.
 */
export const accountChangedVia =
  (objects: AdmissionObjects, requestId?: string): AccountChanged =>
  async (userId) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await admissionOf(objects, userId).accountChanged();
        return;
      } catch (error) {
        if (attempt < 2) continue; // an object restarting (deploy, eviction) fails one call
        log('error', 'account change not propagated to admission; it applies once the cached copy ages out', {
          requestId,
          ...errorDetail(error),
        });
        return;
      }
    }
  };

/** Tells the key owner's admission object that D1 now holds a newer version of the key (edit, rotation, revocation). */
export type KeyChanged = (ownerId: string, keyId: string, version: number) => Promise<void>;

/**
 * Call after the D1 write has committed. If the object cannot be told, the change still holds in D1 and
 * reaches every isolate once its copy of the key ages out (API_KEY_CACHE_SECONDS); logged, not thrown.
 */
export const keyChangedVia =
  (objects: AdmissionObjects, requestId?: string): KeyChanged =>
  async (ownerId, keyId, version) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await admissionOf(objects, ownerId).keyChanged(keyId, version);
        return;
      } catch (error) {
        if (attempt < 2) continue;
        log('error', 'api key change not propagated to admission; it applies once cached copies age out', {
          requestId,
          ...errorDetail(error),
        });
        return;
      }
    }
  };

/**
 * Tells the caller's admission object that conversations were deleted, so its cap counts them again.
 * A failure is logged: the count then stays high (never low) until the object is next restarted.
 */
export async function conversationsChanged(
  objects: AdmissionObjects,
  userId: string,
  requestId?: string,
  kind: 'user' | 'visitor' = 'user',
) {
  try {
    await (kind === 'visitor'
      ? visitorAdmissionOf(objects, userId)
      : admissionOf(objects, userId)
    ).conversationsChanged();
  } catch (error) {
    log('error', 'conversation deletion not propagated to admission', { requestId, ...errorDetail(error) });
  }
}
