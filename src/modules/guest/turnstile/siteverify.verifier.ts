import { errorDetail } from '../../../lib/error-detail';
import { log } from '../../../lib/logger';
import type { TurnstileCheck, TurnstileOutcome, TurnstileVerifier } from './turnstile.types';

export type FetchLike = (input: Request) => Promise<Response>;

export type SiteverifyOptions = {
  url: string;
  secret: string;
  fetch?: FetchLike;
  /** Per attempt. */
  timeoutMs?: number;
  /** Attempts in all (the retries reuse one idempotency key, so a retried success is not "spent"). */
  attempts?: number;
  requestId?: string;
};

/** Cloudflare caps tokens at 2048 characters; anything longer is refused without a call. */
const MAX_TOKEN_CHARS = 2048;

type SiteverifyBody = {
  success?: unknown;
  'error-codes'?: unknown;
  hostname?: unknown;
  action?: unknown;
};

class Retryable extends Error {}

/**
 * Cloudflare's siteverify over fetch. Single use is siteverify's to enforce: a token verified twice
 * answers `timeout-or-duplicate`. A retry after a lost answer would see exactly that, so every
 * attempt of one verification sends the same `idempotency_key` and siteverify answers it as the first.
 */
export function siteverifyVerifier(options: SiteverifyOptions): TurnstileVerifier {
  const doFetch = options.fetch ?? ((request: Request) => fetch(request));
  const timeoutMs = options.timeoutMs ?? 5_000;
  const attempts = options.attempts ?? 2;
  return {
    async verify(check: TurnstileCheck): Promise<TurnstileOutcome> {
      if (!check.token || check.token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'invalid' };
      const idempotencyKey = crypto.randomUUID();
      for (let attempt = 1; ; attempt++) {
        try {
          const body = await callOnce(doFetch, options, check, idempotencyKey, timeoutMs);
          return judge(body, check, options.requestId);
        } catch (error) {
          if (error instanceof Retryable && attempt < attempts) continue;
          log('error', 'turnstile siteverify unavailable', {
            requestId: options.requestId,
            attempt,
            ...errorDetail(error),
          });
          return { ok: false, reason: 'unavailable' };
        }
      }
    },
  };
}

async function callOnce(
  doFetch: FetchLike,
  options: SiteverifyOptions,
  check: TurnstileCheck,
  idempotencyKey: string,
  timeoutMs: number,
): Promise<SiteverifyBody> {
  const payload: Record<string, string> = {
    secret: options.secret,
    response: check.token,
    idempotency_key: idempotencyKey,
  };
  if (check.remoteIp && check.remoteIp !== 'unknown') payload.remoteip = check.remoteIp;
  const request = new Request(options.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(timeoutMs),
  });
  let res: Response;
  try {
    res = await doFetch(request);
  } catch (cause) {
    throw new Retryable('siteverify request failed', { cause });
  }
  if (res.status >= 500 || res.status === 429) {
    await res.body?.cancel();
    throw new Retryable(`siteverify answered ${res.status}`);
  }
  try {
    return (await res.json()) as SiteverifyBody;
  } catch (cause) {
    // Not JSON (an interstitial page, a proxy's error): no answer at all, not a refusal of the token.
    throw new Retryable(`siteverify answered ${res.status} without JSON`, { cause });
  }
}

function judge(body: SiteverifyBody, check: TurnstileCheck, requestId: string | undefined): TurnstileOutcome {
  const codes = Array.isArray(body['error-codes']) ? body['error-codes'].map(String) : [];
  if (body.success !== true) {
    if (codes.includes('timeout-or-duplicate')) return { ok: false, reason: 'spent' };
    if (codes.some((code) => code.endsWith('-secret'))) {
      log('error', 'turnstile siteverify refused the secret key', { requestId, codes });
      return { ok: false, reason: 'misconfigured' };
    }
    if (codes.includes('internal-error')) return { ok: false, reason: 'unavailable' };
    return { ok: false, reason: 'invalid' };
  }
  const hostname = typeof body.hostname === 'string' ? body.hostname.toLowerCase() : '';
  if (!check.expectedHostnames.includes(hostname)) return { ok: false, reason: 'hostname' };
  if (check.expectedAction && body.action !== check.expectedAction) return { ok: false, reason: 'action' };
  return { ok: true };
}
