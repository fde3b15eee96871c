import { get, type Page, query, request, send, upload } from './api';

export type DocumentStatus = 'pending' | 'ready' | 'failed';

export type KnowledgeDocument = {
  id: string;
  name: string;
  kind: 'pdf' | 'text' | 'markdown' | 'csv';
  sizeBytes: number;
  status: DocumentStatus;
  failureReason: string | null;
  published: boolean;
  chunkCount: number;
  pageCount: number | null;
  citedCount: number;
  uploadedBy: { id: string; username: string } | null;
  createdAt: string;
};

/** A document an answer was grounded on, as the chat's `done` event carries it. */
export type Citation = { documentId: string; name: string; section: string | null };

export const ACCEPT = '.pdf,.txt,.md,.markdown,.csv';

export const listDocuments = (page = 1) =>
  get<Page<KnowledgeDocument>>(`/api/v1/documents${query({ page, pageSize: 50 })}`);

export const uploadDocument = (file: File, onProgress: (fraction: number) => void) =>
  upload<{ document: KnowledgeDocument }>('POST', '/api/v1/documents', file, onProgress);

export const replaceDocument = (id: string, file: File, onProgress: (fraction: number) => void) =>
  upload<{ document: KnowledgeDocument }>(
    'PUT',
    `/api/v1/documents/${encodeURIComponent(id)}/content`,
    file,
    onProgress,
  );

export const updateDocument = (id: string, patch: { published?: boolean; name?: string }) =>
  request<{ document: KnowledgeDocument }>('PATCH', `/api/v1/documents/${encodeURIComponent(id)}`, patch);

export const deleteDocument = (id: string) => request<void>('DELETE', `/api/v1/documents/${encodeURIComponent(id)}`);

/**
 * Downloads a document through the API (it needs the access token, so it cannot be a plain link) and
 * saves it under its name. The server sends it as an attachment: it is never opened in this page.
 */
export async function downloadDocument(id: string, name: string): Promise<void> {
  const res = await send('GET', `/api/v1/documents/${encodeURIComponent(id)}/content`, undefined, { accept: '*/*' });
  const url = URL.createObjectURL(await res.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
