import type { Db } from '../../db/client';
import type { ChatConfig } from '../chat/chat.config';
import type { FaqLookup } from '../chat/chat.types';
import { findFaqAnswer } from './faqs.service';

/**
 * The knowledge base as the chat consumes it: the strong match, if any, and grounding entries.
 * Answered from the isolate's FAQ snapshot (FAQ_CACHE_SECONDS); `waitUntil` keeps its background
 * refresh alive after the response, so no chat message waits on D1 once the snapshot is loaded.
 */
export const faqLookup =
  (db: Db, chat: Pick<ChatConfig, 'faqCacheSeconds'>, waitUntil: (promise: Promise<unknown>) => void): FaqLookup =>
  async (message) => {
    const { strong, grounding } = await findFaqAnswer(db, message, { ttlSeconds: chat.faqCacheSeconds, waitUntil });
    const view = (hit: (typeof grounding)[number]) => ({
      id: hit.faq.id,
      question: hit.faq.question,
      answer: hit.faq.answer,
    });
    return { strong: strong ? view(strong) : undefined, references: grounding.map(view) };
  };
