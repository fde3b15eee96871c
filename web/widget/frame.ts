import type { ConversationState } from '../src/live';
import { renderMarkdown } from '../src/sanitize';
import { SseParser } from '../src/sse';
import { el } from './el';
import { guestHandoff, holdsPerson, personMessage } from './handoff';
import { isMessage, type ToFrame, type ToHost } from './protocol';
import { GuestSession } from './session';

type Config = {
  siteId: string;
  hostOrigin: string;
  greeting: string | null;
  accentColor: string | null;
  assistantName: string;
  canned: boolean;
  turnstile: { siteKey: string; scriptUrl: string | null; action: string };
};

const config = JSON.parse(document.getElementById('widget-config')?.textContent ?? '{}') as Config;
const root = document.getElementById('widget') as HTMLElement;
if (config.accentColor) document.documentElement.style.setProperty('--accent', config.accentColor);

// Only the host origin its site allowed (and the server put in the page) hears from the frame.
const toHost = (message: ToHost) => window.parent.postMessage(message, config.hostOrigin);

const header = el('header', { class: 'head' });
const title = el('h1', { id: 'widget-title' }, config.assistantName);
const close = el('button', { type: 'button', class: 'close', 'aria-label': 'Close chat' }, '×');
header.append(title, close);
const notice = config.canned
  ? el('p', { class: 'notice', role: 'note' }, 'Demo mode: answers are canned, not from a real assistant.')
  : null;
const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-labelledby': 'widget-title' });
const alert = el('p', { class: 'alert', role: 'alert' });
const form = el('form', { class: 'compose' });
const label = el('label', { for: 'message', class: 'visually-hidden' }, 'Your message');
const input = el('textarea', { id: 'message', rows: '2', maxlength: '4000', placeholder: 'Type your question…' });
const send = el('button', { type: 'submit', class: 'send' }, 'Send');
form.append(label, input, send);
const session = new GuestSession(config.siteId, config.turnstile);
let unread = 0;
let isOpen = false;
let busy = false;
const countUnread = () => {
  if (!isOpen) toHost({ type: 'sw:unread', count: ++unread });
};
const handoff = guestHandoff(session, log, alert, {
  incoming: countUnread,
  reload: () => void restore(),
  focusInput: () => input.focus(),
});

const panel = el('section', { class: 'panel', role: 'dialog', 'aria-labelledby': 'widget-title' });
panel.append(header, ...(notice ? [notice] : []), log, handoff.typing, handoff.bar, handoff.contact, alert, form);
root.replaceChildren(panel);

function bubble(role: 'user' | 'assistant', text = ''): HTMLElement {
  const item = el('article', { class: `msg msg-${role}` });
  item.append(el('h2', { class: 'visually-hidden' }, role === 'user' ? 'You said' : `${config.assistantName} said`));
  const body = el('div', { class: 'body' });
  if (role === 'user') body.textContent = text;
  else if (text) body.replaceChildren(renderMarkdown(text));
  item.append(body);
  log.append(item);
  log.scrollTop = log.scrollHeight;
  return body;
}

if (config.greeting) bubble('assistant', config.greeting);

/** A returning visitor continues their newest conversation. */
async function restore(): Promise<void> {
  const list = await session.fetch('/api/v1/conversations?pageSize=1');
  if (!list.ok) return;
  const [newest] = ((await list.json()) as { items: { id: string }[] }).items;
  if (!newest) return;
  const res = await session.fetch(`/api/v1/conversations/${newest.id}`);
  if (!res.ok) return;
  session.conversationId = newest.id;
  const { conversation, messages } = (await res.json()) as {
    conversation: { state?: ConversationState };
    messages: StoredMessage[];
  };
  log.replaceChildren();
  if (config.greeting) bubble('assistant', config.greeting);
  let notice: string | null = null;
  for (const m of messages) {
    if (m.role === 'user' || m.role === 'assistant') bubble(m.role, m.content);
    else personMessage(log, { ...m, author: m.author ?? null });
    notice = m.role === 'system' ? (m.notice ?? null) : notice;
  }
  handoff.opened(conversation.state ?? 'bot', notice);
}

type StoredMessage = {
  id: string;
  role: 'user' | 'assistant' | 'operator' | 'system';
  content: string;
  author?: { name: string; role: string } | null;
  notice?: 'nobody_available' | null;
};

let started: Promise<void> | undefined;
/** The visitor's session starts on first open: a page view alone costs no Turnstile check. */
const start = () => {
  started ??= session
    .ensure()
    .then(restore)
    .catch((error: unknown) => {
      started = undefined;
      alert.textContent = error instanceof Error ? error.message : 'The chat could not start. Try again.';
    });
  return started;
};

type Citation = { documentId: string; name: string; section: string | null };

/** The documents an answer was grounded on, each a button that downloads it (never shown in the frame). */
function cite(body: HTMLElement, sources: Citation[]): void {
  if (sources.length === 0) return;
  const list = el('ul', { class: 'citations', 'aria-label': 'Sources' });
  for (const source of sources) {
    const open = el(
      'button',
      { type: 'button', class: 'citation' },
      source.section ? `${source.name} — ${source.section}` : source.name,
    );
    open.addEventListener('click', async () => {
      const res = await session.fetch(`/api/v1/documents/${encodeURIComponent(source.documentId)}/content`);
      if (!res.ok) {
        alert.textContent = 'That document is not available.';
        return;
      }
      const url = URL.createObjectURL(await res.blob());
      const link = el('a', { href: url, download: source.name, rel: 'noopener' });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
    const item = el('li');
    item.append(open);
    list.append(item);
  }
  body.after(list);
}

async function ask(message: string): Promise<void> {
  alert.textContent = '';
  const mine = bubble('user', message);
  // While a person holds the conversation the model stays silent: no answer bubble.
  const holding = holdsPerson(handoff.state);
  const body = holding ? mine : bubble('assistant');
  if (!holding) body.append(el('span', { class: 'typing' }, '…'));
  const res = await session.fetch('/api/v1/chat', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify({ message, ...(session.conversationId ? { conversationId: session.conversationId } : {}) }),
  });
  if (res.status === 202) {
    if (!holding) body.parentElement?.remove();
    const accepted = (await res.json()) as { messageId: string; state: ConversationState };
    mine.parentElement?.setAttribute('data-id', accepted.messageId);
    mine.after(el('p', { class: 'sent' }, 'Sent'));
    handoff.setState(accepted.state);
    return;
  }
  if (!res.ok || !res.body) {
    (holding ? mine : body).parentElement?.remove();
    const error = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    alert.textContent = error?.error?.message ?? 'Something went wrong. Try again.';
    return;
  }
  const parser = new SseParser();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const event of parser.push(value)) {
      const data = JSON.parse(event.data) as Record<string, unknown>;
      if (event.event === 'meta') session.conversationId = String(data.conversationId);
      else if (event.event === 'delta') {
        text += String(data.text ?? '');
        body.replaceChildren(renderMarkdown(text));
        log.scrollTop = log.scrollHeight;
      } else if (event.event === 'done') {
        cite(body, (data.sources ?? []) as Citation[]);
        handoff.opened((data.state as ConversationState | undefined) ?? handoff.state, null);
      } else if (event.event === 'error') alert.textContent = String(data.message ?? 'The answer broke off.');
    }
  }
  body.closest('.msg')?.setAttribute('data-done', 'true');
  countUnread();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const message = input.value.trim();
  if (!message || busy) return;
  busy = true;
  send.disabled = true;
  input.value = '';
  start()
    .then(() => (session.ready ? ask(message) : undefined))
    .catch(() => {
      alert.textContent = 'Something went wrong. Try again.';
    })
    .finally(() => {
      busy = false;
      send.disabled = false;
      input.focus();
    });
});

input.addEventListener('input', () => handoff.typed());
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

close.addEventListener('click', () => toHost({ type: 'sw:close' }));

// Focus stays inside the open panel: Tab from the last control wraps to the first, and back.
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    toHost({ type: 'sw:close' });
    return;
  }
  if (event.key !== 'Tab') return;
  const focusable = [...panel.querySelectorAll<HTMLElement>('button, textarea, input, a[href]')].filter(
    (node) => !(node as HTMLButtonElement).disabled && !node.closest('[hidden]'),
  );
  const first = focusable[0];
  const last = focusable.at(-1);
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
});

window.addEventListener('message', (event: MessageEvent) => {
  // Only the page that framed us, on the origin its site allowed.
  if (event.source !== window.parent || event.origin !== config.hostOrigin || !isMessage(event.data)) return;
  const message = event.data as ToFrame;
  if (message.type === 'sw:open') {
    isOpen = true;
    unread = 0;
    input.focus();
    void start();
  } else if (message.type === 'sw:close') {
    isOpen = false;
  } else if (message.type === 'sw:identify') {
    session.identify(message.identity);
  }
});

toHost({ type: 'sw:ready' });
