import { and, count, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type Faq, faqs } from '../../db/schema';
import { AppError } from '../../lib/errors';
import { buildFaqIndex, type FaqIndex, searchFaqIndex } from './faq-index';
import { judgeMatch, type MatchVerdict } from './faq-match';
import { createSnapshotCache, type SnapshotOptions } from './faq-snapshot';
import { messageTerms, significantTerms, toFtsQuery, tokenize } from './faq-text';
import type { CreateFaqInput, ListFaqsQuery, UpdateFaqInput } from './faqs.schemas';
import { FTS_WEIGHTS, faqsFts } from './faqs-fts.table';

const notFound = () => new AppError(404, 'NOT_FOUND', 'No such FAQ entry.');

/** What API callers and the chat see of an entry: not the author or the hit counter. */
export function toFaqView(row: Faq) {
  return {
    id: row.id,
    question: row.question,
    answer: row.answer,
    tags: row.tags,
    published: row.published,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export type FaqView = ReturnType<typeof toFaqView>;
/** A search result; `score` is bm25 relevance made positive: higher is better. */
export type FaqHit = { faq: FaqView; score: number };
type Visibility = { publishedOnly: boolean; tag?: string | undefined };

function visible({ publishedOnly, tag }: Visibility): SQL | undefined {
  return and(
    publishedOnly ? eq(faqs.published, true) : undefined,
    tag ? sql`exists (select 1 from json_each("faqs"."tags") where json_each.value = ${tag})` : undefined,
  );
}

/** Every published entry, read with one D1 query and indexed: what the chat matches messages against. */
export async function loadPublishedFaqIndex(db: Db): Promise<FaqIndex<FaqView>> {
  const rows = await db.select().from(faqs).where(eq(faqs.published, true));
  return buildFaqIndex(rows.map(toFaqView));
}

// The isolate's snapshot of it. Each write below invalidates it once D1 has the change, so the next
// chat through this isolate reloads and sees the edit; other isolates see it within their TTL.
const publishedIndex = createSnapshotCache(loadPublishedFaqIndex, { name: 'faqs' });

export async function createFaq(db: Db, input: CreateFaqInput, createdBy: string | null): Promise<FaqView> {
  const [row] = await db
    .insert(faqs)
    .values({ ...input, createdBy })
    .returning();
  if (!row) throw new Error('insert returned no row');
  publishedIndex.invalidate();
  return toFaqView(row);
}

export async function getFaq(db: Db, id: string, visibility: Visibility): Promise<FaqView> {
  const [row] = await db
    .select()
    .from(faqs)
    .where(and(eq(faqs.id, id), visible(visibility)))
    .limit(1);
  if (!row) throw notFound();
  return toFaqView(row);
}

export async function updateFaq(db: Db, id: string, patch: UpdateFaqInput): Promise<FaqView> {
  const [row] = await db.update(faqs).set(patch).where(eq(faqs.id, id)).returning();
  if (!row) throw notFound();
  publishedIndex.invalidate();
  return toFaqView(row);
}

export async function deleteFaq(db: Db, id: string): Promise<void> {
  const [row] = await db.delete(faqs).where(eq(faqs.id, id)).returning({ id: faqs.id });
  if (!row) throw notFound();
  publishedIndex.invalidate();
}

/** Counts one answer served from an entry, leaving `updatedAt` alone (a hit is not an edit). Batchable. */
export const faqHitStatement = (db: Db, id: string) =>
  db
    .update(faqs)
    .set({ hitCount: sql`${faqs.hitCount} + 1`, updatedAt: sql`${faqs.updatedAt}` })
    .where(eq(faqs.id, id));

const bm25 = sql<number>`bm25(${faqsFts}, ${sql.raw(FTS_WEIGHTS.join(', '))})`;
const matches = (query: string) => sql`${faqsFts} match ${query}`;
const joinFts = sql`${faqsFts.rowid} = "faqs"."rowid"`;

type SearchOptions = Visibility & { limit: number; offset?: number };

/** Entries matching any of `terms`, most relevant first (bm25 with the question weighted highest). */
async function searchByTerms(db: Db, terms: readonly string[], opts: SearchOptions): Promise<FaqHit[]> {
  const query = toFtsQuery(terms);
  if (!query) return [];
  const rows = await db
    .select({ faq: faqs, rank: bm25 })
    .from(faqs)
    .innerJoin(faqsFts, joinFts)
    .where(and(matches(query), visible(opts)))
    .orderBy(bm25, desc(faqs.createdAt), faqs.id)
    .limit(opts.limit)
    .offset(opts.offset ?? 0);
  return rows.map(({ faq, rank }) => ({ faq: toFaqView(faq), score: -rank }));
}

/** Topic words of a search; a search made only of stop words ("how to") still searches for them. */
function searchTerms(text: string): string[] {
  const terms = significantTerms(text);
  return terms.length > 0 ? terms : [...new Set(tokenize(text))];
}

/** Full-text search over question, answer and tags. User text is always escaped (see `toFtsQuery`). */
export function searchFaqs(db: Db, text: string, opts: SearchOptions): Promise<FaqHit[]> {
  return searchByTerms(db, searchTerms(text), opts);
}

async function countSearch(db: Db, text: string, visibility: Visibility): Promise<number> {
  const query = toFtsQuery(searchTerms(text));
  if (!query) return 0;
  const [row] = await db
    .select({ value: count() })
    .from(faqs)
    .innerJoin(faqsFts, joinFts)
    .where(and(matches(query), visible(visibility)));
  return row?.value ?? 0;
}

/** One page: by relevance when `q` is given, newest first otherwise. */
export async function listFaqs(db: Db, query: ListFaqsQuery & { publishedOnly: boolean }) {
  const { page, pageSize, q, tag, publishedOnly } = query;
  const visibility = { publishedOnly, tag };
  const offset = (page - 1) * pageSize;
  if (q !== undefined && q.trim() !== '') {
    const [hits, total] = await Promise.all([
      searchFaqs(db, q, { ...visibility, limit: pageSize, offset }),
      countSearch(db, q, visibility),
    ]);
    return { items: hits.map((hit) => hit.faq), page, pageSize, total };
  }
  const where = visible(visibility);
  const [rows, [total]] = await Promise.all([
    db.select().from(faqs).where(where).orderBy(desc(faqs.createdAt), faqs.id).limit(pageSize).offset(offset),
    db.select({ value: count() }).from(faqs).where(where),
  ]);
  return { items: rows.map(toFaqView), page, pageSize, total: total?.value ?? 0 };
}

export type FaqAnswer = {
  /** The entry to answer from without calling the model, or null (see STRONG_MATCH_RULE). */
  strong: FaqHit | null;
  /** The best published entries (up to 3), to ground the model's answer when nothing is strong. */
  grounding: FaqHit[];
  /** How the best candidate fared against the rule; null when nothing matched at all. */
  verdict: MatchVerdict | null;
};

/** How many candidates the rule looks at: the top one and its runner-up, plus grounding. */
const CANDIDATES = 5;
const GROUNDING = 3;

/**
 * The chat's FAQ lookup for one customer message: published entries only, matched in memory against
 * the isolate's snapshot (see faq-snapshot.ts for how fresh it is). The chat passes FAQ_CACHE_SECONDS
 * and its `waitUntil`; the default, TTL 0, loads the entries for this call (always fresh, one query).
 */
export async function findFaqAnswer(
  db: Db,
  message: string,
  cache: SnapshotOptions = { ttlSeconds: 0 },
): Promise<FaqAnswer> {
  const terms = messageTerms(message);
  const words = [...terms.terms, ...terms.expanded];
  // Nothing to search for needs no snapshot, and must not wait for one.
  const hits = words.length === 0 ? [] : searchFaqIndex(await publishedIndex.get(db, cache), words, CANDIDATES);
  const verdict = judgeMatch(
    terms,
    hits.map((hit) => ({ question: hit.faq.question, tags: hit.faq.tags, score: hit.score })),
  );
  const top = hits[0];
  return { strong: verdict?.strong && top ? top : null, grounding: hits.slice(0, GROUNDING), verdict };
}
