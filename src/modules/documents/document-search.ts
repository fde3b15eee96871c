import { messageTerms, toFtsQuery } from '../faqs/faq-text';

/** A chunk of a published document that matched a message, as the chat grounds on it. */
export type DocumentHit = {
  documentId: string;
  name: string;
  section: string | null;
  content: string;
  score: number;
};

/** Section weighs more than body text: a heading says what the chunk is about. */
const BM25 = 'bm25(document_chunks_fts, 2.0, 1.0)';

/**
 * Best matches ranked inside the FTS table alone (a top-N sort, no join per match), then filtered to
 * published, ready documents. Chunks of drafts can take some of these places: only when more than this
 * many of the best matches are drafts does a published chunk go unseen.
 */
const CANDIDATES = 50;

/**
 * The best chunks of published, processed documents for a message: one FTS5 query, with the message's
 * topic words escaped exactly as the FAQ search escapes them (faq-text.ts), so user text never
 * becomes FTS syntax. Drafts and documents still pending or failed are never returned.
 */
export async function searchDocumentChunks(d1: D1Database, message: string, limit: number): Promise<DocumentHit[]> {
  const terms = messageTerms(message);
  // Exact (stemmed) terms: Porter already joins "refunds" and "refund", and prefix expansion over tens of
  // thousands of chunks multiplies the postings each query reads.
  const query = toFtsQuery([...terms.terms, ...terms.expanded], { prefixes: false });
  if (!query) return [];
  const { results } = await d1
    .prepare(
      `SELECT d.id AS documentId, d.name AS name, c.section AS section, c.content AS content, m.rank AS rank
       FROM (SELECT rowid, ${BM25} AS rank FROM document_chunks_fts WHERE document_chunks_fts MATCH ?
             ORDER BY rank LIMIT ${CANDIDATES}) m
       JOIN document_chunks c ON c.id = m.rowid
       JOIN documents d ON d.id = c.document_id
       WHERE d.published = 1 AND d.status = 'ready'
       ORDER BY m.rank, c.id
       LIMIT ?`,
    )
    .bind(query, limit)
    .all<Omit<DocumentHit, 'score'> & { rank: number }>();
  return results.map(({ rank, ...hit }) => ({ ...hit, score: -rank }));
}
