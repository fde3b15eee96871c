import type { AppContext, View } from '../context';
import {
  ACCEPT,
  deleteDocument,
  downloadDocument,
  type KnowledgeDocument,
  listDocuments,
  replaceDocument,
  updateDocument,
  uploadDocument,
} from '../documents-api';
import { formatDate, h, replaceChildren } from '../dom';
import { alertBox, describeError } from '../ui';

const POLL_MS = 1500;

const formatSize = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1048576).toFixed(1)} MiB`;

const STATUS_LABEL = { pending: 'Processing…', ready: 'Ready', failed: 'Failed' } as const;

/**
 * The operators' documents page: drop files (or choose them) to upload with progress, then watch each
 * go from processing to ready or failed; publish, download, replace or delete.
 */
export function documentsView(ctx: AppContext): View {
  const alert = alertBox();
  const uploads = h('ul', { class: 'upload-list', 'aria-label': 'Uploads' });
  const table = h('tbody');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const picker = h('input', {
    type: 'file',
    accept: ACCEPT,
    multiple: true,
    id: 'document-files',
    class: 'visually-hidden',
  });
  picker.addEventListener('change', () => {
    void uploadAll([...(picker.files ?? [])]);
    picker.value = '';
  });
  const zone = h(
    'div',
    { class: 'dropzone', 'data-testid': 'dropzone' },
    h('p', {}, 'Drop PDF, text, Markdown or CSV files here, or '),
    h('label', { for: 'document-files', class: 'button' }, 'choose files'),
    picker,
  );
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    void uploadAll([...(event.dataTransfer?.files ?? [])]);
  });

  async function uploadAll(files: File[]): Promise<void> {
    for (const file of files) await uploadOne(file, (onProgress) => uploadDocument(file, onProgress));
  }

  async function uploadOne(
    file: File,
    run: (onProgress: (fraction: number) => void) => Promise<{ document: KnowledgeDocument }>,
  ): Promise<void> {
    const bar = h('progress', { max: 1, value: 0, 'aria-label': `Uploading ${file.name}` });
    const note = h('span', { class: 'upload-note' }, 'Uploading…');
    const row = h('li', { class: 'upload' }, h('span', { class: 'upload-name' }, file.name), bar, note);
    uploads.prepend(row);
    try {
      await run((fraction) => {
        bar.value = fraction;
      });
      bar.value = 1;
      note.textContent = 'Uploaded; processing.';
      ctx.announce(`${file.name} uploaded.`);
      await load();
    } catch (err) {
      note.textContent = describeError(err);
      row.classList.add('upload-failed');
    }
  }

  async function load(): Promise<void> {
    clearTimeout(timer);
    try {
      const { items } = await listDocuments();
      replaceChildren(
        table,
        ...(items.length
          ? items.map(rowOf)
          : [h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'No documents yet.'))]),
      );
      alert.show(null);
      if (!disposed && items.some((d) => d.status === 'pending')) timer = setTimeout(() => void load(), POLL_MS);
    } catch (err) {
      alert.show(describeError(err));
    }
  }

  function rowOf(doc: KnowledgeDocument): HTMLElement {
    const act = (label: string, work: () => Promise<unknown>) => {
      const button = h('button', { type: 'button' }, label, h('span', { class: 'visually-hidden' }, `: ${doc.name}`));
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await work();
          await load();
        } catch (err) {
          alert.show(describeError(err));
        } finally {
          button.disabled = false;
        }
      });
      return button;
    };
    const replacer = h('input', { type: 'file', accept: ACCEPT, class: 'visually-hidden', id: `replace-${doc.id}` });
    replacer.addEventListener('change', () => {
      const file = replacer.files?.[0];
      if (file) void uploadOne(file, (onProgress) => replaceDocument(doc.id, file, onProgress));
    });
    const status = h(
      'td',
      { class: `status status-${doc.status}`, 'data-status': doc.status },
      STATUS_LABEL[doc.status],
    );
    if (doc.failureReason) status.append(h('p', { class: 'hint' }, doc.failureReason));
    return h(
      'tr',
      { 'data-document': doc.name },
      h('th', { scope: 'row' }, doc.name, h('p', { class: 'hint' }, formatDate(doc.createdAt))),
      status,
      h('td', {}, formatSize(doc.sizeBytes)),
      h('td', {}, String(doc.chunkCount)),
      h('td', {}, doc.uploadedBy?.username ?? '—'),
      h('td', {}, String(doc.citedCount)),
      h('td', {}, doc.published ? 'Published' : 'Draft'),
      h(
        'td',
        { class: 'row-actions' },
        act(doc.published ? 'Unpublish' : 'Publish', () => updateDocument(doc.id, { published: !doc.published })),
        act('Download', () => downloadDocument(doc.id, doc.name)),
        h(
          'label',
          { for: replacer.id, class: 'button' },
          'Replace',
          h('span', { class: 'visually-hidden' }, `: ${doc.name}`),
        ),
        replacer,
        act('Delete', async () => {
          if (confirm(`Delete “${doc.name}”? Answers will no longer use it.`)) await deleteDocument(doc.id);
        }),
      ),
    );
  }

  void load();
  const el = h(
    'section',
    { class: 'documents' },
    h('h1', { tabindex: -1 }, 'Documents'),
    h(
      'p',
      {},
      'Published documents ground the assistant’s answers, and customers can open them from the citations. Drafts are visible to editors only.',
    ),
    alert.el,
    zone,
    uploads,
    h(
      'table',
      { class: 'documents-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Name', 'Status', 'Size', 'Chunks', 'Uploaded by', 'Cited', 'Visibility', 'Actions'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      table,
    ),
  );
  return {
    el,
    title: 'Documents',
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
