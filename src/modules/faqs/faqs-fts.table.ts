import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The FTS5 index over `faqs` (migration 0004_faqs_fts), declared for the query builder only.
 * It lives outside `src/db/schema.ts` on purpose: drizzle-kit must not try to create or drop a
 * virtual table it cannot describe.
 */
export const faqsFts = sqliteTable('faqs_fts', {
  rowid: integer('rowid').notNull(),
  question: text('question'),
  answer: text('answer'),
  tags: text('tags'),
});

/** Column weights for bm25 (question, answer, tags): the question says what an entry is about. */
export const FTS_WEIGHTS = [4, 1, 2] as const;
