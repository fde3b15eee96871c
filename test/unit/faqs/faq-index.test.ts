import { describe, expect, it } from 'vitest';
import { buildFaqIndex, type IndexableFaq, searchFaqIndex } from '../../../src/modules/faqs/faq-index';
import { MAX_QUERY_TERMS } from '../../../src/modules/faqs/faq-text';

let seq = 0;
const entry = (question: string, answer = '', tags: string[] = [], createdAt = '2026-01-01T00:00:00.000Z') => {
  seq += 1;
  return { id: `e${String(seq).padStart(3, '0')}`, question, answer, tags, createdAt };
};
/** Entries that match nothing searched below but count toward N and the average length. */
const fillers = (n: number, words = 'alpha beta gamma delta') =>
  Array.from({ length: n }, () => entry(words.split(' ').slice(0, 2).join(' '), words.split(' ').slice(2).join(' ')));

/** bm25 for one phrase as fts5_aux.c writes it, to check the index against an independent formula. */
const bm25 = (idf: number, f: number, dl: number, avgdl: number) =>
  idf * ((f * 2.2) / (f + 1.2 * (1 - 0.75 + (0.75 * dl) / avgdl)));
const idfOf = (n: number, hits: number) => Math.log((n - hits + 0.5) / (hits + 0.5));

const search = (entries: IndexableFaq[], terms: string[], limit = 50) =>
  searchFaqIndex(buildFaqIndex(entries), terms, limit);
const ids = (hits: { faq: { id: string } }[]) => hits.map((hit) => hit.faq.id);

describe('in-memory FAQ index', () => {
  it('weighs a term by the column it is in: question 4, tags 2, answer 1', () => {
    // Every entry is four tokens long, so only the column weight differs.
    const inQuestion = entry('kiwi alpha', 'beta gamma');
    const inAnswer = entry('alpha beta', 'kiwi gamma');
    const inTags = entry('alpha beta', 'gamma', ['kiwi']);
    const corpus = [inAnswer, inTags, inQuestion, ...fillers(5)];
    const idf = idfOf(8, 3);
    const hits = search(corpus, ['kiwi']);
    expect(ids(hits)).toEqual([inQuestion.id, inTags.id, inAnswer.id]);
    expect(hits.map((hit) => hit.score)).toEqual([
      expect.closeTo(bm25(idf, 4, 4, 4), 12),
      expect.closeTo(bm25(idf, 2, 4, 4), 12),
      expect.closeTo(bm25(idf, 1, 4, 4), 12),
    ]);
  });

  it('counts every occurrence, and ranks a longer entry lower for the same weighted frequency', () => {
    const short = entry('kiwi', 'kiwi');
    const long = entry('kiwi', 'kiwi and many other words besides');
    const corpus = [long, short, ...fillers(6)];
    const avgdl = (2 + 7 + 6 * 4) / 8;
    const hits = search(corpus, ['kiwi']);
    expect(ids(hits)).toEqual([short.id, long.id]);
    expect(hits[0]?.score).toBeCloseTo(bm25(idfOf(8, 2), 5, 2, avgdl), 12);
    expect(hits[1]?.score).toBeCloseTo(bm25(idfOf(8, 2), 5, 7, avgdl), 12);
  });

  it('clamps an idf at or below zero to 1e-6, so a term in most entries still ranks them, faintly', () => {
    // 2 of 4 entries: ln(2.5 / 2.5) = 0 exactly; 3 of 4 would be negative. Both clamp.
    const half = [entry('kiwi one'), entry('kiwi two'), entry('plum three'), entry('plum four')];
    for (const hit of search(half, ['kiwi'])) expect(hit.score).toBeCloseTo(1e-6 * bm25(1, 4, 2, 2), 18);
    const most = [entry('kiwi one'), entry('kiwi two'), entry('kiwi three'), entry('plum four')];
    const scores = search(most, ['kiwi']).map((hit) => hit.score);
    expect(scores).toHaveLength(3);
    for (const score of scores) expect(score).toBeCloseTo(1e-6 * bm25(1, 4, 2, 2), 18);
  });

  it('matches terms of four characters or more as prefixes, shorter ones exactly, on stems', () => {
    const ship = entry('Do you ship abroad?');
    const shipping = entry('Shipping costs');
    const fees = entry('What fees apply?');
    const feedback = entry('Feedback form');
    const teapot = entry('Teapot sizes');
    const corpus = [ship, shipping, fees, feedback, teapot, ...fillers(5)];
    expect(ids(search(corpus, ['ship'])).sort()).toEqual([ship.id, shipping.id].sort());
    expect(ids(search(corpus, ['fee']))).toEqual([fees.id]); // "fees" stems to fee; "feedback" is not fee
    expect(ids(search(corpus, ['tea']))).toEqual([]);
    expect(ids(search(corpus, ['teap']))).toEqual([teapot.id]);
    expect(ids(search(corpus, ['shipped']))).toEqual([shipping.id]); // stem "shipp", a prefix of "shipping"'s
  });

  it('agrees on plurals and tenses: the message and the entry are compared on stems', () => {
    const refund = entry('When is my refund paid?', 'We refunded it.');
    const delivery = entry('Delivery areas');
    const corpus = [refund, delivery, ...fillers(4)];
    expect(ids(search(corpus, ['refunds']))).toEqual([refund.id]);
    expect(ids(search(corpus, ['deliveries']))).toEqual([delivery.id]);
    expect(search(corpus, ['refunds'])[0]?.score).toBeCloseTo(search(corpus, ['refund'])[0]?.score ?? 0, 12);
  });

  it('indexes tags as their words, hyphenated slugs included', () => {
    const tagged = entry('What if something is wrong?', 'Tell us.', ['missing-items', 'refund']);
    expect(ids(search([tagged, ...fillers(3)], ['items']))).toEqual([tagged.id]);
  });

  it('ORs the terms, counts a repeated term twice as FTS5 does, and reads at most MAX_QUERY_TERMS', () => {
    const kiwi = entry('kiwi alpha');
    const plum = entry('plum alpha');
    const corpus = [kiwi, plum, ...fillers(4)];
    expect(ids(search(corpus, ['kiwi', 'plum'])).sort()).toEqual([kiwi.id, plum.id].sort());
    const once = search(corpus, ['kiwi'])[0]?.score ?? 0;
    expect(search(corpus, ['kiwi', 'kiwi'])[0]?.score).toBeCloseTo(2 * once, 12);
    const padding = Array.from({ length: MAX_QUERY_TERMS }, (_, i) => `nothing${i}`);
    expect(search(corpus, [...padding, 'kiwi'])).toEqual([]);
    expect(ids(search(corpus, [...padding.slice(1), 'kiwi']))).toEqual([kiwi.id]);
  });

  it('breaks ties by newest first, then by id, as the SQL search orders them', () => {
    const older = entry('kiwi', '', [], '2026-01-01T00:00:00.000Z');
    const newer = entry('kiwi', '', [], '2026-02-01T00:00:00.000Z');
    const twinA = { ...entry('kiwi', '', [], '2026-01-01T00:00:00.000Z'), id: 'twin-a' };
    const twinB = { ...entry('kiwi', '', [], '2026-01-01T00:00:00.000Z'), id: 'twin-b' };
    const hits = search([twinB, older, twinA, newer, ...fillers(6)], ['kiwi']);
    expect(ids(hits)).toEqual([newer.id, older.id, 'twin-a', 'twin-b']);
  });

  it('returns positive scores best first, at most `limit`, and nothing for nothing', () => {
    const corpus = [entry('kiwi kiwi'), entry('kiwi plum'), entry('kiwi plum pear fig'), ...fillers(5)];
    const hits = search(corpus, ['kiwi', 'plum'], 2);
    expect(hits).toHaveLength(2);
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? Number.POSITIVE_INFINITY);
    expect(hits.every((hit) => hit.score > 0)).toBe(true);
    expect(search(corpus, [])).toEqual([]);
    expect(search([], ['kiwi'])).toEqual([]);
    expect(search(corpus, ['durian'])).toEqual([]);
  });
});
