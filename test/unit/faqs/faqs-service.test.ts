import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client';
import {
  createFaq,
  deleteFaq,
  faqHitStatement,
  getFaq,
  listFaqs,
  searchFaqs,
  updateFaq,
} from '../../../src/modules/faqs/faqs.service';

const db = createDb(env.DB);
const all = { publishedOnly: false };
const published = { publishedOnly: true };

const entry = (question: string, extra: Partial<{ answer: string; tags: string[]; published: boolean }> = {}) =>
  createFaq(
    db,
    { question, answer: extra.answer ?? 'An answer.', tags: extra.tags ?? [], published: true, ...extra },
    null,
  );

describe('FAQ service', () => {
  it('creates, reads, updates and deletes an entry', async () => {
    const created = await entry('Do you stock quinces?', { tags: ['fruit'], published: false });
    expect(created).toMatchObject({ question: 'Do you stock quinces?', tags: ['fruit'], published: false });
    await expect(getFaq(db, created.id, published)).rejects.toMatchObject({ status: 404 });
    expect((await getFaq(db, created.id, all)).id).toBe(created.id);

    const updated = await updateFaq(db, created.id, { published: true, answer: 'In autumn.' });
    expect(updated).toMatchObject({ published: true, answer: 'In autumn.', question: 'Do you stock quinces?' });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));

    await deleteFaq(db, created.id);
    await expect(getFaq(db, created.id, all)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    await expect(deleteFaq(db, created.id)).rejects.toMatchObject({ status: 404 });
    await expect(updateFaq(db, created.id, { published: false })).rejects.toMatchObject({ status: 404 });
  });

  it('searches by relevance with bm25 scores, best first, and hides drafts when asked', async () => {
    const strong = await entry('How fresh are your persimmons?', { tags: ['persimmons'] });
    const weak = await entry('Seasonal fruit', { answer: 'Persimmons arrive in October.' });
    const draft = await entry('Persimmon recipes', { published: false });

    const hits = await searchFaqs(db, 'persimmons', { ...all, limit: 10 });
    // Question and tag beat question alone, which beats a mention in the answer (column weights 4, 1, 2).
    expect(hits.map((h) => h.faq.id)).toEqual([strong.id, draft.id, weak.id]);
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? Number.POSITIVE_INFINITY);

    const visible = await searchFaqs(db, 'persimmons', { ...published, limit: 10 });
    expect(visible.map((h) => h.faq.id)).not.toContain(draft.id);
  });

  it('filters by tag and pages newest first without a query', async () => {
    const tag = `t-${crypto.randomUUID().slice(0, 8)}`;
    const first = await entry('Tagged one', { tags: [tag] });
    const second = await entry('Tagged two', { tags: [tag, 'other'] });
    await entry('Untagged', {});

    const page1 = await listFaqs(db, { page: 1, pageSize: 1, tag, ...published });
    expect(page1).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(page1.items.map((i) => i.id)).toEqual([second.id]);
    const page2 = await listFaqs(db, { page: 2, pageSize: 1, tag, ...published });
    expect(page2.items.map((i) => i.id)).toEqual([first.id]);

    const searched = await listFaqs(db, { page: 1, pageSize: 10, q: 'tagged', tag, ...published });
    expect(searched.total).toBe(2);
  });

  it('counts hits without touching updatedAt', async () => {
    const faq = await entry('Do you deliver kumquats?');
    await faqHitStatement(db, faq.id);
    await faqHitStatement(db, faq.id);
    const row = await env.DB.prepare('SELECT hit_count, updated_at FROM faqs WHERE id = ?')
      .bind(faq.id)
      .first<{ hit_count: number; updated_at: number }>();
    expect(row?.hit_count).toBe(2);
    expect(row?.updated_at).toBe(Date.parse(faq.updatedAt));
  });

  it('keeps an entry when its author is deleted', async () => {
    const authorId = crypto.randomUUID();
    await env.DB.prepare("INSERT INTO users (id, email, username, password_hash) VALUES (?, ?, ?, 'x')")
      .bind(authorId, `${authorId}@example.com`, authorId.slice(0, 12))
      .run();
    const faq = await createFaq(
      db,
      { question: 'Who wrote this?', answer: 'Someone.', tags: [], published: true },
      authorId,
    );
    await env.DB.prepare('DELETE FROM users WHERE id = ?').bind(authorId).run();
    const row = await env.DB.prepare('SELECT created_by FROM faqs WHERE id = ?').bind(faq.id).first();
    expect(row).toEqual({ created_by: null });
  });

  it('treats any user text as words, never as FTS5 syntax', async () => {
    const hostile = [
      '"',
      '""',
      'NEAR(',
      'NEAR(a b, 2)',
      '*',
      'a*',
      'col:',
      'question:x',
      '-x',
      ') OR (',
      '^start',
      'a AND',
      'NOT',
      '🙂🥑',
      "' OR 1=1 --",
      '\\',
    ];
    for (const text of hostile) {
      await expect(searchFaqs(db, text, { ...published, limit: 5 }), text).resolves.toBeInstanceOf(Array);
    }
    // Operators are words: "NEAR" does not turn into a NEAR query.
    const near = await entry('What does NEAR mean on the label?');
    expect((await searchFaqs(db, 'NEAR', { ...published, limit: 5 })).map((h) => h.faq.id)).toContain(near.id);
  });
});
