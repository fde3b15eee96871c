import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type DocumentRow, documentChunks, documents, users } from '../../db/schema';
import { AppError } from '../../lib/errors';
import { sanitizeFileName } from './file-policy';
import type { StoredUpload } from './upload.service';

export const documentNotFound = () => new AppError(404, 'NOT_FOUND', 'No such document.');

export const quotaExceeded = () =>
  new AppError(
    413,
    'STORAGE_QUOTA_EXCEEDED',
    'The document storage quota is used up. Delete documents you no longer need first.',
  );

type Uploader = { id: string; username: string } | null;

/** What editors see of a document: never its storage key. */
export function toDocumentView(row: DocumentRow, uploader: Uploader) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    contentType: row.contentType,
    sizeBytes: row.sizeBytes,
    status: row.status,
    failureReason: row.failureReason,
    published: row.published,
    chunkCount: row.chunkCount,
    pageCount: row.pageCount,
    citedCount: row.citedCount,
    uploadedBy: uploader,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    processedAt: row.processedAt?.toISOString() ?? null,
  };
}

export type DocumentView = ReturnType<typeof toDocumentView>;

const withUploader = {
  document: documents,
  uploaderId: users.id,
  uploaderName: users.username,
};

type Joined = { document: DocumentRow; uploaderId: string | null; uploaderName: string | null };

const view = ({ document, uploaderId, uploaderName }: Joined) =>
  toDocumentView(document, uploaderId && uploaderName ? { id: uploaderId, username: uploaderName } : null);

/** Bytes stored over all documents. */
const usedBytes = sql`(select coalesce(sum(${documents.sizeBytes}), 0) from ${documents})`;

/**
 * Records an upload as a pending document, only if it fits the storage quota: the check and the insert
 * are one statement, so two uploads racing for the last free bytes cannot both get them.
 */
export async function insertDocument(
  db: Db,
  upload: StoredUpload,
  uploadedBy: string,
  quotaBytes: number,
): Promise<DocumentView> {
  const id = crypto.randomUUID();
  const result = await db.run(sql`
    insert into ${documents} (id, name, object_key, kind, content_type, size_bytes, uploaded_by)
    select ${id}, ${upload.name}, ${upload.objectKey}, ${upload.kind}, ${upload.contentType}, ${upload.sizeBytes}, ${uploadedBy}
    where ${usedBytes} + ${upload.sizeBytes} <= ${quotaBytes}`);
  if (result.meta.changes !== 1) throw quotaExceeded();
  return getDocument(db, id);
}

/** Whether the quota has room left at all (checked before an upload is read, to fail fast). */
export async function quotaFull(db: Db, quotaBytes: number): Promise<boolean> {
  const [row] = await db.select({ used: sql<number>`coalesce(sum(${documents.sizeBytes}), 0)` }).from(documents);
  return (row?.used ?? 0) >= quotaBytes;
}

export async function getDocumentRow(db: Db, id: string): Promise<DocumentRow> {
  const [row] = await db.select().from(documents).where(eq(documents.id, id)).limit(1);
  if (!row) throw documentNotFound();
  return row;
}

export async function getDocument(db: Db, id: string): Promise<DocumentView> {
  const [row] = await db
    .select(withUploader)
    .from(documents)
    .leftJoin(users, eq(users.id, documents.uploadedBy))
    .where(eq(documents.id, id))
    .limit(1);
  if (!row) throw documentNotFound();
  return view(row);
}

export async function listDocuments(db: Db, { page, pageSize }: { page: number; pageSize: number }) {
  const [rows, [total]] = await Promise.all([
    db
      .select(withUploader)
      .from(documents)
      .leftJoin(users, eq(users.id, documents.uploadedBy))
      .orderBy(desc(documents.createdAt), documents.id)
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ value: count() }).from(documents),
  ]);
  return { items: rows.map(view), page, pageSize, total: total?.value ?? 0 };
}

export async function updateDocument(
  db: Db,
  id: string,
  patch: { published?: boolean | undefined; name?: string | undefined },
): Promise<DocumentView> {
  const changes = {
    ...(patch.published !== undefined ? { published: patch.published } : {}),
    ...(patch.name !== undefined ? { name: sanitizeFileName(patch.name) } : {}),
  };
  const [row] = await db.update(documents).set(changes).where(eq(documents.id, id)).returning({ id: documents.id });
  if (!row) throw documentNotFound();
  return getDocument(db, id);
}

/**
 * Points a document at a newly stored file: pending again, a new version (so a late message for the
 * old file is ignored), its old chunks and index rows gone in the same batch. Returns the old key.
 */
export async function replaceDocumentFile(
  db: Db,
  id: string,
  upload: StoredUpload,
  quotaBytes: number,
): Promise<{ view: DocumentView; oldKey: string; version: number }> {
  const old = await getDocumentRow(db, id);
  const [updated] = await db.batch([
    db
      .update(documents)
      .set({
        objectKey: upload.objectKey,
        kind: upload.kind,
        contentType: upload.contentType,
        sizeBytes: upload.sizeBytes,
        status: 'pending',
        failureReason: null,
        chunkCount: 0,
        pageCount: null,
        processedAt: null,
        version: sql`${documents.version} + 1`,
      })
      .where(
        and(
          eq(documents.id, id),
          eq(documents.version, old.version),
          sql`${usedBytes} - ${old.sizeBytes} + ${upload.sizeBytes} <= ${quotaBytes}`,
        ),
      )
      .returning({ version: documents.version }),
    db
      .delete(documentChunks)
      .where(
        and(
          eq(documentChunks.documentId, id),
          sql`(select ${documents.version} from ${documents} where ${documents.id} = ${id}) = ${old.version + 1}`,
        ),
      ),
  ]);
  const version = updated[0]?.version;
  if (version === undefined) {
    const still = await db.select({ version: documents.version }).from(documents).where(eq(documents.id, id));
    if (!still[0]) throw documentNotFound();
    if (still[0].version !== old.version) {
      throw new AppError(409, 'DOCUMENT_CHANGED', 'The document was replaced meanwhile. Reload and try again.');
    }
    throw quotaExceeded();
  }
  return { view: await getDocument(db, id), oldKey: old.objectKey, version };
}

/** Deletes the row; its chunks and their index rows go with it (cascade + FTS triggers). */
export async function deleteDocumentRow(db: Db, id: string): Promise<string> {
  const [row] = await db.delete(documents).where(eq(documents.id, id)).returning({ key: documents.objectKey });
  if (!row) throw documentNotFound();
  return row.key;
}

/** Counts one answer citing each document, leaving `updatedAt` alone. Batchable. */
export const documentCitationStatement = (db: Db, ids: readonly string[]) =>
  db
    .update(documents)
    .set({ citedCount: sql`${documents.citedCount} + 1`, updatedAt: sql`${documents.updatedAt}` })
    .where(inArray(documents.id, [...ids]));
