import { z } from 'zod';
import type { DocumentKind } from '../../db/schema';
import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import { type Chunk, chunkSections } from './chunker';
import type { DocumentsConfig } from './documents.config';
import { type DocumentExtractor, ExtractionRefused } from './extractor.types';
import { pdfExtractor } from './pdf.extractor';
import { csvExtractor, markdownExtractor, plainTextExtractor } from './text.extractor';

/** What the upload enqueues: which document, and which upload of it (a replacement bumps the version). */
export const ProcessMessageSchema = z.object({ documentId: z.uuid(), version: z.number().int().min(1) }).strict();
export type ProcessMessage = z.infer<typeof ProcessMessageSchema>;

export const DEAD_LETTER_QUEUE = 'document-processing-dlq';

export type ProcessingDeps = {
  d1: D1Database;
  bucket: R2Bucket;
  limits: Pick<DocumentsConfig, 'maxPages' | 'maxTextChars'>;
  extractors?: readonly DocumentExtractor[];
};

export const DEFAULT_EXTRACTORS: readonly DocumentExtractor[] = [
  pdfExtractor,
  plainTextExtractor,
  markdownExtractor,
  csvExtractor,
];

/** Delay before retry n (1-based): 10 s, 20 s, 40 s, … at most 5 minutes. */
export const retryDelaySeconds = (attempts: number) => Math.min(300, 10 * 2 ** Math.max(0, attempts - 1));

/**
 * The queue consumer. Each message is one document: extracted, chunked and indexed, or marked failed
 * with a reason editors can read. A refusal (too many pages, scripts, no text) fails the document at
 * once; anything else (R2 or D1 trouble) is retried with backoff, and after the queue's max_retries
 * the message goes to the dead-letter queue, whose consumer marks the document failed.
 */
export async function handleDocumentBatch(batch: MessageBatch<unknown>, deps: ProcessingDeps): Promise<void> {
  const deadLetters = batch.queue === DEAD_LETTER_QUEUE;
  for (const message of batch.messages) {
    const parsed = ProcessMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      // Nothing to retry or mark: no document can be named from it.
      log('error', 'document message malformed, dropped', { queue: batch.queue, messageId: message.id });
      message.ack();
      continue;
    }
    if (deadLetters) {
      await markFailed(deps.d1, parsed.data, 'Processing kept failing. Upload the file again.');
      log('error', 'document processing gave up', { documentId: parsed.data.documentId, attempts: message.attempts });
      message.ack();
      continue;
    }
    try {
      await processDocument(parsed.data, deps);
      message.ack();
    } catch (error) {
      const delaySeconds = retryDelaySeconds(message.attempts);
      log('warn', 'document processing failed, will retry', {
        documentId: parsed.data.documentId,
        attempts: message.attempts,
        delaySeconds,
        ...errorDetail(error),
      });
      message.retry({ delaySeconds });
    }
  }
}

type Row = { id: string; kind: DocumentKind; object_key: string; version: number; status: string };

/** One document, from its stored file to indexed chunks. Throws only for what a retry may fix. */
export async function processDocument(message: ProcessMessage, deps: ProcessingDeps): Promise<void> {
  const started = Date.now();
  const row = await deps.d1
    .prepare('SELECT id, kind, object_key, version, status FROM documents WHERE id = ?')
    .bind(message.documentId)
    .first<Row>();
  // Deleted or replaced since: this message is about a file that no longer matters.
  if (!row || row.version !== message.version || row.status !== 'pending') return;

  const object = await deps.bucket.get(row.object_key);
  if (!object) {
    await markFailed(deps.d1, message, 'The stored file is missing. Upload it again.');
    return;
  }
  const bytes = new Uint8Array(await object.arrayBuffer());
  const extractor = (deps.extractors ?? DEFAULT_EXTRACTORS).find((e) => e.kinds.includes(row.kind));
  if (!extractor) {
    await markFailed(deps.d1, message, 'This kind of file cannot be read.');
    return;
  }
  let chunks: Chunk[];
  let pageCount: number | null;
  try {
    const extraction = await extractor.extract(bytes, deps.limits);
    pageCount = extraction.pageCount;
    chunks = chunkSections(extraction.sections);
  } catch (error) {
    if (!(error instanceof ExtractionRefused)) throw error;
    await markFailed(deps.d1, message, error.reason);
    log('info', 'document refused', { documentId: row.id, kind: row.kind, reason: error.reason });
    return;
  }
  if (chunks.length === 0) {
    await markFailed(deps.d1, message, 'No text was found in the file (a scanned PDF needs text recognition first).');
    return;
  }
  await writeChunks(deps.d1, message, chunks, pageCount);
  log('info', 'document processed', {
    documentId: row.id,
    kind: row.kind,
    bytes: bytes.length,
    pages: pageCount,
    chunks: chunks.length,
    durationMs: Date.now() - started,
  });
}

/** The time the statement runs, not when it was built (the statements are built before the batches run). */
const NOW_MS = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";

/** D1 binds at most 100 parameters per statement: 4 per chunk, 2 for the version guard. */
const CHUNKS_PER_INSERT = 24;
/** Statements per batch: each batch is one transaction, kept short so chat reads are not held up. */
const STATEMENTS_PER_BATCH = 40;

/**
 * Replaces the document's chunks and marks it ready. Every statement checks that the document is
 * still at this version, so a replacement or deletion that lands meanwhile wins. A retry starts by
 * deleting whatever a failed attempt left.
 */
async function writeChunks(d1: D1Database, message: ProcessMessage, chunks: Chunk[], pageCount: number | null) {
  const { documentId, version } = message;
  const current = 'EXISTS (SELECT 1 FROM documents WHERE id = ? AND version = ?)';
  const statements: D1PreparedStatement[] = [
    d1
      .prepare(`DELETE FROM document_chunks WHERE document_id = ? AND ${current}`)
      .bind(documentId, documentId, version),
  ];
  for (let i = 0; i < chunks.length; i += CHUNKS_PER_INSERT) {
    const group = chunks.slice(i, i + CHUNKS_PER_INSERT);
    const values = group.map(() => '(?, ?, ?, ?)').join(', ');
    statements.push(
      d1
        .prepare(
          `INSERT INTO document_chunks (document_id, position, section, content) SELECT column1, column2, column3, column4 FROM (VALUES ${values}) WHERE ${current}`,
        )
        .bind(...group.flatMap((c) => [documentId, c.position, c.section, c.content]), documentId, version),
    );
  }
  statements.push(
    d1
      .prepare(
        `UPDATE documents SET status = 'ready', failure_reason = NULL, chunk_count = ?, page_count = ?, processed_at = ${NOW_MS}, updated_at = ${NOW_MS} WHERE id = ? AND version = ?`,
      )
      .bind(chunks.length, pageCount, documentId, version),
  );
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    await d1.batch(statements.slice(i, i + STATEMENTS_PER_BATCH));
  }
}

async function markFailed(d1: D1Database, { documentId, version }: ProcessMessage, reason: string): Promise<void> {
  await d1
    .prepare(
      `UPDATE documents SET status = 'failed', failure_reason = ?, processed_at = ${NOW_MS}, updated_at = ${NOW_MS} WHERE id = ? AND version = ? AND status = 'pending'`,
    )
    .bind(reason, documentId, version)
    .run();
}
