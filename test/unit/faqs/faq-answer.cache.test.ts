import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client';
import {
  createFaq,
  deleteFaq,
  type FaqAnswer,
  findFaqAnswer,
  loadPublishedFaqIndex,
  updateFaq,
} from '../../../src/modules/faqs/faqs.service';

// The chat's lookup through the isolate's own snapshot, with a TTL long enough that only an
// invalidation (or TTL 0) can explain seeing a change.
const db = createDb(env.DB);
const cached = { ttlSeconds: 3600 };
const QUESTION = 'Do you sell kombucha hampers?';
const ask = (message: string, cache = cached) => findFaqAnswer(db, message, cache);
const groundingIds = (answer: FaqAnswer) => answer.grounding.map((hit) => hit.faq.id);

describe('the chat FAQ snapshot and edits', () => {
  it('sees a create, an update, an unpublish and a delete made through the service at the next lookup', async () => {
    await ask('delivery hours'); // the snapshot is loaded and would otherwise answer for an hour

    const faq = await createFaq(
      db,
      { question: QUESTION, answer: 'Yes, in December.', tags: [], published: true },
      null,
    );
    expect((await ask(QUESTION)).strong?.faq).toMatchObject({ id: faq.id, answer: 'Yes, in December.' });

    await updateFaq(db, faq.id, { answer: 'Yes, all year round.' });
    expect((await ask(QUESTION)).strong?.faq.answer).toBe('Yes, all year round.');

    await updateFaq(db, faq.id, { published: false });
    expect(groundingIds(await ask(QUESTION))).not.toContain(faq.id);

    await updateFaq(db, faq.id, { published: true });
    expect((await ask(QUESTION)).strong?.faq.id).toBe(faq.id);

    await deleteFaq(db, faq.id);
    const gone = await ask(QUESTION);
    expect(gone.strong).toBeNull();
    expect(groundingIds(gone)).not.toContain(faq.id);
  });

  it('does not see a write made behind its back (another isolate) until it reloads; TTL 0 always does', async () => {
    await ask('delivery hours');
    await env.DB.prepare(
      "INSERT INTO faqs (id, question, answer, tags, published) VALUES ('behind-back', ?, 'Yes.', '[]', 1)",
    )
      .bind(QUESTION)
      .run();
    expect(groundingIds(await ask(QUESTION))).not.toContain('behind-back');
    expect((await ask(QUESTION, { ttlSeconds: 0 })).strong?.faq.id).toBe('behind-back');
    await env.DB.prepare("DELETE FROM faqs WHERE id = 'behind-back'").run();
    expect((await ask(QUESTION, { ttlSeconds: 0 })).strong).toBeNull();
  });

  it('indexes published entries only', async () => {
    const draft = await createFaq(db, { question: QUESTION, answer: 'Soon.', tags: [], published: false }, null);
    const index = await loadPublishedFaqIndex(db);
    expect(index.entries.map((entry) => entry.id)).not.toContain(draft.id);
    expect(index.entries.every((entry) => entry.published)).toBe(true);
    expect(index.entries.length).toBeGreaterThan(0);
    expect(groundingIds(await ask(QUESTION))).not.toContain(draft.id);
    await deleteFaq(db, draft.id);
  });
});
