import type { Db } from '../../db/client';
import type { FaqLookup } from '../chat/chat.types';
import { findFaqAnswer } from './faqs.service';

/** The knowledge base as the chat consumes it: the strong match, if any, and grounding entries. */
export const faqLookup =
  (db: Db): FaqLookup =>
  async (message) => {
    const { strong, grounding } = await findFaqAnswer(db, message);
    const view = (hit: (typeof grounding)[number]) => ({
      id: hit.faq.id,
      question: hit.faq.question,
      answer: hit.faq.answer,
    });
    return { strong: strong ? view(strong) : undefined, references: grounding.map(view) };
  };
