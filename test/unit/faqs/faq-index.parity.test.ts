import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client';
import type { FaqIndex } from '../../../src/modules/faqs/faq-index';
import { searchFaqIndex } from '../../../src/modules/faqs/faq-index';
import { MAX_QUERY_TERMS, messageTerms, toFtsQuery } from '../../../src/modules/faqs/faq-text';
import { type FaqView, loadPublishedFaqIndex } from '../../../src/modules/faqs/faqs.service';
import { FTS_WEIGHTS } from '../../../src/modules/faqs/faqs-fts.table';

// The in-memory index against FTS5 itself, on the FreshCart demo seed (migration 0005).
const db = createDb(env.DB);

/** What FTS5 answers for the same terms: ids best first with bm25 made positive, as the SQL search ranks. */
async function fts5(terms: readonly string[]): Promise<{ id: string; score: number }[]> {
  const { results } = await env.DB.prepare(
    `SELECT faqs.id, bm25(faqs_fts, ${FTS_WEIGHTS.join(', ')}) AS rank
       FROM faqs_fts JOIN faqs ON faqs.rowid = faqs_fts.rowid
      WHERE faqs_fts MATCH ? ORDER BY rank, faqs.created_at DESC, faqs.id`,
  )
    .bind(toFtsQuery(terms))
    .all<{ id: string; rank: number }>();
  return results.map((row) => ({ id: row.id, score: -row.rank }));
}

const chatTerms = (message: string) => {
  const { terms, expanded } = messageTerms(message);
  return [...terms, ...expanded];
};

// Messages where Porter (inside FTS5) and our light `stem` agree on every word. Left out on purpose,
// because the two stemmers legitimately differ there (the chat's expectations still hold for them):
// "damage" (Porter: damag*, which also finds "damaged"), "cancelled" (cancel*, also "cancel"),
// "substitutions" (substitut*, also "substitute"), "delete" (delet*, also "deleted"), "charges"
// (charg*, also "charged"), "apple" (appl*, which finds "applied" too).
const MESSAGES = [
  'What are your delivery hours?',
  'when do you deliver',
  'What are your delivery hours on Sunday?',
  'Where is my order?',
  'how long does a refund take',
  'When will I get my refund?',
  'cancel order',
  'can I change my delivery slot',
  'how much is delivery',
  'how can I talk to a human',
  'My order arrived with a broken egg, can I get a refund?',
  'delivery',
  'refund',
  'my eggs were cracked',
  'what if something is out of stock',
  'do you deliver to springfield',
  'refund for a damaged order',
  'damaged items',
  'missing items',
  'payment methods',
  'tracking my driver',
  'promo code',
  'delivered late',
  'contact support',
  'areas postcode',
];

let index: FaqIndex<FaqView>;

beforeAll(async () => {
  // FTS5 counts every row of faqs_fts, the index only published ones: parity needs them to be the same.
  const drafts = await env.DB.prepare('SELECT count(*) AS n FROM faqs WHERE published = 0').first<{ n: number }>();
  expect(drafts?.n).toBe(0);
  index = await loadPublishedFaqIndex(db);
  expect(index.entries.length).toBe(15);
});

function expectParity(terms: readonly string[], sql: { id: string; score: number }[]) {
  const memory = searchFaqIndex(index, terms, 100);
  expect(sql.length).toBeGreaterThan(0);
  // Same entries, each with the same score.
  expect(memory.map((hit) => hit.faq.id).sort()).toEqual(sql.map((row) => row.id).sort());
  const bySql = new Map(sql.map((row) => [row.id, row.score]));
  for (const hit of memory) expect(hit.score).toBeCloseTo(bySql.get(hit.faq.id) ?? Number.NaN, 9);
  // Same order wherever the scores are apart; below 1e-3 they are clamped-idf near-ties.
  const ranked = (rows: { id: string; score: number }[]) => rows.filter((r) => r.score > 1e-3).map((r) => r.id);
  expect(ranked(memory.map((hit) => ({ id: hit.faq.id, score: hit.score })))).toEqual(ranked(sql));
}

describe('in-memory bm25 against FTS5 bm25(faqs_fts, 4, 1, 2)', () => {
  it.each(MESSAGES)('ranks and scores %j as FTS5 does', async (message) => {
    const terms = chatTerms(message);
    expectParity(terms, await fts5(terms));
  });

  it('agrees on a repeated term (one phrase each) and on a query cut at MAX_QUERY_TERMS', async () => {
    const padding = Array.from({ length: MAX_QUERY_TERMS - 2 }, (_, i) => `xq${i}`);
    // "refund" is the 17th term: neither side may see it, and it would change the ranking if seen.
    const cut = ['hours', ...padding, 'slot', 'refund'];
    expect(searchFaqIndex(index, cut, 100)).not.toEqual(searchFaqIndex(index, ['hours', 'slot', 'refund'], 100));
    for (const terms of [['refund', 'refund', 'hours'], cut]) expectParity(terms, await fts5(terms));
  });
});
