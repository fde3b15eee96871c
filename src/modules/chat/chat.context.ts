import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import type { AppEnv } from '../../lib/types';
import { admissionOf, visitorAdmissionOf } from '../admission/admission.client';
import { reserveAll, reserveFromCeiling } from '../admission/ceiling';
import { reserveSiteTokens } from '../admission/guest-admission';
import { currentUser } from '../auth/authenticate';
import { searchDocumentChunks } from '../documents/document-search';
import { faqLookup } from '../faqs/faq-lookup';
import { handoffContextOf } from '../handoff/handoff.context';
import { siteSettings } from '../site-settings/site-settings';
import type { ChatDeps } from './chat.service';

/** Chunks offered to the prompt; the reference budget decides how many it keeps. */
const DOCUMENT_CHUNKS = 3;

/**
 * Everything a chat turn needs from the request. The abort signal fires when the client goes away
 * (request.signal) or when the response stream is cancelled, whichever the runtime reports first.
 */
export async function chatDeps(c: Context<AppEnv>, abort: AbortController): Promise<ChatDeps> {
  const db = dbOf(c);
  const config = c.get('config');
  const caller = currentUser(c);
  const admit = c.get('admit');
  if (!admit) throw new Error('chat turn without an identified caller');
  const requestId = c.get('requestId');
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  c.req.raw.signal.addEventListener('abort', () => abort.abort(c.req.raw.signal.reason), { once: true });
  const deployment = (day: string, tokens: number) =>
    reserveFromCeiling(c.env.BUDGET_SHARDS, config.chat.ceiling, day, tokens, requestId);
  const common = {
    db,
    config,
    faq: faqLookup(db, config.chat, waitUntil),
    // Grounding is best effort: a failed search answers without documents rather than not at all.
    documents: (message: string) =>
      searchDocumentChunks(c.env.DB, message, DOCUMENT_CHUNKS).catch((error: unknown) => {
        log('warn', 'document search failed, answering without documents', { requestId, ...errorDetail(error) });
        return [];
      }),
    admit,
    handoff: handoffContextOf(c),
    signal: abort.signal,
    waitUntil,
    requestId,
  };
  if (!caller.guest) {
    return {
      ...common,
      caller: { id: caller.id, role: caller.role, models: caller.apiKey?.models ?? null },
      settle: (request) => admissionOf(c.env.ADMISSION, caller.id).settle(request),
      reserveCeiling: deployment,
    };
  }
  // A guest: their site's limits (the isolate's copy; admission checks the site is still there and open).
  const site = await siteSettings(db, caller.guest.siteId);
  if (!site) {
    await admit();
    throw new Error('guest admitted for a site that is gone');
  }
  return {
    ...common,
    caller: {
      id: caller.id,
      role: 'guest',
      guest: {
        siteId: site.id,
        customer: caller.guest.customer,
        messagesPerDay: site.limits.messagesPerDay,
        tokensPerDay: site.limits.tokensPerDay,
      },
    },
    settle: (request) => visitorAdmissionOf(c.env.ADMISSION, caller.id).settle(request),
    reserveCeiling: (day, tokens) => reserveAll([deployment(day, tokens), reserveSiteTokens(c, site, day, tokens)]),
  };
}
