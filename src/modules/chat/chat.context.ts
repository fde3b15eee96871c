import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';
import { admissionOf, visitorAdmissionOf } from '../admission/admission.client';
import { reserveAll, reserveFromCeiling } from '../admission/ceiling';
import { reserveSiteTokens } from '../admission/guest-admission';
import { currentUser } from '../auth/authenticate';
import { faqLookup } from '../faqs/faq-lookup';
import { siteSettings } from '../site-settings/site-settings';
import type { ChatDeps } from './chat.service';

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
    admit,
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
