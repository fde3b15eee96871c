import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';
import { currentUser } from '../../middleware/authenticate';
import { faqLookup } from '../faqs/faq-lookup';
import type { ChatDeps } from './chat.service';

/**
 * Everything a chat turn needs from the request. The abort signal fires when the client goes away
 * (request.signal) or when the response stream is cancelled, whichever the runtime reports first.
 */
export function chatDeps(c: Context<AppEnv>, abort: AbortController): ChatDeps {
  const db = dbOf(c);
  c.req.raw.signal.addEventListener('abort', () => abort.abort(c.req.raw.signal.reason), { once: true });
  return {
    db,
    config: c.get('config'),
    caller: currentUser(c),
    faq: faqLookup(db, c.get('config').chat, (promise) => c.executionCtx.waitUntil(promise)),
    gates: c.env.USER_GATE,
    signal: abort.signal,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    requestId: c.get('requestId'),
    admission: c.get('admission'),
  };
}
