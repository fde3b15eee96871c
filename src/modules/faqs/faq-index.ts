import { queryPhrases, stem, tokenize } from './faq-text';
import { FTS_WEIGHTS } from './faqs-fts.table';

/**
 * An in-memory full-text index over the published FAQ entries, so the chat finds its candidates
 * without a D1 query. It ranks as FTS5's built-in `bm25(faqs_fts, 4, 1, 2)` does (fts5_aux.c: same
 * formula, constants, column weights and query semantics), because the strong-match rule's margin was
 * tuned on those scores. Two differences are deliberate:
 *
 * - Words are compared on our light `stem`, not on Porter (which lives inside SQLite). They agree on
 *   the plurals and tenses customers type; they differ on rarer derivations ("damage" is "damag" to
 *   Porter, so FTS5 also finds "damaged" for it, and we do not).
 * - N, document frequencies and the average length count the indexed (published) entries only; FTS5
 *   counts every row of faqs_fts, drafts included. A draft no longer shifts how published entries rank.
 */

/** What the index needs of an entry. `createdAt` is an ISO timestamp: the newer entry wins a tie. */
export type IndexableFaq = {
  id: string;
  question: string;
  answer: string;
  tags: readonly string[];
  createdAt: string;
};

export type IndexHit<T> = { faq: T; score: number };

type Posting = { doc: number; weightedCount: number };

export type FaqIndex<T extends IndexableFaq> = {
  readonly entries: readonly T[];
  /** Tokens per entry over all columns, unweighted (FTS5's xColumnSize(-1)). */
  readonly lengths: readonly number[];
  readonly avgdl: number;
  /** stem → entries holding it, with Σ column weight × occurrences. */
  readonly postings: ReadonlyMap<string, readonly Posting[]>;
  /** The distinct stems, sorted, so a prefix is one run found by binary search. */
  readonly vocabulary: readonly string[];
};

// FTS5's bm25 constants (fts5_aux.c), and the floor it puts under an idf that would be ≤ 0.
const K1 = 1.2;
const B = 0.75;
const MIN_IDF = 1e-6;

/** Indexes question, answer and tags as the three FTS5 columns; tags are tokenized as FTS5 sees them. */
export function buildFaqIndex<T extends IndexableFaq>(entries: readonly T[]): FaqIndex<T> {
  const postings = new Map<string, Posting[]>();
  const lengths: number[] = [];
  entries.forEach((entry, doc) => {
    // FTS5 reads the tags column as its JSON text; quotes, brackets and commas are separators, so
    // its tokens are the tags' own ("missing-items" → missing, items).
    const columns: [string[], number][] = [
      [tokenize(entry.question), FTS_WEIGHTS[0]],
      [tokenize(entry.answer), FTS_WEIGHTS[1]],
      [entry.tags.flatMap(tokenize), FTS_WEIGHTS[2]],
    ];
    const counts = new Map<string, number>();
    let length = 0;
    for (const [words, weight] of columns) {
      length += words.length;
      for (const term of words.map(stem)) counts.set(term, (counts.get(term) ?? 0) + weight);
    }
    lengths.push(length);
    for (const [term, weightedCount] of counts) {
      const list = postings.get(term) ?? [];
      list.push({ doc, weightedCount });
      postings.set(term, list);
    }
  });
  const total = lengths.reduce((sum, n) => sum + n, 0);
  return {
    entries,
    lengths,
    avgdl: entries.length > 0 ? total / entries.length : 0,
    postings,
    vocabulary: [...postings.keys()].sort(),
  };
}

/** The indexed stems a phrase matches: its own stem exactly, or every stem it is a prefix of. */
function matchingStems(index: FaqIndex<IndexableFaq>, phrase: { text: string; prefix: boolean }): string[] {
  const target = stem(phrase.text);
  if (!phrase.prefix) return index.postings.has(target) ? [target] : [];
  const { vocabulary } = index;
  let lo = 0;
  let hi = vocabulary.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((vocabulary[mid] as string) < target) lo = mid + 1;
    else hi = mid;
  }
  const found: string[] = [];
  for (let i = lo; i < vocabulary.length && (vocabulary[i] as string).startsWith(target); i++) {
    found.push(vocabulary[i] as string);
  }
  return found;
}

/** Weighted frequency of one phrase in each entry that holds it (FTS5's aFreq, summed per instance). */
function phraseFrequencies(index: FaqIndex<IndexableFaq>, phrase: { text: string; prefix: boolean }) {
  const freq = new Map<number, number>();
  for (const term of matchingStems(index, phrase)) {
    for (const { doc, weightedCount } of index.postings.get(term) ?? []) {
      freq.set(doc, (freq.get(doc) ?? 0) + weightedCount);
    }
  }
  return freq;
}

const byRelevance = <T extends IndexableFaq>(a: IndexHit<T>, b: IndexHit<T>) =>
  b.score - a.score ||
  (a.faq.createdAt < b.faq.createdAt ? 1 : a.faq.createdAt > b.faq.createdAt ? -1 : 0) ||
  (a.faq.id < b.faq.id ? -1 : a.faq.id > b.faq.id ? 1 : 0);

/**
 * Entries matching any of `terms` (words from `tokenize`, ORed as `toFtsQuery` does), best first:
 * score descending (bm25 made positive, as the SQL search reports it), then newest, then id.
 */
export function searchFaqIndex<T extends IndexableFaq>(
  index: FaqIndex<T>,
  terms: readonly string[],
  limit: number,
): IndexHit<T>[] {
  const n = index.entries.length;
  const phrases = queryPhrases(terms);
  if (n === 0 || phrases.length === 0) return [];
  const freqs = phrases.map((phrase) => phraseFrequencies(index, phrase));
  const idfs = freqs.map((freq) => {
    const idf = Math.log((n - freq.size + 0.5) / (freq.size + 0.5));
    return idf <= 0 ? MIN_IDF : idf;
  });
  const matched = new Set(freqs.flatMap((freq) => [...freq.keys()]));
  const hits = [...matched].map((doc) => {
    const dl = index.lengths[doc] as number;
    let score = 0;
    // Same operations in the same order as fts5Bm25Function, so scores agree to the last bit or so.
    freqs.forEach((freq, i) => {
      const f = freq.get(doc) ?? 0;
      score += (idfs[i] as number) * ((f * (K1 + 1.0)) / (f + K1 * (1 - B + (B * dl) / index.avgdl)));
    });
    return { faq: index.entries[doc] as T, score };
  });
  return hits.sort(byRelevance).slice(0, limit);
}
