import { ApiError, get, type Page, query, request } from '../api';
import { type AppContext, atLeast, type View } from '../context';
import { formatDate, h, replaceChildren } from '../dom';
import { renderText } from '../render';
import { alertBox, busy, describeError, field, renderPager } from '../ui';

type Faq = {
  id: string;
  question: string;
  answer: string;
  tags: string[];
  published: boolean;
  createdAt: string;
  updatedAt: string;
};

const PAGE_SIZE = 20;

/** The knowledge base: readable by everyone, editable by moderators and admins. */
export function faqView(ctx: AppContext): View {
  const canEdit = atLeast(ctx.user.role, 'moderator');
  let page = 1;
  let q = '';
  let editing: Faq | null = null;

  const alert = alertBox();
  const list = h('div', { class: 'faq-list' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'FAQ pages' });

  const search = h('input', { type: 'search', name: 'q', maxlength: 200 });
  const searchForm = h(
    'form',
    { class: 'search', role: 'search' },
    field('Search the FAQ', search).row,
    h('button', { type: 'submit' }, 'Search'),
  );
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    q = search.value.trim();
    page = 1;
    void load();
  });

  const editor = canEdit ? faqEditor() : null;

  async function load(): Promise<void> {
    try {
      const result = await get<Page<Faq>>(`/api/v1/faqs${query({ q, page, pageSize: PAGE_SIZE })}`);
      replaceChildren(
        list,
        ...(result.items.length ? result.items.map(item) : [h('p', { class: 'empty' }, 'No entries found.')]),
      );
      showPager(result);
    } catch (err) {
      alert.show(
        err instanceof ApiError && err.status === 404
          ? 'The FAQ is not available on this server yet.'
          : describeError(err),
      );
    }
  }

  function showPager(result: Page<Faq>): void {
    renderPager(pager, page, result, (to) => {
      page = to;
      void load();
    });
  }

  function item(faq: Faq): HTMLElement {
    const actions = canEdit
      ? h(
          'div',
          { class: 'row-actions' },
          h(
            'button',
            { type: 'button', onclick: () => editor?.edit(faq) },
            'Edit',
            h('span', { class: 'visually-hidden' }, `: ${faq.question}`),
          ),
          h(
            'button',
            { type: 'button', class: 'danger', onclick: () => void remove(faq) },
            'Delete',
            h('span', { class: 'visually-hidden' }, `: ${faq.question}`),
          ),
        )
      : null;
    return h(
      'article',
      { class: 'card faq-item' },
      h('h3', {}, faq.question, faq.published ? null : h('span', { class: 'badge' }, 'Draft')),
      h('div', { class: 'faq-answer' }, renderText(faq.answer)),
      h(
        'p',
        { class: 'meta' },
        faq.tags.length ? `Tags: ${faq.tags.join(', ')} · ` : '',
        `Updated ${formatDate(faq.updatedAt)}`,
      ),
      actions,
    );
  }

  async function remove(faq: Faq): Promise<void> {
    if (!confirm(`Delete the FAQ entry “${faq.question}”?`)) return;
    try {
      await request<void>('DELETE', `/api/v1/faqs/${encodeURIComponent(faq.id)}`);
      ctx.announce('FAQ entry deleted.');
      if (editing?.id === faq.id) editor?.reset();
      await load();
    } catch (err) {
      alert.show(describeError(err));
    }
  }

  function faqEditor() {
    const title = h('h2', { id: 'faq-editor-title' }, 'Add an entry');
    const question = field('Question', h('input', { type: 'text', name: 'question', required: true, maxlength: 500 }));
    const answer = field(
      'Answer',
      h('textarea', { name: 'answer', rows: 6, required: true, maxlength: 8000 }),
      'Plain text. **bold**, `code`, “- ” bullet lists and blank-line paragraphs are shown formatted.',
    );
    const tags = field(
      'Tags',
      h('input', { type: 'text', name: 'tags', maxlength: 500 }),
      'Comma-separated, optional.',
    );
    const published = h('input', { type: 'checkbox', name: 'published', id: 'faq-published', checked: true });
    const save = h('button', { type: 'submit', class: 'primary' }, 'Add entry');
    const cancel = h('button', { type: 'button', hidden: true }, 'Cancel editing');
    const formAlert = alertBox();
    const form = h(
      'form',
      { class: 'card faq-editor', 'aria-labelledby': 'faq-editor-title', novalidate: true },
      title,
      formAlert.el,
      question.row,
      answer.row,
      tags.row,
      h('div', { class: 'field field-check' }, published, h('label', { for: 'faq-published' }, 'Published')),
      h('div', { class: 'row-actions' }, save, cancel),
    );
    const input = (f: { control: HTMLElement }) => f.control as HTMLInputElement;

    function reset(): void {
      editing = null;
      form.reset();
      published.checked = true;
      title.textContent = 'Add an entry';
      save.textContent = 'Add entry';
      cancel.hidden = true;
      formAlert.show(null);
    }
    cancel.addEventListener('click', reset);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      formAlert.show(null);
      const body = {
        question: input(question).value.trim(),
        answer: input(answer).value.trim(),
        tags: input(tags)
          .value.split(',')
          .map((tag) => tag.trim())
          .filter(Boolean),
        published: published.checked,
      };
      if (!body.question || !body.answer) {
        formAlert.show('A question and an answer are required.');
        return;
      }
      try {
        await busy(save, 'Saving…', () =>
          editing
            ? request('PATCH', `/api/v1/faqs/${encodeURIComponent(editing.id)}`, body)
            : request('POST', '/api/v1/faqs', body),
        );
        ctx.announce(editing ? 'FAQ entry updated.' : 'FAQ entry added.');
        reset();
        await load();
      } catch (err) {
        formAlert.show(describeError(err));
      }
    });
    return {
      form,
      reset,
      edit(faq: Faq) {
        editing = faq;
        input(question).value = faq.question;
        input(answer).value = faq.answer;
        input(tags).value = faq.tags.join(', ');
        published.checked = faq.published;
        title.textContent = 'Edit entry';
        save.textContent = 'Save changes';
        cancel.hidden = false;
        input(question).focus();
      },
    };
  }

  void load();
  const el = h(
    'section',
    { class: 'page' },
    h('h1', { tabindex: -1 }, canEdit ? 'FAQ knowledge base' : 'Frequently asked questions'),
    alert.el,
    editor?.form,
    searchForm,
    list,
    pager,
  );
  return { el, title: 'FAQ' };
}
