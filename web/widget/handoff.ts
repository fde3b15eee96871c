import {
  type ConversationState,
  LiveConnection,
  type LiveMessage,
  LiveRefused,
  type LiveTicket,
  operatorLabel,
} from '../src/live';
import { renderMarkdown } from '../src/sanitize';
import { el } from './el';
import type { GuestSession } from './session';

const TYPING_SHOWN_MS = 5_000;
/** The notice that nobody claimed the handoff in time: the guest may leave an email. */
const NOBODY_AVAILABLE = 'nobody_available';

export const holdsPerson = (state: ConversationState) => state === 'waiting' || state === 'with_operator';

/** An operator reply (named, with the role label) or a system notice, as the guest sees it. */
export function personMessage(log: HTMLElement, message: Pick<LiveMessage, 'id' | 'role' | 'content' | 'author'>) {
  if (log.querySelector(`[data-id="${CSS.escape(message.id)}"]`)) return;
  if (message.role === 'system') {
    log.append(el('p', { class: 'msg msg-system', 'data-id': message.id }, message.content));
  } else {
    const item = el('article', { class: 'msg msg-operator', 'data-id': message.id });
    const body = el('div', { class: 'body' });
    body.replaceChildren(renderMarkdown(message.content));
    item.append(el('h2', { class: 'author' }, operatorLabel(message.author)), body);
    log.append(item);
  }
  log.scrollTop = log.scrollHeight;
}

/**
 * The guest's side of a handoff: "Talk to a person", the state, typing, the email offer when nobody is
 * there, and the live connection that brings it all without polling.
 */
export function guestHandoff(
  session: GuestSession,
  log: HTMLElement,
  alert: HTMLElement,
  on: { incoming(): void; reload(): void; focusInput(): void },
) {
  let state: ConversationState = 'bot';
  let following: string | undefined;
  let live: LiveConnection | null = null;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;

  const status = el('p', { class: 'state', role: 'status' });
  const ask = el('button', { type: 'button', class: 'ask', hidden: '' }, 'Talk to a person');
  const typing = el('p', { class: 'typing-note', hidden: '', 'aria-hidden': 'true' });
  const contact = el('form', { class: 'contact', hidden: '' });
  const emailLabel = el('label', { for: 'contact-email' }, 'Your email, so we can write back');
  const email = el('input', { id: 'contact-email', type: 'email', required: '', autocomplete: 'email' });
  const leave = el('button', { type: 'submit', class: 'send' }, 'Leave email');
  contact.append(emailLabel, email, leave);
  const bar = el('div', { class: 'handoff' });
  bar.append(status, ask);

  const conversation = (tail: string) =>
    `/api/v1/conversations/${encodeURIComponent(session.conversationId ?? '')}${tail}`;
  const post = (tail: string, body: unknown = {}) =>
    session.fetch(conversation(tail), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const failure = async (res: Response) =>
    ((await res.json().catch(() => null)) as { error?: { message?: string } } | null)?.error?.message ??
    'Something went wrong. Try again.';

  ask.addEventListener('click', async () => {
    if (!session.conversationId) return;
    alert.textContent = '';
    ask.disabled = true;
    const res = await post('/handoff').catch(() => null);
    ask.disabled = false;
    if (!res?.ok) {
      alert.textContent = res ? await failure(res) : 'Something went wrong. Try again.';
      return;
    }
    setState(((await res.json()) as { conversation: { state: ConversationState } }).conversation.state);
    // The button is gone; the message box is where the guest goes on.
    on.focusInput();
    follow();
  });

  contact.addEventListener('submit', async (event) => {
    event.preventDefault();
    const address = email.value.trim();
    if (!address) return;
    leave.disabled = true;
    const res = await post('/contact', { email: address }).catch(() => null);
    leave.disabled = false;
    if (!res?.ok) {
      alert.textContent = res ? await failure(res) : 'Something went wrong. Try again.';
      return;
    }
    contact.hidden = true;
    status.textContent = `Thanks. We will write to ${address}.`;
  });

  function setState(next: ConversationState, operator?: { displayName: string; role: string } | null): void {
    const previous = state;
    state = next;
    ask.hidden = !session.conversationId || holdsPerson(next);
    if (next === 'waiting') status.textContent = 'Waiting for a person to join. Your messages go to them.';
    else if (next === 'with_operator') {
      const who = operator ? operatorLabel({ name: operator.displayName, role: operator.role }) : 'a person';
      status.textContent = `You are talking with ${who}.`;
      contact.hidden = true;
    } else if (holdsPerson(previous)) {
      status.textContent =
        next === 'resolved' ? 'This conversation was marked resolved.' : 'You are back with the assistant.';
    }
    if (!holdsPerson(next)) showTyping(null);
  }

  function showTyping(name: string | null): void {
    clearTimeout(typingTimer);
    typing.hidden = !name;
    typing.textContent = name ? `${name} is typing…` : '';
    if (name) typingTimer = setTimeout(() => showTyping(null), TYPING_SHOWN_MS);
  }

  function receive(message: LiveMessage): void {
    // The guest's own messages and the assistant's answers reach the frame by its own requests.
    if (message.role !== 'operator' && message.role !== 'system') return;
    if (message.role === 'operator') showTyping(null);
    personMessage(log, message);
    if (message.notice === NOBODY_AVAILABLE && state === 'waiting') contact.hidden = false;
    on.incoming();
  }

  async function ticket(): Promise<LiveTicket> {
    const res = await post('/live-ticket');
    if (res.ok) return (await res.json()) as LiveTicket;
    if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new LiveRefused(String(res.status));
    throw new Error(String(res.status));
  }

  /** Follows the frame's conversation live (again after a refusal, e.g. once a handoff started). */
  function follow(): void {
    const id = session.conversationId;
    if (!id) return;
    if (following !== id) {
      live?.stop();
      live = null;
    }
    if (live?.active) return;
    following = id;
    live = new LiveConnection({
      ticket,
      onReset: on.reload,
      onEvent(event) {
        if (event.conversationId !== id) return;
        if (event.type === 'state') setState(event.state, event.assignedTo);
        else if (event.type === 'typing' && event.from === 'operator') showTyping(event.name ?? 'Support');
        else if (event.type === 'message') receive(event.message);
      },
    });
    live.start();
  }

  return {
    bar,
    typing,
    contact,
    get state() {
      return state;
    },
    /** The frame knows its conversation (restored or just started) and its state. */
    opened(current: ConversationState, lastNotice: string | null): void {
      setState(current);
      if (current === 'waiting' && lastNotice === NOBODY_AVAILABLE) contact.hidden = false;
      follow();
    },
    setState,
    typed(): void {
      if (holdsPerson(state)) live?.typing();
    },
  };
}
