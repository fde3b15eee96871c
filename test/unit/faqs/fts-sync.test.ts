import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

const insert = (id: string, question: string, answer: string, tags: string[]) =>
  env.DB.prepare('INSERT INTO faqs (id, question, answer, tags, published) VALUES (?, ?, ?, ?, 1)')
    .bind(id, question, answer, JSON.stringify(tags))
    .run();

const idsMatching = async (query: string) => {
  const { results } = await env.DB.prepare(
    'SELECT faqs.id FROM faqs_fts JOIN faqs ON faqs.rowid = faqs_fts.rowid WHERE faqs_fts MATCH ? ORDER BY bm25(faqs_fts)',
  )
    .bind(query)
    .all<{ id: string }>();
  return results.map((r) => r.id);
};

/** FTS5's own check that an external-content index agrees with its content table, row for row. */
const integrityCheck = () =>
  env.DB.prepare("INSERT INTO faqs_fts (faqs_fts, rank) VALUES ('integrity-check', 1)").run();

describe('faqs_fts triggers', () => {
  it('indexes inserts, re-indexes updates and forgets deletes', async () => {
    await insert('fts-1', 'Do you sell zeppelins?', 'Only on Tuesdays.', ['aircraft']);
    expect(await idsMatching('"zeppelins"')).toEqual(['fts-1']);
    expect(await idsMatching('"aircraft"')).toEqual(['fts-1']);
    // Porter stemming: the singular finds the plural.
    expect(await idsMatching('"zeppelin"')).toEqual(['fts-1']);

    await env.DB.prepare(
      "UPDATE faqs SET question = 'Do you sell submarines?', tags = '[\"boats\"]' WHERE id = 'fts-1'",
    )
      .bind()
      .run();
    expect(await idsMatching('"zeppelins"')).toEqual([]);
    expect(await idsMatching('"aircraft"')).toEqual([]);
    expect(await idsMatching('"submarine"')).toEqual(['fts-1']);
    await integrityCheck();

    await env.DB.prepare("DELETE FROM faqs WHERE id = 'fts-1'").run();
    expect(await idsMatching('"submarine"')).toEqual([]);
    expect(await idsMatching('"tuesdays"')).toEqual([]);
    await integrityCheck();
  });

  it('leaves the index alone when only counters or flags change', async () => {
    await insert('fts-2', 'Can I pay with seashells?', 'No, cards only.', []);
    await env.DB.prepare("UPDATE faqs SET hit_count = hit_count + 1, published = 0 WHERE id = 'fts-2'").run();
    expect(await idsMatching('"seashells"')).toEqual(['fts-2']);
    await integrityCheck();
  });

  it('keeps rowids stable links: an update that rewrites the row still finds the same entry', async () => {
    await insert('fts-3', 'Where is the kiwi aisle?', 'Aisle 4.', []);
    await insert('fts-4', 'Where is the mango aisle?', 'Aisle 5.', []);
    await env.DB.prepare("UPDATE faqs SET answer = 'Aisle 9, next to the kiwis.' WHERE id = 'fts-4'").run();
    expect((await idsMatching('"kiwi"')).sort()).toEqual(['fts-3', 'fts-4']);
    await integrityCheck();
  });
});
