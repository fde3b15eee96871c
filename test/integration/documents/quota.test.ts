import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { multipartBody } from '../../helpers/documents';
import { callerWith, readError } from '../../helpers/http';

// Its own file: storage is shared within a file, and the quota counts every stored document.
describe('total storage quota', () => {
  it('refuses an upload that would pass DOCUMENT_STORAGE_QUOTA_BYTES, and keeps nothing of it', async () => {
    const app = callerWith({ DOCUMENT_STORAGE_QUOTA_BYTES: String(1024 * 1024) });
    const editor = await registerAndLogin('moderator');
    const send = (bytes: string) => {
      const { body, contentType } = multipartBody([{ field: 'file', filename: 'q.txt', type: 'text/plain', bytes }]);
      return app('/api/v1/documents', {
        method: 'POST',
        headers: { ...bearer(editor.accessToken), 'Content-Type': contentType },
        body,
      });
    };
    expect((await send('a'.repeat(700 * 1024))).status).toBe(202);
    const keys = (await env.DOCUMENTS.list()).objects.length;
    const over = await send('b'.repeat(400 * 1024));
    expect(over.status).toBe(413);
    expect((await readError(over)).code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect((await env.DOCUMENTS.list()).objects.length).toBe(keys);
    // Room for one that fills it exactly.
    expect((await send('c'.repeat(324 * 1024))).status).toBe(202);
    // Full: refused before the upload is read.
    const full = await send('d');
    expect((await readError(full)).code).toBe('STORAGE_QUOTA_EXCEEDED');
  });
});
