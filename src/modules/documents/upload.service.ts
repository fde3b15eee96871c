import type { DocumentKind } from '../../db/schema';
import { AppError } from '../../lib/errors';
import { inspectorFor } from './content-inspector';
import { acceptFile } from './file-policy';
import { createObjectWriter, type ObjectWriter } from './object-writer';
import { multipartBoundary, readSingleFilePart } from './upload-multipart';

/** What a received upload became: an R2 object under a random key, and what we know of it. */
export type StoredUpload = {
  objectKey: string;
  name: string;
  kind: DocumentKind;
  contentType: string;
  sizeBytes: number;
};

/** Room for the multipart framing around the file (boundaries, part headers). */
const FRAMING_BYTES = 16 * 1024;

export const tooLarge = (maxBytes: number) =>
  new AppError(413, 'DOCUMENT_TOO_LARGE', `Documents can be at most ${formatBytes(maxBytes)}.`);

const formatBytes = (bytes: number) =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;

/**
 * Streams a `multipart/form-data` upload into R2: refused by its declared length before a byte is
 * read when that is already too large, and otherwise at the first byte past `maxBytes`; checked by
 * name, declared type and content as it goes. Only a fully accepted file is left in the bucket.
 */
export async function receiveUpload(request: Request, bucket: R2Bucket, maxBytes: number): Promise<StoredUpload> {
  const encoding = request.headers.get('Content-Encoding');
  if (encoding && encoding.trim().toLowerCase() !== 'identity') {
    // A compressed body would be inflated by nobody but us: one more place for a bomb. Send it plain.
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the upload uncompressed (no Content-Encoding).');
  }
  const boundary = multipartBoundary(request.headers.get('Content-Type') ?? undefined);
  if (!boundary) {
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the document as multipart/form-data in a "file" field.');
  }
  const declared = Number(request.headers.get('Content-Length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes + FRAMING_BYTES) throw tooLarge(maxBytes);
  if (!request.body) throw new AppError(400, 'INVALID_UPLOAD', 'The upload holds no file.');

  const objectKey = `documents/${crypto.randomUUID()}`;
  let received = 0;
  const counted = request.body.pipeThrough(countBytes(maxBytes + FRAMING_BYTES, () => tooLarge(maxBytes)));
  let accepted: ReturnType<typeof acceptFile> | undefined;
  let inspector: ReturnType<typeof inspectorFor> | undefined;
  let writer: ObjectWriter | undefined;
  try {
    await readSingleFilePart(
      counted,
      boundary,
      (head) => {
        accepted = acceptFile(head.filename ?? '', head.contentType);
        inspector = inspectorFor(accepted.kind);
        writer = createObjectWriter(bucket, objectKey, {
          httpMetadata: { contentType: accepted.storedType, contentDisposition: 'attachment' },
        });
      },
      async (chunk) => {
        received += chunk.length;
        if (received > maxBytes) throw tooLarge(maxBytes);
        inspector?.push(chunk);
        await writer?.write(chunk);
      },
    );
    if (!accepted || !inspector || !writer) throw new AppError(400, 'INVALID_UPLOAD', 'The upload holds no file.');
    if (received === 0) throw new AppError(400, 'EMPTY_FILE', 'The file is empty.');
    inspector.finish();
    await writer.close();
  } catch (error) {
    await writer?.abort();
    throw error;
  }
  return {
    objectKey,
    name: accepted.name,
    kind: accepted.kind,
    contentType: accepted.storedType,
    sizeBytes: received,
  };
}

/** Passes bytes through and fails the stream once more than `max` have gone by. */
function countBytes(max: number, error: () => Error): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.length;
      if (seen > max) controller.error(error());
      else controller.enqueue(chunk);
    },
  });
}
