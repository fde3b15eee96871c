import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makePdf } from '../../../scripts/lib/make-pdf.mjs';
import { bearer, registerAndLogin, type Session } from '../../helpers/auth';
import { multipartBody, upload, uploadOk } from '../../helpers/documents';
import { call, callerWith, readError } from '../../helpers/http';
import { zipBomb } from '../../helpers/zip';

// Processing runs on the queue consumer beside the tests: PDFs take a few seconds on a busy machine.
vi.setConfig({ testTimeout: 30_000 });

const pdf = () => makePdf({ pages: [['A plain, harmless page.']] });
const utf8 = (text: string) => new TextEncoder().encode(text);

let editor: Session;
beforeEach(async () => {
  editor = await registerAndLogin('moderator');
});

async function refused(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect((await readError(res)).code).toBe(code);
}

/** Keys in the bucket: a refused upload must leave none behind. */
async function storedKeys(): Promise<string[]> {
  return (await env.DOCUMENTS.list({ prefix: 'documents/' })).objects.map((o) => o.key);
}

describe('accepted uploads', () => {
  it('stores the file under a random UUID key, never its name, and keeps the name as metadata', async () => {
    const doc = await uploadOk(editor.accessToken, {
      name: 'Price list 2026.pdf',
      type: 'application/pdf',
      bytes: pdf(),
    });
    expect(doc).toMatchObject({
      name: 'Price list 2026.pdf',
      status: 'pending',
      published: false,
      contentType: 'application/pdf',
    });
    const row = await env.DB.prepare('SELECT object_key FROM documents WHERE id = ?')
      .bind(doc.id)
      .first<{ object_key: string }>();
    expect(row?.object_key).toMatch(/^documents\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const object = await env.DOCUMENTS.head(row?.object_key ?? '');
    expect(object?.size).toBe(pdf().length);
    expect(object?.httpMetadata?.contentType).toBe('application/pdf');
    expect((await storedKeys()).some((key) => key.includes('Price'))).toBe(false);
  });

  it('accepts plain text, Markdown and CSV with their usual types', { timeout: 30_000 }, async () => {
    for (const file of [
      { name: 'notes.txt', type: 'text/plain', bytes: 'Opening hours\n\nEvery day.' },
      { name: 'guide.md', type: 'text/markdown', bytes: '# Guide\n\nText.' },
      { name: 'prices.csv', type: 'text/csv', bytes: 'item,price\napples,2' },
      { name: 'prices-win.csv', type: 'application/vnd.ms-excel', bytes: 'item,price\npears,3' },
    ]) {
      await uploadOk(editor.accessToken, file);
    }
  });
});

describe('refused uploads', () => {
  it('refuses Word documents with 415 DOCX_NOT_SUPPORTED (no maintained Workers extractor is in use)', async () => {
    const docx = await zipBomb('word/document.xml', 1024);
    const res = await upload(editor.accessToken, {
      name: 'manual.docx',
      type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      bytes: docx,
    });
    await refused(res, 415, 'DOCX_NOT_SUPPORTED');
  });

  it('refuses zip bombs under any name, without inflating them', async () => {
    const bomb = await zipBomb('zeros.bin', 20 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(64 * 1024);
    await refused(
      await upload(editor.accessToken, { name: 'bomb.docx', type: 'application/octet-stream', bytes: bomb }),
      415,
      'DOCX_NOT_SUPPORTED',
    );
    await refused(
      await upload(editor.accessToken, { name: 'bomb.pdf', type: 'application/pdf', bytes: bomb }),
      415,
      'FILE_TYPE_MISMATCH',
    );
    await refused(
      await upload(editor.accessToken, { name: 'bomb.txt', type: 'text/plain', bytes: bomb }),
      415,
      'FILE_TYPE_MISMATCH',
    );
    await refused(
      await upload(editor.accessToken, { name: 'bomb.zip', type: 'application/zip', bytes: bomb }),
      415,
      'UNSUPPORTED_FILE_TYPE',
    );
  });

  it('refuses a compressed request body (a bomb the server would have to inflate)', async () => {
    const res = await upload(
      editor.accessToken,
      { name: 'a.txt', type: 'text/plain', bytes: 'x' },
      { headers: { 'Content-Encoding': 'gzip' } },
    );
    await refused(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses PDFs with scripts, also when the name is spelled with #xx escapes', async () => {
    const scripted = makePdf({ pages: [['Hi']], javascript: 'app.alert(1)' });
    await refused(
      await upload(editor.accessToken, { name: 's.pdf', type: 'application/pdf', bytes: scripted }),
      422,
      'UNSAFE_PDF',
    );
    const hidden = new TextDecoder().decode(scripted).replace('/JavaScript', '/J#61vaScript').replace('/JS ', '/J#53 ');
    await refused(
      await upload(editor.accessToken, { name: 'h.pdf', type: 'application/pdf', bytes: utf8(hidden) }),
      422,
      'UNSAFE_PDF',
    );
    const launch = new TextDecoder()
      .decode(pdf())
      .replace('/Type /Catalog', '/Type /Catalog /OpenAction << /S /Launch /F (calc.exe) >>');
    await refused(
      await upload(editor.accessToken, { name: 'l.pdf', type: 'application/pdf', bytes: utf8(launch) }),
      422,
      'UNSAFE_PDF',
    );
  });

  it('refuses polyglots: a PDF with a ZIP appended, a PDF that is also a web page, text that is also a PDF', async () => {
    const appended = makePdf({ pages: [['Hi']], trailer: new TextDecoder('latin1').decode(await zipBomb('x', 2048)) });
    await refused(
      await upload(editor.accessToken, { name: 'p.pdf', type: 'application/pdf', bytes: appended }),
      422,
      'POLYGLOT_FILE',
    );
    const html = makePdf({ pages: [['Hi']] });
    const withMarkup = new TextDecoder()
      .decode(html)
      .replace('%PDF-1.4\n', '%PDF-1.4\n%<html><SCRIPT>alert(1)</script>\n');
    await refused(
      await upload(editor.accessToken, { name: 'w.pdf', type: 'application/pdf', bytes: utf8(withMarkup) }),
      422,
      'POLYGLOT_FILE',
    );
    await refused(
      await upload(editor.accessToken, { name: 't.txt', type: 'text/plain', bytes: pdf() }),
      422,
      'POLYGLOT_FILE',
    );
  });

  it('refuses names with path tricks or control and invisible characters', async () => {
    for (const name of [
      '../../etc/passwd.txt',
      'dir/notes.txt',
      'C:\\\\temp\\\\a.txt',
      'a\u0007b.txt',
      'report\u202Etxt.pdf',
      'zero\u200Bwidth.txt',
      '.hidden.txt',
      '..txt',
    ]) {
      const res = await upload(editor.accessToken, { name, type: 'text/plain', bytes: 'hello' });
      await refused(res, 400, 'INVALID_FILE_NAME');
    }
  });

  it('refuses an empty file with 400 EMPTY_FILE', async () => {
    await refused(
      await upload(editor.accessToken, { name: 'empty.txt', type: 'text/plain', bytes: '' }),
      400,
      'EMPTY_FILE',
    );
  });

  it('refuses a file whose extension, declared type and bytes disagree', async () => {
    await refused(
      await upload(editor.accessToken, { name: 'a.pdf', type: 'text/plain', bytes: pdf() }),
      415,
      'FILE_TYPE_MISMATCH',
    );
    await refused(
      await upload(editor.accessToken, { name: 'a.pdf', type: 'application/pdf', bytes: 'just text' }),
      415,
      'FILE_TYPE_MISMATCH',
    );
    await refused(
      await upload(editor.accessToken, { name: 'a.txt', type: 'application/pdf', bytes: 'text' }),
      415,
      'FILE_TYPE_MISMATCH',
    );
    await refused(
      await upload(editor.accessToken, {
        name: 'latin1.txt',
        type: 'text/plain',
        bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
      }),
      415,
      'FILE_TYPE_MISMATCH',
    );
    await refused(
      await upload(editor.accessToken, { name: 'nul.md', type: 'text/markdown', bytes: 'a\u0000b' }),
      415,
      'FILE_TYPE_MISMATCH',
    );
  });

  it('refuses other file types with 415 UNSUPPORTED_FILE_TYPE', async () => {
    for (const [name, type] of [
      ['page.html', 'text/html'],
      ['tool.exe', 'application/octet-stream'],
      ['noext', 'text/plain'],
    ]) {
      await refused(
        await upload(editor.accessToken, { name: name as string, type: type as string, bytes: 'x' }),
        415,
        'UNSUPPORTED_FILE_TYPE',
      );
    }
  });

  it('refuses anything but exactly one "file" part', async () => {
    const send = (parts: Parameters<typeof multipartBody>[0]) => {
      const { body, contentType } = multipartBody(parts);
      return call('/api/v1/documents', {
        method: 'POST',
        headers: { ...bearer(editor.accessToken), 'Content-Type': contentType },
        body,
      });
    };
    await refused(
      await send([{ field: 'other', filename: 'a.txt', type: 'text/plain', bytes: 'x' }]),
      400,
      'INVALID_UPLOAD',
    );
    await refused(await send([{ field: 'file', bytes: 'not a file' }]), 400, 'INVALID_UPLOAD');
    await refused(
      await send([
        { field: 'file', filename: 'a.txt', type: 'text/plain', bytes: 'x' },
        { field: 'file', filename: 'b.txt', type: 'text/plain', bytes: 'y' },
      ]),
      400,
      'INVALID_UPLOAD',
    );
  });

  it('refuses JSON and form bodies: the route takes multipart only', async () => {
    const json = await call('/api/v1/documents', {
      method: 'POST',
      headers: { ...bearer(editor.accessToken), 'Content-Type': 'application/json' },
      body: '{}',
    });
    await refused(json, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('keeps the JSON-only rule and MAX_BODY_BYTES for every other route', async () => {
    const { body, contentType } = multipartBody([{ field: 'file', filename: 'a.txt', type: 'text/plain', bytes: 'x' }]);
    const faq = await call('/api/v1/faqs', {
      method: 'POST',
      headers: { ...bearer(editor.accessToken), 'Content-Type': contentType },
      body,
    });
    await refused(faq, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const doc = await uploadOk(editor.accessToken, { name: 'x.txt', type: 'text/plain', bytes: 'x' });
    const big = await call(`/api/v1/documents/${doc.id}`, {
      method: 'PATCH',
      headers: { ...bearer(editor.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'n'.repeat(70_000) }),
    });
    await refused(big, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('size cap', () => {
  const small = callerWith({ DOCUMENT_MAX_BYTES: '2048' });

  it('refuses by Content-Length before reading anything', async () => {
    const before = await storedKeys();
    const { body, contentType } = multipartBody([
      { field: 'file', filename: 'big.txt', type: 'text/plain', bytes: 'a'.repeat(100_000) },
    ]);
    const res = await small('/api/v1/documents', {
      method: 'POST',
      headers: { ...bearer(editor.accessToken), 'Content-Type': contentType },
      body,
    });
    await refused(res, 413, 'DOCUMENT_TOO_LARGE');
    expect(await storedKeys()).toEqual(before);
  });

  it('refuses while streaming when no length is declared, at the first byte over the cap', async () => {
    const before = await storedKeys();
    const { body, contentType } = multipartBody([
      { field: 'file', filename: 'big.txt', type: 'text/plain', bytes: 'a'.repeat(4096) },
    ]);
    let pulled = 0;
    // An endless stream: if the cap were checked after buffering, this request would never end.
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(pulled === 1 ? body.slice(0, 1024) : utf8('a'.repeat(1024)));
      },
    });
    const res = await small('/api/v1/documents', {
      method: 'POST',
      headers: { ...bearer(editor.accessToken), 'Content-Type': contentType },
      body: stream,
      // @ts-expect-error -- workerd needs half-duplex for a streamed request body
      duplex: 'half',
    });
    await refused(res, 413, 'DOCUMENT_TOO_LARGE');
    expect(pulled).toBeLessThan(10);
    expect(await storedKeys()).toEqual(before);
  });

  it('accepts a file exactly at the cap', async () => {
    const { body, contentType } = multipartBody([
      { field: 'file', filename: 'edge.txt', type: 'text/plain', bytes: 'b'.repeat(2048) },
    ]);
    const res = await small('/api/v1/documents', {
      method: 'POST',
      headers: { ...bearer(editor.accessToken), 'Content-Type': contentType },
      body,
    });
    expect(res.status).toBe(202);
  });
});

describe('per-uploader rate limit', () => {
  it('refuses uploads past RATE_LIMIT_DOCUMENT_UPLOAD with 429, whatever IP they come from', async () => {
    const limited = callerWith({ RATE_LIMIT_DOCUMENT_UPLOAD: '2/1m' });
    const uploader = await registerAndLogin('moderator');
    const send = () => {
      const { body, contentType } = multipartBody([
        { field: 'file', filename: 'r.txt', type: 'text/plain', bytes: 'rate' },
      ]);
      return limited('/api/v1/documents', {
        method: 'POST',
        headers: { ...bearer(uploader.accessToken), 'Content-Type': contentType },
        body,
      });
    };
    expect((await send()).status).toBe(202);
    expect((await send()).status).toBe(202);
    await refused(await send(), 429, 'RATE_LIMITED');
  });
});
