import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import { errorDetail } from '../../lib/error-detail';
import { AppError } from '../../lib/errors';
import { log } from '../../lib/logger';
import type { AppEnv } from '../../lib/types';
import { limitCaller } from '../../middleware/rate-limit';
import { currentUser } from '../auth/authenticate';
import { allows } from '../auth/permissions';
import type { ProcessMessage } from './document-processing';
import type * as routes from './documents.routes';
import * as service from './documents.service';
import { receiveUpload, type StoredUpload } from './upload.service';

/**
 * Before a byte of the upload is read: the uploader's own rate limit, and a quota with room left.
 * The quota is checked again, exactly, when the document is recorded.
 */
async function admitUpload(c: Context<AppEnv>): Promise<StoredUpload> {
  const { documents } = c.get('config');
  await limitCaller(c, 'documentUpload', currentUser(c).id);
  if (await service.quotaFull(dbOf(c), documents.storageQuotaBytes)) throw service.quotaExceeded();
  return receiveUpload(c.req.raw, c.env.DOCUMENTS, documents.maxBytes);
}

async function enqueue(c: Context<AppEnv>, message: ProcessMessage): Promise<void> {
  await c.env.DOCUMENT_QUEUE.send(message, { contentType: 'json' });
}

/** A stored object no row points to is removed, whatever went wrong after it was written. */
async function dropObject(c: Context<AppEnv>, key: string): Promise<void> {
  await c.env.DOCUMENTS.delete(key).catch((error) =>
    log('error', 'document object left behind', { requestId: c.get('requestId'), ...errorDetail(error) }),
  );
}

const queueDown = (cause: unknown) =>
  new AppError(503, 'SERVICE_UNAVAILABLE', 'Documents cannot be processed right now. Please try again shortly.', {
    cause,
    headers: { 'Retry-After': '5' },
  });

export const uploadDocument: RouteHandler<typeof routes.uploadDocument, AppEnv> = async (c) => {
  const db = dbOf(c);
  const stored = await admitUpload(c);
  let document: service.DocumentView;
  try {
    document = await service.insertDocument(db, stored, currentUser(c).id, c.get('config').documents.storageQuotaBytes);
  } catch (error) {
    await dropObject(c, stored.objectKey);
    throw error;
  }
  try {
    await enqueue(c, { documentId: document.id, version: 1 });
  } catch (error) {
    await service.deleteDocumentRow(db, document.id);
    await dropObject(c, stored.objectKey);
    throw queueDown(error);
  }
  log('info', 'document uploaded', {
    requestId: c.get('requestId'),
    documentId: document.id,
    kind: document.kind,
    bytes: document.sizeBytes,
  });
  return c.json({ document }, 202);
};

export const replaceDocumentContent: RouteHandler<typeof routes.replaceDocumentContent, AppEnv> = async (c) => {
  const db = dbOf(c);
  const { id } = c.req.valid('param');
  await service.getDocumentRow(db, id);
  const stored = await admitUpload(c);
  let replaced: Awaited<ReturnType<typeof service.replaceDocumentFile>>;
  try {
    replaced = await service.replaceDocumentFile(db, id, stored, c.get('config').documents.storageQuotaBytes);
  } catch (error) {
    await dropObject(c, stored.objectKey);
    throw error;
  }
  await dropObject(c, replaced.oldKey);
  try {
    await enqueue(c, { documentId: id, version: replaced.version });
  } catch (error) {
    throw queueDown(error);
  }
  return c.json({ document: replaced.view }, 202);
};

export const listDocuments: RouteHandler<typeof routes.listDocuments, AppEnv> = async (c) =>
  c.json(await service.listDocuments(dbOf(c), c.req.valid('query')), 200);

export const getDocument: RouteHandler<typeof routes.getDocument, AppEnv> = async (c) =>
  c.json({ document: await service.getDocument(dbOf(c), c.req.valid('param').id) }, 200);

export const updateDocument: RouteHandler<typeof routes.updateDocument, AppEnv> = async (c) =>
  c.json({ document: await service.updateDocument(dbOf(c), c.req.valid('param').id, c.req.valid('json')) }, 200);

export const deleteDocument: RouteHandler<typeof routes.deleteDocument, AppEnv> = async (c) => {
  const key = await service.deleteDocumentRow(dbOf(c), c.req.valid('param').id);
  await c.env.DOCUMENTS.delete(key);
  return c.body(null, 204);
};

/** `filename*` carries the real name; the plain `filename` an ASCII stand-in for old clients. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export const getDocumentContent: RouteHandler<typeof routes.getDocumentContent, AppEnv> = async (c) => {
  const row = await service.getDocumentRow(dbOf(c), c.req.valid('param').id);
  const editor = allows(currentUser(c), 'content:write');
  // Customers read what the chat may cite: published and processed. Anything else is not theirs to see.
  if (!editor && !(row.published && row.status === 'ready')) throw service.documentNotFound();
  const object = await c.env.DOCUMENTS.get(row.objectKey);
  if (!object) throw service.documentNotFound();
  return new Response(object.body, {
    status: 200,
    headers: {
      'Content-Type': row.contentType,
      'Content-Length': String(object.size),
      'Content-Disposition': attachment(row.name),
      // The API's own CSP (default-src 'none') comes on top: rendered anyway, it could run nothing.
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  });
};
