import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/lib/errors';
import { multipartBoundary, readSingleFilePart } from '../../../src/modules/documents/upload-multipart';
import { multipartBody } from '../../helpers/documents';

/** The body as a stream of `size`-byte chunks, so every delimiter straddles chunk edges somewhere. */
function chunked(body: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= body.length) controller.close();
      else {
        controller.enqueue(body.slice(at, at + size));
        at += size;
      }
    },
  });
}

async function read(body: Uint8Array, boundary: string, size: number) {
  const parts: Uint8Array[] = [];
  let head: unknown;
  await readSingleFilePart(
    chunked(body, size),
    boundary,
    (h) => {
      head = h;
    },
    (chunk) => {
      parts.push(chunk);
    },
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return { head, bytes: out };
}

describe('readSingleFilePart', () => {
  // File bytes that look like the delimiter's start: CR LF and dashes inside the content.
  const content = new TextEncoder().encode('line one\r\n--not-the-boundary\r\n-\r\n--\r\nend\r\n');

  it.each([1, 2, 7, 64, 4096])(
    'returns the file byte for byte when the body arrives in %i-byte chunks',
    async (size) => {
      const boundary = 'XyZ123boundary';
      const { body } = multipartBody(
        [{ field: 'file', filename: 'a.txt', type: 'text/plain', bytes: content }],
        boundary,
      );
      const { head, bytes } = await read(body, boundary, size);
      expect(head).toEqual({ fieldName: 'file', filename: 'a.txt', contentType: 'text/plain' });
      expect(bytes).toEqual(content);
    },
  );

  it('refuses a body that ends before the closing boundary', async () => {
    const boundary = 'b0undary';
    const { body } = multipartBody(
      [{ field: 'file', filename: 'a.txt', type: 'text/plain', bytes: content }],
      boundary,
    );
    const cut = body.slice(0, body.length - 20);
    const error = await read(cut, boundary, 16).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_UPLOAD');
  });

  it('refuses oversized part headers instead of buffering them', async () => {
    const boundary = 'b0undary';
    const body = new TextEncoder().encode(
      `--${boundary}\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\nx\r\n--${boundary}--\r\n`,
    );
    const error = await read(body, boundary, 1024).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('INVALID_UPLOAD');
  });

  it('reads the boundary from the content type, quoted or not, and nothing else', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc');
    expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('multipart/mixed; boundary=abc')).toBeUndefined();
    expect(multipartBoundary('application/json')).toBeUndefined();
    expect(multipartBoundary('multipart/form-data')).toBeUndefined();
  });
});
