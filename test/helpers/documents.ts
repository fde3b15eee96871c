import { expect } from 'vitest';
import { bearer } from './auth';
import { call } from './http';

export type UploadFile = { name: string; type: string; bytes: Uint8Array | string };

const encoder = new TextEncoder();

/** A multipart/form-data body built by hand, so tests can send exactly what a hostile client would. */
export function multipartBody(
  parts: { field: string; filename?: string; type?: string; bytes: Uint8Array | string }[],
  boundary = `----test${crypto.randomUUID().replaceAll('-', '')}`,
): { body: Uint8Array; contentType: string } {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.field}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.type !== undefined ? `Content-Type: ${part.type}\r\n` : ''}\r\n`;
    chunks.push(encoder.encode(head));
    chunks.push(typeof part.bytes === 'string' ? encoder.encode(part.bytes) : part.bytes);
    chunks.push(encoder.encode('\r\n'));
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

export function upload(
  token: string,
  file: UploadFile,
  {
    method = 'POST',
    path = '/api/v1/documents',
    headers = {},
  }: { method?: string; path?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const { body, contentType } = multipartBody([
    { field: 'file', filename: file.name, type: file.type, bytes: file.bytes },
  ]);
  return call(path, { method, headers: { ...bearer(token), 'Content-Type': contentType, ...headers }, body });
}

export type DocumentBody = {
  id: string;
  name: string;
  status: 'pending' | 'ready' | 'failed';
  failureReason: string | null;
  published: boolean;
  chunkCount: number;
  pageCount: number | null;
  sizeBytes: number;
  citedCount: number;
  contentType: string;
};

/** Uploads and expects 202; returns the pending document. */
export async function uploadOk(token: string, file: UploadFile): Promise<DocumentBody> {
  const res = await upload(token, file);
  const text = await res.text();
  expect(res.status, text).toBe(202);
  return (JSON.parse(text) as { document: DocumentBody }).document;
}

/** Polls the document until the queue consumer has decided (ready or failed). */
export async function settled(token: string, id: string, timeoutMs = 15_000): Promise<DocumentBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(`/api/v1/documents/${id}`, { headers: bearer(token) });
    const { document } = (await res.json()) as { document: DocumentBody };
    if (document.status !== 'pending') return document;
    if (Date.now() > deadline) throw new Error(`document ${id} still pending after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function publish(token: string, id: string): Promise<void> {
  const res = await call(`/api/v1/documents/${id}`, {
    method: 'PATCH',
    headers: { ...bearer(token), 'Content-Type': 'application/json' },
    body: JSON.stringify({ published: true }),
  });
  expect(res.status).toBe(200);
}
