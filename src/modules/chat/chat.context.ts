import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';
import { admissionOf } from '../admission/admission.client';
import { reserveFromCeiling } from '../admission/ceiling';
import { currentUser } from '../auth/authenticate';
import { faqLookup } from '../faqs/faq-lookup';
import type { ChatDeps } from './chat.service';

/**
 * Everything a chat turn needs from the request. The abort signal fires when the client goes away
 * (request.signal) or when the response stream is cancelled, whichever the runtime reports first.
 */
export function chatDeps(c: Context<AppEnv>, abort: AbortController): ChatDeps {
  const db = dbOf(c);
  const config = c.get('config');
  const caller = currentUser(c);
  const admit = c.get('admit');
  if (!admit) throw new Error('chat turn without an identified caller');
  const requestId = c.get('requestId');
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  c.req.raw.signal.addEventListener('abort', () => abort.abort(c.req.raw.signal.reason), { once: true });
  return {
    db,
    config,
    caller: { id: caller.id, role: caller.role, models: caller.apiKey?.models ?? null },
    faq: faqLookup(db, config.chat, waitUntil),
    admit,
    settle: (request) => admissionOf(c.env.ADMISSION, caller.id).settle(request),
    reserveCeiling: (day, tokens) =>
      reserveFromCeiling(c.env.BUDGET_SHARDS, config.chat.ceiling, day, tokens, requestId),
    signal: abort.signal,
    waitUntil,
    requestId,
  };
}
