import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, registerAndLogin, type Session } from '../../helpers/auth';
import { readSse, useFakeDeepSeek } from '../../helpers/chat';
import { type DocumentBody, publish, settled, uploadOk } from '../../helpers/documents';
import { call, postJson } from '../../helpers/http';

// Processing runs on the queue consumer beside the tests: PDFs take a few seconds on a busy machine.
vi.setConfig({ testTimeout: 30_000 });

type Source = { documentId: string; name: string; section: string | null };
type Sent = { messages: { role: string; content: string }[] };

let editor: Session;
let customer: Session;
let warranty: DocumentBody;

const WARRANTY =
  '# Warranty\n\n## Quantum toasters\n\nThe Zorbulax warranty covers quantum toasters for seventeen years.\n';

beforeAll(async () => {
  editor = await registerAndLogin('moderator');
  customer = await registerAndLogin('user');
  warranty = await uploadOk(editor.accessToken, { name: 'warranty.md', type: 'text/markdown', bytes: WARRANTY });
  expect((await settled(editor.accessToken, warranty.id)).status).toBe('ready');
  await publish(editor.accessToken, warranty.id);
}, 30_000);

async function ask(message: string, session = customer) {
  const res = await postJson('/api/v1/chat', { message, stream: false }, bearer(session.accessToken));
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as { answer: string; source: string; sources: Source[] };
}

const prompt = (fake: ReturnType<typeof useFakeDeepSeek>) =>
  ((fake.stats.lastRequest?.body as Sent | undefined)?.messages ?? []).map((m) => m.content).join('\n');

async function citedCount(id: string): Promise<number> {
  const row = await env.DB.prepare('SELECT cited_count FROM documents WHERE id = ?')
    .bind(id)
    .first<{ cited_count: number }>();
  return row?.cited_count ?? -1;
}

describe('answers grounded on documents', () => {
  it('puts the matching chunk in the prompt, fenced, and cites the document in sources', async () => {
    const fake = useFakeDeepSeek();
    const body = await ask('How long does the Zorbulax warranty last?');
    expect(body.source).toBe('model');
    expect(body.sources).toEqual([
      { documentId: warranty.id, name: 'warranty.md', section: 'Warranty › Quantum toasters' },
    ]);
    const sent = prompt(fake);
    expect(sent).toContain('Source: warranty.md › Warranty › Quantum toasters');
    expect(sent).toContain('The Zorbulax warranty covers quantum toasters for seventeen years.');
    expect(sent).toMatch(/<reference id="\d">\nSource: warranty\.md/);
    // Recorded after the answer (waitUntil): the document's "used in answers" count.
    await expect.poll(() => citedCount(warranty.id), { timeout: 5000 }).toBeGreaterThanOrEqual(1);
  });

  it('carries sources on the done event of a stream', async () => {
    useFakeDeepSeek();
    const res = await postJson('/api/v1/chat', { message: 'Zorbulax warranty length?' }, bearer(customer.accessToken));
    const events = await readSse(res);
    const done = events.find((e) => e.event === 'done');
    expect(done?.data.sources).toEqual([
      { documentId: warranty.id, name: 'warranty.md', section: 'Warranty › Quantum toasters' },
    ]);
  });

  it('adds sources to the OpenAI-compatible response, streamed and not', async () => {
    useFakeDeepSeek();
    const request = { model: 'support-fast', messages: [{ role: 'user', content: 'Explain the Zorbulax warranty' }] };
    const plain = await postJson('/v1/chat/completions', request, bearer(customer.accessToken));
    expect(((await plain.json()) as { sources: Source[] }).sources.map((s) => s.documentId)).toEqual([warranty.id]);
    const streamed = await postJson('/v1/chat/completions', { ...request, stream: true }, bearer(customer.accessToken));
    const chunks = (await streamed.text())
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: {'))
      .map(
        (frame) => JSON.parse(frame.slice(6)) as { choices: { finish_reason: string | null }[]; sources?: Source[] },
      );
    const last = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(last?.sources?.map((s) => s.documentId)).toEqual([warranty.id]);
  });

  it('never uses an unpublished document', async () => {
    const draft = await uploadOk(editor.accessToken, {
      name: 'secret-plans.md',
      type: 'text/markdown',
      bytes: '# Plans\n\nThe Quibblefrost launch happens on the ninth moon.\n',
    });
    expect((await settled(editor.accessToken, draft.id)).status).toBe('ready');
    const fake = useFakeDeepSeek();
    const body = await ask('When is the Quibblefrost launch?');
    expect(body.sources).toEqual([]);
    expect(prompt(fake)).not.toContain('ninth moon');
    // Published, the same question finds it; unpublished again, it is gone at once.
    await publish(editor.accessToken, draft.id);
    expect((await ask('When is the Quibblefrost launch?')).sources.map((s) => s.documentId)).toEqual([draft.id]);
    await call(`/api/v1/documents/${draft.id}`, {
      method: 'PATCH',
      headers: { ...bearer(editor.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ published: false }),
    });
    expect((await ask('When is the Quibblefrost launch?')).sources).toEqual([]);
  });

  it('escapes FTS syntax in the message: operators are searched for, never obeyed', async () => {
    useFakeDeepSeek();
    const body = await ask('Zorbulax" OR NEAR(* -warranty');
    expect(body.sources.map((s) => s.documentId)).toEqual([warranty.id]);
  });
});

describe('delete', () => {
  it('removes the object, the chunks and the index rows at once', async () => {
    const doc = await uploadOk(editor.accessToken, {
      name: 'gone.md',
      type: 'text/markdown',
      bytes: '# Gone\n\nThe Frobnicator recall covers blue units only.\n',
    });
    await settled(editor.accessToken, doc.id);
    await publish(editor.accessToken, doc.id);
    const key = (
      await env.DB.prepare('SELECT object_key FROM documents WHERE id = ?').bind(doc.id).first<{ object_key: string }>()
    )?.object_key as string;
    const ftsRows = () =>
      env.DB.prepare(
        "SELECT count(*) AS n FROM document_chunks_fts WHERE document_chunks_fts MATCH 'frobnicator'",
      ).first<{ n: number }>();
    expect((await ftsRows())?.n).toBe(1);

    const res = await call(`/api/v1/documents/${doc.id}`, { method: 'DELETE', headers: bearer(editor.accessToken) });
    expect(res.status).toBe(204);
    expect(await env.DOCUMENTS.head(key)).toBeNull();
    const chunks = await env.DB.prepare('SELECT count(*) AS n FROM document_chunks WHERE document_id = ?')
      .bind(doc.id)
      .first<{ n: number }>();
    expect(chunks?.n).toBe(0);
    expect((await ftsRows())?.n).toBe(0);
    useFakeDeepSeek();
    expect((await ask('Frobnicator recall?')).sources).toEqual([]);
    expect((await call(`/api/v1/documents/${doc.id}`, { headers: bearer(editor.accessToken) })).status).toBe(404);
  });
});
