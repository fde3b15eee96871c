import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { makePdf } from '../../../scripts/lib/make-pdf.mjs';
import { bearer, registerAndLogin, type Session } from '../../helpers/auth';
import { type DocumentBody, publish, settled, upload, uploadOk } from '../../helpers/documents';
import { call, readError } from '../../helpers/http';

// Processing runs on the queue consumer beside the tests: PDFs take a few seconds on a busy machine.
vi.setConfig({ testTimeout: 30_000 });

let editor: Session;
let customer: Session;
beforeAll(async () => {
  editor = await registerAndLogin('moderator');
  customer = await registerAndLogin('user');
});

const patch = (id: string, body: unknown, token = editor.accessToken) =>
  call(`/api/v1/documents/${id}`, {
    method: 'PATCH',
    headers: { ...bearer(token), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('list and get', () => {
  it('lists status, size, chunks, uploader and citations, newest first', async () => {
    const first = await uploadOk(editor.accessToken, { name: 'one.txt', type: 'text/plain', bytes: 'First file.' });
    const second = await uploadOk(editor.accessToken, { name: 'two.txt', type: 'text/plain', bytes: 'Second file.' });
    await settled(editor.accessToken, first.id);
    await settled(editor.accessToken, second.id);
    const res = await call('/api/v1/documents?pageSize=100', { headers: bearer(editor.accessToken) });
    const { items, total } = (await res.json()) as { items: (DocumentBody & { uploadedBy: unknown })[]; total: number };
    expect(total).toBeGreaterThanOrEqual(2);
    const ids = items.map((d) => d.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    expect(items.find((d) => d.id === first.id)).toMatchObject({
      status: 'ready',
      sizeBytes: 11,
      chunkCount: 1,
      citedCount: 0,
      published: false,
      uploadedBy: { id: editor.userId },
    });
    expect(JSON.stringify(items)).not.toContain('documents/');
  });
});

describe('publish and rename', () => {
  it('renames with the upload name rules and publishes', async () => {
    const doc = await uploadOk(editor.accessToken, { name: 'a.txt', type: 'text/plain', bytes: 'A.' });
    const renamed = await patch(doc.id, { name: 'Delivery policy.txt', published: true });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { document: DocumentBody }).document).toMatchObject({
      name: 'Delivery policy.txt',
      published: true,
    });
    const bad = await patch(doc.id, { name: '../x.txt' });
    expect(bad.status).toBe(400);
    expect((await readError(bad)).code).toBe('INVALID_FILE_NAME');
    expect((await patch(doc.id, {})).status).toBe(400);
    expect((await patch(crypto.randomUUID(), { published: true })).status).toBe(404);
  });
});

describe('download', () => {
  it('serves published content to chat users as an attachment, with the stored type and nosniff', async () => {
    const doc = await uploadOk(editor.accessToken, {
      name: 'Prix été.md',
      type: 'text/markdown',
      bytes: '# Prix\n\n<script>alert(1)</script>',
    });
    await settled(editor.accessToken, doc.id);
    await publish(editor.accessToken, doc.id);
    const res = await call(`/api/v1/documents/${doc.id}/content`, { headers: bearer(customer.accessToken) });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/markdown; charset=utf-8');
    expect(res.headers.get('Content-Disposition')).toBe(
      `attachment; filename="Prix _t_.md"; filename*=UTF-8''${encodeURIComponent('Prix été.md')}`,
    );
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    expect(res.headers.get('Cache-Control')).toContain('no-store');
    expect(await res.text()).toBe('# Prix\n\n<script>alert(1)</script>');
  });

  it('keeps drafts to editors: 404 for a customer, the file for an editor', async () => {
    const pdf = makePdf({ pages: [['Draft']] });
    const doc = await uploadOk(editor.accessToken, { name: 'draft.pdf', type: 'application/pdf', bytes: pdf });
    await settled(editor.accessToken, doc.id);
    const denied = await call(`/api/v1/documents/${doc.id}/content`, { headers: bearer(customer.accessToken) });
    expect(denied.status).toBe(404);
    const allowed = await call(`/api/v1/documents/${doc.id}/content`, { headers: bearer(editor.accessToken) });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('Content-Type')).toBe('application/pdf');
    expect(new Uint8Array(await allowed.arrayBuffer())).toEqual(pdf);
  });

  it('refuses roles that cannot chat', async () => {
    const viewer = await registerAndLogin('viewer');
    const doc = await uploadOk(editor.accessToken, { name: 'v.txt', type: 'text/plain', bytes: 'V.' });
    const res = await call(`/api/v1/documents/${doc.id}/content`, { headers: bearer(viewer.accessToken) });
    expect(res.status).toBe(403);
  });
});

describe('replace', () => {
  it('stores the new file under a new key, drops the old object and chunks, and processes it again', async () => {
    const doc = await uploadOk(editor.accessToken, {
      name: 'hours.md',
      type: 'text/markdown',
      bytes: '# Hours\n\nOpen at nine.\n',
    });
    await settled(editor.accessToken, doc.id);
    await publish(editor.accessToken, doc.id);
    const keyOf = async () =>
      (
        await env.DB.prepare('SELECT object_key FROM documents WHERE id = ?')
          .bind(doc.id)
          .first<{ object_key: string }>()
      )?.object_key as string;
    const oldKey = await keyOf();

    const res = await upload(
      editor.accessToken,
      { name: 'hours-2027.md', type: 'text/markdown', bytes: '# Hours\n\nOpen at eight.\n\n# Holidays\n\nClosed.\n' },
      { method: 'PUT', path: `/api/v1/documents/${doc.id}/content` },
    );
    expect(res.status).toBe(202);
    const replaced = ((await res.json()) as { document: DocumentBody }).document;
    expect(replaced).toMatchObject({ id: doc.id, status: 'pending', published: true, name: 'hours.md' });
    expect(await keyOf()).not.toBe(oldKey);
    expect(await env.DOCUMENTS.head(oldKey)).toBeNull();
    const done = await settled(editor.accessToken, doc.id);
    expect(done).toMatchObject({ status: 'ready', chunkCount: 2 });
    const text = await (
      await call(`/api/v1/documents/${doc.id}/content`, { headers: bearer(customer.accessToken) })
    ).text();
    expect(text).toContain('Open at eight');
    const old = await env.DB.prepare(
      "SELECT count(*) AS n FROM document_chunks_fts WHERE document_chunks_fts MATCH 'nine'",
    ).first<{ n: number }>();
    expect(old?.n).toBe(0);
  });

  it('answers 404 for an unknown document without reading the upload', async () => {
    const res = await upload(
      editor.accessToken,
      { name: 'x.txt', type: 'text/plain', bytes: 'x' },
      { method: 'PUT', path: `/api/v1/documents/${crypto.randomUUID()}/content` },
    );
    expect(res.status).toBe(404);
  });
});
