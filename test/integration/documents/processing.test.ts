import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { makePdf } from '../../../scripts/lib/make-pdf.mjs';
import worker from '../../../src/index';
import { handleDocumentBatch, type ProcessingDeps } from '../../../src/modules/documents/document-processing';
import { registerAndLogin } from '../../helpers/auth';
import { settled, uploadOk } from '../../helpers/documents';

// Processing runs on the queue consumer beside the tests: PDFs take a few seconds on a busy machine.
vi.setConfig({ testTimeout: 30_000 });

describe('document processing', () => {
  it('extracts, chunks and indexes a Markdown file through the queue', async () => {
    const editor = await registerAndLogin('moderator');
    const doc = await uploadOk(editor.accessToken, {
      name: 'returns.md',
      type: 'text/markdown',
      bytes: '# Returns\n\n## Damaged items\n\nPhotograph the damage within 48 hours.\n',
    });
    expect(doc.status).toBe('pending');
    const done = await settled(editor.accessToken, doc.id);
    expect(done).toMatchObject({ status: 'ready', chunkCount: 1 });
  });

  it('reads a PDF with unpdf inside workerd', async () => {
    const editor = await registerAndLogin('moderator');
    const pdf = makePdf({ pages: [['Zebra crossing policy: walk.'], ['Second page about quokkas.']] });
    const doc = await uploadOk(editor.accessToken, { name: 'policy.pdf', type: 'application/pdf', bytes: pdf });
    const done = await settled(editor.accessToken, doc.id);
    expect(done).toMatchObject({ status: 'ready', chunkCount: 2, pageCount: 2 });
  });
});

type Message = { id: string; timestamp: Date; attempts: number; body: unknown };
const message = (body: unknown, attempts = 1): Message => ({
  id: crypto.randomUUID(),
  timestamp: new Date(),
  attempts,
  body,
});

/** A pending document written as an upload would leave it, without the upload enqueueing it. */
async function pendingDocument(kind: 'pdf' | 'markdown', bytes: Uint8Array | string) {
  const id = crypto.randomUUID();
  const key = `documents/${crypto.randomUUID()}`;
  await env.DOCUMENTS.put(key, bytes);
  const type = kind === 'pdf' ? 'application/pdf' : 'text/markdown; charset=utf-8';
  await env.DB.prepare(
    "INSERT INTO documents (id, name, object_key, kind, content_type, size_bytes, status) VALUES (?, 'f', ?, ?, ?, ?, 'pending')",
  )
    .bind(id, key, kind, type, typeof bytes === 'string' ? bytes.length : bytes.length)
    .run();
  return { id, key };
}

const statusOf = (id: string) =>
  env.DB.prepare('SELECT status, failure_reason AS reason, chunk_count AS chunks FROM documents WHERE id = ?')
    .bind(id)
    .first<{ status: string; reason: string | null; chunks: number }>();

async function run(queue: string, messages: Message[], deps: Partial<ProcessingDeps> = {}) {
  const batch = createMessageBatch(queue, messages);
  const ctx = createExecutionContext();
  await handleDocumentBatch(batch, {
    d1: env.DB,
    bucket: env.DOCUMENTS,
    limits: { maxPages: 3, maxTextChars: 10_000 },
    ...deps,
  });
  return getQueueResult(batch, ctx);
}

describe('the queue consumer', () => {
  it('is the Worker entry point’s queue handler', async () => {
    const doc = await pendingDocument('markdown', '# A\n\nEntry text.');
    const batch = createMessageBatch('document-processing', [message({ documentId: doc.id, version: 1 })]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    expect(await statusOf(doc.id)).toMatchObject({ status: 'ready', chunks: 1 });
  });

  it('fails a PDF over DOCUMENT_MAX_PAGES with the reason, without retrying', async () => {
    const doc = await pendingDocument('pdf', makePdf({ pages: [['1'], ['2'], ['3'], ['4']] }));
    const result = await run('document-processing', [message({ documentId: doc.id, version: 1 })]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await statusOf(doc.id)).toEqual({
      status: 'failed',
      reason: 'The PDF has 4 pages; at most 3 are accepted.',
      chunks: 0,
    });
  });

  it('fails a document with more text than DOCUMENT_MAX_TEXT_CHARS', async () => {
    const doc = await pendingDocument('markdown', `# Big\n\n${'word '.repeat(3000)}`);
    await run('document-processing', [message({ documentId: doc.id, version: 1 })]);
    expect(await statusOf(doc.id)).toMatchObject({
      status: 'failed',
      reason: 'The document has more than 10000 characters of text.',
    });
  });

  it('fails a PDF without text (a scan) with a reason an editor can act on', async () => {
    const doc = await pendingDocument('pdf', makePdf({ pages: [[]] }));
    await run('document-processing', [message({ documentId: doc.id, version: 1 })]);
    expect((await statusOf(doc.id))?.reason).toMatch(/No text was found/);
  });

  it('retries a transient failure with growing delays, leaving the document pending', async () => {
    const doc = await pendingDocument('markdown', '# A\n\nText.');
    const broken = {
      get: async () => {
        throw new Error('R2 is having a moment');
      },
    } as unknown as R2Bucket;
    const result = await run('document-processing', [message({ documentId: doc.id, version: 1 }, 1)], {
      bucket: broken,
    });
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toEqual([]);
    // The test batch does not record delays: a message of our own shows what the consumer asks for.
    const delays: (number | undefined)[] = [];
    for (const attempts of [1, 2, 3, 9]) {
      const retried = {
        id: crypto.randomUUID(),
        timestamp: new Date(),
        attempts,
        body: { documentId: doc.id, version: 1 },
        ack: () => undefined,
        retry: (options?: QueueRetryOptions) => delays.push(options?.delaySeconds),
      };
      await handleDocumentBatch({ queue: 'document-processing', messages: [retried] } as unknown as MessageBatch, {
        d1: env.DB,
        bucket: broken,
        limits: { maxPages: 3, maxTextChars: 10_000 },
      });
    }
    expect(delays).toEqual([10, 20, 40, 300]);
    expect((await statusOf(doc.id))?.status).toBe('pending');
  });

  it('marks the document failed when its message reaches the dead-letter queue', async () => {
    const doc = await pendingDocument('markdown', '# A\n\nText.');
    const result = await run('document-processing-dlq', [message({ documentId: doc.id, version: 1 }, 4)]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await statusOf(doc.id)).toMatchObject({
      status: 'failed',
      reason: 'Processing kept failing. Upload the file again.',
    });
  });

  it('drops a malformed message instead of retrying it for ever', async () => {
    const result = await run('document-processing', [message({ documentId: 'nope' }), message('garbage')]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(result.retryMessages).toEqual([]);
  });

  it('ignores a message for an older version of a replaced document', async () => {
    const doc = await pendingDocument('markdown', '# A\n\nText.');
    await env.DB.prepare('UPDATE documents SET version = 2 WHERE id = ?').bind(doc.id).run();
    await run('document-processing', [message({ documentId: doc.id, version: 1 })]);
    expect(await statusOf(doc.id)).toMatchObject({ status: 'pending', chunks: 0 });
  });

  it('fails a document whose stored file is gone', async () => {
    const doc = await pendingDocument('markdown', '# A\n\nText.');
    await env.DOCUMENTS.delete(doc.key);
    await run('document-processing', [message({ documentId: doc.id, version: 1 })]);
    expect((await statusOf(doc.id))?.reason).toMatch(/stored file is missing/);
  });
});
