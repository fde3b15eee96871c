import { describe, expect, it, vi } from 'vitest';
import { makePdf } from '../../../scripts/lib/make-pdf.mjs';
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
