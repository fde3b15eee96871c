import { ApiError } from '../api';
import {
  type ConversationSummary,
  deleteConversation,
  getConversation,
  listConversations,
  type Source,
  streamChat,
} from '../chat-api';
import type { AppContext, View } from '../context';
import { type Citation, downloadDocument } from '../documents-api';
import { formatDate, h, replaceChildren } from '../dom';
import { renderText } from '../render';
import { alertBox, describeError, field, retryHint } from '../ui';
import { customerHandoff, handoffMessageEl, holdsPerson } from './chat-handoff';

/**
 * The chat screen: conversation list, message log and composer. One answer streams at a time;
 * Stop aborts its request (the server keeps the partial answer, marked incomplete).
 */
export function chatView(ctx: AppContext, conversationId: string | null): View {
  const config = ctx.chat;
  if (!config) {
    return notice('Chat', 'Chat is not available on this server yet. The FAQ may already answer your question.');
  }
  if (ctx.user.role === 'viewer') {
    return notice('Chat', 'Your account can read the FAQ but cannot start chats. Ask an administrator for access.');
  }

  let currentId = conversationId;
  let controller: AbortController | null = null;
  /** A conversation this view started, until the server lists it. */
  let started: ConversationSummary | null = null;
  const assistant = config.assistantName || 'Assistant';

  const heading = h('h1', { tabindex: -1, class: 'chat-title' }, 'New conversation');
  // The log is the live region; it is marked busy while an answer streams so screen readers
  // read the finished answer once instead of every fragment.
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages' });
  const status = h('p', { class: 'visually-hidden', role: 'status' });
  const alert = alertBox();
  const list = h('ul', { class: 'conversation-list' });
  const textarea = h('textarea', { name: 'message', rows: 3, maxlength: 8000, required: true });
  const handoff = customerHandoff(
    ctx,
    log,
    () => {
      if (currentId) void loadConversation(currentId);
    },
    textarea,
  );
  const message = field('Your message', textarea, 'Enter sends; Shift+Enter adds a line.');
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const stop = h('button', { type: 'button', class: 'danger', hidden: true }, 'Stop');
  const models = config.models.length > 1 ? modelPicker(config.models) : null;

  const form = h(
    'form',
    { class: 'composer', 'aria-label': 'Send a message' },
    message.row,
    h('div', { class: 'composer-actions' }, models?.row, send, stop),
  );

  textarea.addEventListener('input', () => handoff.typed());
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  stop.addEventListener('click', () => controller?.abort());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void sendMessage();
  });

  async function sendMessage(): Promise<void> {
    const text = textarea.value.trim();
    if (!text || controller) return;
    alert.show(null);
    textarea.value = '';
    const mine = messageEl('user', 'You', text);
    log.append(mine);
    // While a person holds the conversation the model stays silent: no answer bubble, unless the server
    // disagrees (the state changed meanwhile) and streams one after all.
    let answer: ReturnType<typeof assistantBubble> | null = null;
    const answerBubble = () => {
      if (!answer) {
        answer = assistantBubble(assistant);
        log.append(answer.el);
      }
      return answer;
    };
    if (!holdsPerson(handoff.state)) answerBubble();
    scrollToEnd(true);

    controller = new AbortController();
    setStreaming(true, answer !== null);
    let received = '';
    let frame = 0;
    const paint = () => {
      frame = 0;
      answer?.setText(received);
      scrollToEnd(false);
    };
    const adopt = (id: string) => {
      if (currentId) return;
      currentId = id;
      const now = new Date().toISOString();
      started = { id: currentId, title: text, createdAt: now, updatedAt: now, messageCount: 2 };
      heading.textContent = text.length > 60 ? `${text.slice(0, 60)}…` : text;
      // Not a navigation: the view stays, only the address becomes shareable/reloadable.
      history.replaceState(null, '', `#/chat/${encodeURIComponent(currentId)}`);
    };
    try {
      await streamChat(
        {
          message: text,
          ...(currentId ? { conversationId: currentId } : {}),
          ...(models ? { model: models.value() } : {}),
        },
        {
          meta(meta) {
            answerBubble().setSource(meta.source);
            adopt(meta.conversationId);
          },
          delta(piece) {
            answerBubble();
            received += piece;
            frame ||= requestAnimationFrame(paint);
          },
          done(done) {
            answerBubble().cite(done.sources ?? []);
            status.textContent = 'Answer complete.';
            if (done.state && done.state !== handoff.state) handoff.setState(done.state, null);
          },
          accepted(accepted) {
            answer?.el.remove();
            answer = null;
            adopt(accepted.conversationId);
            mine.dataset.id = accepted.messageId;
            mine.append(h('p', { class: 'msg-note' }, 'Sent to the support team.'));
            if (accepted.state !== handoff.state) handoff.setState(accepted.state, null);
            status.textContent = 'Message sent.';
          },
        },
        controller.signal,
      );
      cancelAnimationFrame(frame);
      paint();
    } catch (err) {
      cancelAnimationFrame(frame);
      paint();
      const bubble = answerBubble();
      if (controller.signal.aborted) {
        bubble.note('Stopped. This answer is incomplete.');
        status.textContent = 'Stopped.';
      } else if (err instanceof ApiError && err.status !== 200 && received === '') {
        // Refused before anything streamed (empty message, limits, budget): let them retry as is.
        bubble.el.remove();
        mine.remove();
        textarea.value = text;
        alert.show(err.status === 429 ? `${err.message} ${retryHint(err.retryAfter)}` : err.message);
      } else {
        bubble.note(describeError(err), true);
        status.textContent = 'The answer failed.';
      }
    } finally {
      (answer as ReturnType<typeof assistantBubble> | null)?.finish();
      controller = null;
      setStreaming(false, false);
      // Once the turn is stored (it is written before its last event), the conversation can be followed live.
      if (currentId) handoff.follow(currentId, handoff.state);
      void loadList();
    }
  }

  function setStreaming(on: boolean, answering: boolean): void {
    log.setAttribute('aria-busy', String(on && answering));
    const stopHadFocus = document.activeElement === stop;
    stop.hidden = !(on && answering);
    send.disabled = on;
    if (on && answering) status.textContent = `${assistant} is typing…`;
    if (!on && stopHadFocus) textarea.focus();
  }

  function scrollToEnd(force: boolean): void {
    const nearEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    if (force || nearEnd) log.scrollTop = log.scrollHeight;
  }

  async function loadList(): Promise<void> {
    try {
      const page = await listConversations();
      // The server stores a turn moments after its last event: show a just-started conversation anyway.
      const items =
        started && !page.items.some((item) => item.id === started?.id) ? [started, ...page.items] : page.items;
      replaceChildren(
        list,
        ...(items.length ? items.map(conversationItem) : [h('li', { class: 'empty' }, 'No conversations yet.')]),
      );
    } catch (err) {
      replaceChildren(list, h('li', { class: 'empty' }, describeError(err)));
    }
  }

  function conversationItem(item: ConversationSummary): HTMLElement {
    const title = item.title || 'Untitled conversation';
    const del = h('button', { type: 'button', class: 'icon-button', 'aria-label': `Delete “${title}”` }, 'Delete');
    del.addEventListener('click', async () => {
      if (!confirm(`Delete the conversation “${title}”? This cannot be undone.`)) return;
      try {
        await deleteConversation(item.id);
        ctx.announce('Conversation deleted.');
        if (item.id === currentId) ctx.navigate('#/chat');
        else void loadList();
      } catch (err) {
        alert.show(describeError(err));
      }
    });
    return h(
      'li',
      {},
      h(
        'a',
        { href: `#/chat/${encodeURIComponent(item.id)}`, 'aria-current': item.id === currentId ? 'page' : null },
        h('span', { class: 'conversation-title' }, title),
        h('span', { class: 'conversation-meta' }, `${formatDate(item.updatedAt)} · ${item.messageCount} messages`),
      ),
      del,
    );
  }

  async function loadConversation(id: string): Promise<void> {
    try {
      const { conversation, messages } = await getConversation(id);
      heading.textContent = conversation.title || 'Conversation';
      replaceChildren(
        log,
        ...messages.map((m) => {
          if (m.role === 'operator' || m.role === 'system') return handoffMessageEl({ ...m, author: m.author ?? null });
          const el =
            m.role === 'user' ? messageEl('user', 'You', m.content) : storedAnswer(assistant, m.content, m.source);
          el.dataset.id = m.id;
          if (m.incomplete) el.append(h('p', { class: 'msg-note' }, 'This answer is incomplete.'));
          return el;
        }),
      );
      scrollToEnd(true);
      handoff.follow(id, conversation.state ?? 'bot');
    } catch (err) {
      alert.show(
        err instanceof ApiError && err.status === 404 ? 'That conversation no longer exists.' : describeError(err),
      );
    }
  }

  void loadList();
  if (currentId) void loadConversation(currentId);

  const el = h(
    'div',
    { class: 'chat-layout' },
    h(
      'aside',
      { class: 'conversations', 'aria-labelledby': 'conversations-title' },
      h('h2', { id: 'conversations-title' }, 'Conversations'),
      h('a', { href: '#/chat', class: 'button' }, 'New conversation'),
      list,
    ),
    h(
      'section',
      { class: 'chat', 'aria-labelledby': 'chat-title' },
      heading,
      config.canned
        ? h(
            'p',
            { class: 'banner', role: 'note' },
            'Demo mode: this server uses a stand-in for the AI model, so answers are canned.',
          )
        : null,
      handoff.el,
      log,
      handoff.typing,
      alert.el,
      form,
      status,
    ),
  );
  heading.id = 'chat-title';
  return {
    el,
    title: 'Chat',
    dispose: () => {
      controller?.abort();
      handoff.dispose();
    },
  };
}

function messageEl(kind: 'user' | 'assistant', who: string, text: string): HTMLElement {
  return h(
    'article',
    { class: `msg msg-${kind}` },
    h('h3', { class: 'msg-author' }, who),
    h('div', { class: 'msg-body' }, kind === 'user' ? plainParagraphs(text) : renderText(text)),
  );
}

function storedAnswer(assistant: string, text: string, source: Source | null): HTMLElement {
  const el = messageEl('assistant', assistant, text);
  if (source === 'faq') el.querySelector('.msg-author')?.append(' ', faqBadge());
  return el;
}

const faqBadge = () => h('span', { class: 'badge badge-faq' }, 'FAQ answer');

/** User text is shown exactly as typed: paragraphs and line breaks, no formatting. */
function plainParagraphs(text: string): HTMLElement {
  return h('p', { class: 'pre-line' }, text);
}

/** A streaming answer: typing dots until the first text, then formatted text as it grows. */
function assistantBubble(assistant: string) {
  const author = h('h3', { class: 'msg-author' }, assistant);
  const body = h('div', { class: 'msg-body' });
  const typing = h(
    'p',
    { class: 'typing' },
    h('span', { class: 'visually-hidden' }, `${assistant} is typing`),
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
  );
  body.append(typing);
  const el = h('article', { class: 'msg msg-assistant streaming' }, author, body);
  return {
    el,
    setText(text: string) {
      if (text) replaceChildren(body, renderText(text));
    },
    setSource(source: Source) {
      if (source === 'faq') author.append(' ', faqBadge());
    },
    finish() {
      typing.remove();
      el.classList.remove('streaming');
    },
    /** The documents the answer was grounded on, each one a button that downloads it. */
    cite(sources: Citation[]) {
      if (sources.length === 0) return;
      const items = sources.map((source) => {
        const label = source.section ? `${source.name} — ${source.section}` : source.name;
        const open = h('button', { type: 'button', class: 'link-button citation' }, label);
        open.addEventListener('click', () => {
          downloadDocument(source.documentId, source.name).catch((err: unknown) => {
            open.after(h('span', { class: 'msg-error' }, ` ${describeError(err)}`));
          });
        });
        return h('li', {}, open);
      });
      el.append(
        h('aside', { class: 'citations', 'aria-label': 'Sources' }, h('h4', {}, 'Sources'), h('ul', {}, ...items)),
      );
    },
    note(text: string, isError = false) {
      this.finish();
      el.append(h('p', { class: isError ? 'msg-note msg-error' : 'msg-note' }, text));
    },
  };
}

function modelPicker(models: { id: string; default: boolean }[]) {
  const select = h('select', { name: 'model' });
  for (const model of models) {
    select.append(h('option', { value: model.id, selected: model.default }, model.id));
  }
  const { row } = field('Model', select);
  row.classList.add('field-inline');
  return { row, value: () => select.value };
}

function notice(title: string, text: string): View {
  return {
    el: h('section', { class: 'card' }, h('h1', { tabindex: -1 }, title), h('p', {}, text)),
    title,
  };
}
