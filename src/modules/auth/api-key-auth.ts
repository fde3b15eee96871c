import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import { errorDetail } from '../../lib/error-detail';
import { AppError } from '../../lib/errors';
import { log } from '../../lib/logger';
import type { AppEnv, AuthUser } from '../../lib/types';
import { limitIp, rateLimited } from '../../middleware/rate-limit';
import { admissionOf } from '../admission/admission.client';
import { refusalError } from '../admission/admission.errors';
import type { AdmitRequest, AdmitResult, TurnLease, TurnRequest } from '../admission/admission.types';
import { keyRefusalError } from '../admission/key-refusals';
import { audit } from '../audit/audit.service';
import { type Admit, admitBesideIpLimit, admitOnce, sessionWindowMs } from './admission-call';
import { forgetKey, judgeKey, type KeyCredential, lookUpKey } from './api-key-credential';
import { API_KEY_PATTERN, hashApiKey } from './api-key-secret';
import { requestMeta } from './auth.context';
import { keyCan } from './permissions';
import { forbidden, invalidApiKey } from './token-refused';

export type VerifiedKey = KeyCredential & { hash: string };

/** One `api_key_expired_use` audit row per key per isolate per this long. */
const EXPIRED_AUDIT_MS = 60_000;
const expiredAuditedAt = new Map<string, number>();

/**
 * The key a presented value names, if it may be used now. Malformed, unknown, revoked, expired and
 * rotated-out keys all get the same 401, after the per-IP count (so guessing is as limited as bad tokens).
 */
export async function verifiedKey(c: Context<AppEnv>, value: string): Promise<VerifiedKey> {
  let key: KeyCredential | undefined;
  let hash = '';
  if (API_KEY_PATTERN.test(value)) {
    hash = await hashApiKey(value);
    key = await lookUp(c, hash);
  }
  const verdict = key ? judgeKey(key, Date.now()) : 'unknown';
  if (!key || verdict !== 'ok') {
    if (key && verdict === 'expired') auditExpiredUse(c, key);
    await limitIp(c);
    throw invalidApiKey();
  }
  return { ...key, hash };
}

async function lookUp(c: Context<AppEnv>, hash: string): Promise<KeyCredential | undefined> {
  try {
    return await lookUpKey(dbOf(c), hash, c.get('config').apiKeys.cacheMs);
  } catch (cause) {
    throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The service is busy. Please try again shortly.', {
      cause,
      headers: { 'Retry-After': '1' },
    });
  }
}

/** The owner, acting with the key's scopes (and never more than the owner's role allows). */
export const keyCaller = (key: KeyCredential): AuthUser => ({
  id: key.userId,
  role: key.ownerRole,
  sessionId: `apikey:${key.id}`,
  tokenVersion: -1,
  apiKey: { id: key.id, scopes: key.scopes, models: key.models },
});

/** The key's admission, memoized like a token's: one call to the owner's object per request. */
export const keyAdmission = (c: Context<AppEnv>, key: VerifiedKey): Admit =>
  admitOnce((turn) => admitKey(c, key, turn));

async function admitKey(
  c: Context<AppEnv>,
  key: VerifiedKey,
  turn: TurnRequest | undefined,
): Promise<TurnLease | undefined> {
  const object = admissionOf(c.env.ADMISSION, key.userId);
  const first = await admitBesideIpLimit(c, object, admitRequest(c, key, turn));
  let result = first.status === 'fulfilled' ? first.value : unavailable(first.reason);
  let current: KeyCredential = key;
  if (!result.ok && result.refusal === 'stale') {
    // The isolate's copy predates a change (edit, rotation, revocation, the owner's role): read the key
    // again, check the route's permission against what it is now, and ask once more.
    forgetKey(key.hash);
    current = await reread(c, key.hash);
    const permission = c.get('permission');
    if (permission && !keyCan(current.ownerRole, current.scopes, permission)) throw forbidden();
    c.set('user', keyCaller(current));
    result = await object.admit(admitRequest(c, current, turn)).catch(unavailable);
  }
  if (result.ok) {
    // The key's own window is what a key-authenticated response reports.
    c.set('rateLimit', result.keyRate ?? result.rate);
    return result.lease;
  }
  // Refused too, a key's response reports the key's own window (authenticate writes it on the way out).
  if (result.keyRate) c.set('rateLimit', result.keyRate);
  if (result.audit) auditRefusal(c, current, result.refusal);
  switch (result.refusal) {
    case 'account':
    case 'stale':
      throw invalidApiKey();
    case 'rate': {
      const { limit, windowMs } = c.get('config').rateLimit.policies.user;
      throw rateLimited(result.rate ?? { success: false, limit, remaining: 0, reset: Date.now() + windowMs });
    }
    case 'key-rate':
    case 'key-tokens':
    case 'key-streams':
    case 'key-budget':
      throw keyRefusalError(result.refusal, result.retryAfterMs, result.keyRate);
    default:
      throw refusalError(result.refusal);
  }
}

async function reread(c: Context<AppEnv>, hash: string): Promise<VerifiedKey> {
  const key = await lookUp(c, hash);
  if (!key || judgeKey(key, Date.now()) !== 'ok') throw invalidApiKey();
  return { ...key, hash };
}

function admitRequest(c: Context<AppEnv>, key: KeyCredential, turn: TurnRequest | undefined): AdmitRequest {
  const { auth, apiKeys, rateLimit } = c.get('config');
  const { limit, windowMs } = rateLimit.policies.user;
  return {
    userId: key.userId,
    tokenVersion: -1,
    sessionId: `apikey:${key.id}`,
    accountMaxAgeMs: auth.accountRecheckMs,
    sessionWindowMs: sessionWindowMs(auth),
    rate: { limit, windowMs },
    turn,
    key: {
      id: key.id,
      version: key.version,
      ownerRole: key.ownerRole,
      requestsPerMinute: key.requestsPerMinute,
      tokensPerMinute: key.tokensPerMinute,
      maxConcurrentStreams: key.maxConcurrentStreams,
      dailyTokenBudget: key.dailyTokenBudget,
      usageFlushMs: apiKeys.usageFlushMs,
    },
  };
}

function unavailable(cause: unknown): never {
  throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The service is busy. Please try again shortly.', {
    cause,
    headers: { 'Retry-After': '1' },
  });
}

function auditRefusal(c: Context<AppEnv>, key: KeyCredential, refusal: Extract<AdmitResult, { ok: false }>['refusal']) {
  const { ip, userAgent, requestId } = requestMeta(c);
  writeAudit(c, {
    action: 'api_key_refused',
    outcome: 'denied',
    actorId: key.userId,
    targetId: key.id,
    detail: { refusal },
    ip,
    userAgent,
    requestId,
  });
}

function auditExpiredUse(c: Context<AppEnv>, key: KeyCredential) {
  const now = Date.now();
  if ((expiredAuditedAt.get(key.id) ?? 0) + EXPIRED_AUDIT_MS > now) return;
  expiredAuditedAt.set(key.id, now);
  if (expiredAuditedAt.size > 1000) expiredAuditedAt.delete(expiredAuditedAt.keys().next().value as string);
  const { ip, userAgent, requestId } = requestMeta(c);
  writeAudit(c, {
    action: 'api_key_expired_use',
    outcome: 'denied',
    actorId: key.userId,
    targetId: key.id,
    ip,
    userAgent,
    requestId,
  });
}

/** Audit rows of refusals are written beside the answer, never in its way. */
function writeAudit(c: Context<AppEnv>, event: Parameters<typeof audit>[1]) {
  c.executionCtx.waitUntil(
    audit(dbOf(c), event).catch((error) =>
      log('error', 'audit write failed', { requestId: event.requestId, ...errorDetail(error) }),
    ),
  );
}
