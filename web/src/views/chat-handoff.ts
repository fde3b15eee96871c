import type { AppContext } from '../context';
import { h } from '../dom';
import { conversationTicket, requestHandoff } from '../handoff-api';
import { type ConversationState, LiveConnection, type LiveMessage, type OperatorView, operatorLabel } from '../live';
import { renderText } from '../render';
import { alertBox, busy, describeError, field } from '../ui';

/** Operator replies and system notices, as customers and operators both see them. */
export function handoffMessageEl(m: Pick<LiveMessage, 'id' | 'role' | 'content' | 'author'>): HTMLElement {
  if (m.role === 'system') {
    return h(
      'p',
      { class: 'msg msg-system', 'data-id': m.id },
      h('span', { class: 'visually-hidden' }, 'Notice: '),
      m.content,
    );
  }
  return h(
    'article',
    { class: 'msg msg-operator', 'data-id': m.id },
    h('h3', { class: 'msg-author' }, operatorLabel(m.author ?? null)),
    // Operators write Markdown like the knowledge base does; it goes through the same sanitizer.
    h('div', { class: 'msg-body' }, renderText(m.content)),
  );
}

export const holdsPerson = (state: ConversationState) => state === 'waiting' || state === 'with_operator';

const TYPING_SHOWN_MS = 5_000;

/**
 * The customer's side of a handoff inside the chat view: the conversation's state, the "Talk to a person"
 * button, and the live connection that brings operator replies, typing and state changes.
 */
export function customerHandoff(ctx: AppContext, log: HTMLElement, reload: () => void, composer: HTMLElement) {
  let conversationId: string | null = null;
  let state: ConversationState = 'bot';
  let operator: OperatorView | null = null;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let live: LiveConnection | null = null;

  const stateLine = h('p', { class: 'handoff-state', role: 'status' });
  const ask = h('button', { type: 'button' }, 'Talk to a person');
  const reasonInput = h('input', { type: 'text', name: 'reason', maxlength: 500, autocomplete: 'off' });
  const reason = field('What do you need help with? (optional)', reasonInput);
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Ask for a person');
  const cancel = h('button', { type: 'button', class: 'link-button' }, 'Cancel');
  const alert = alertBox();
  const form = h(
    'form',
    { class: 'handoff-form', hidden: true },
    reason.row,
    h('div', { class: 'row-actions' }, submit, cancel),
  );
  const typing = h('p', { class: 'typing-note', hidden: true, 'aria-hidden': 'true' });
  const el = h('div', { class: 'handoff-bar' }, stateLine, ask, form, alert.el);

  ask.addEventListener('click', () => {
    form.hidden = false;
    ask.hidden = true;
    reasonInput.focus();
  });
  cancel.addEventListener('click', () => {
    form.hidden = true;
    ask.hidden = false;
    ask.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = conversationId;
    if (!id) return;
    alert.show(null);
    void busy(submit, 'Asking…', async () => {
      try {
        const answer = await requestHandoff(id, reasonInput.value.trim() || null);
        reasonInput.value = '';
        form.hidden = true;
        setState(answer.conversation.state, null);
        composer.focus();
        connect();
      } catch (err) {
        alert.show(describeError(err));
      }
    });
  });

  function render(): void {
    ask.hidden = !conversationId || holdsPerson(state) || !form.hidden;
    if (holdsPerson(state)) form.hidden = true;
    stateLine.hidden = state === 'bot' && stateLine.textContent === '';
    el.dataset.state = state;
  }

  function setState(next: ConversationState, assignedTo: OperatorView | null, announce = true): void {
    const previous = state;
    state = next;
    operator = assignedTo ?? (next === 'with_operator' ? operator : null);
    const text = stateText(previous, next, operator);
    stateLine.textContent = text;
    if (announce && text && previous !== next) ctx.announce(text);
    if (!holdsPerson(next)) showTyping(null);
    render();
  }

  function showTyping(name: string | null): void {
    clearTimeout(typingTimer);
    typing.hidden = !name;
    typing.textContent = name ? `${name} is typing…` : '';
    if (name) typingTimer = setTimeout(() => showTyping(null), TYPING_SHOWN_MS);
  }

  function connect(): void {
    if (!conversationId || live?.active) return;
    const id = conversationId;
    live = new LiveConnection({
      ticket: conversationTicket(id),
      onReset: reload,
      onEvent(event) {
        if (event.conversationId !== id) return;
        if (event.type === 'state') setState(event.state, event.assignedTo);
        else if (event.type === 'typing' && event.from === 'operator') showTyping(event.name ?? 'Support');
        else if (event.type === 'message') receive(event.message);
      },
    });
    live.start();
  }

  /** Operator replies and notices; the customer's own and the assistant's messages reach this view by its requests. */
  function receive(message: LiveMessage): void {
    if (message.role !== 'operator' && message.role !== 'system') return;
    if (log.querySelector(`[data-id="${CSS.escape(message.id)}"]`)) return;
    if (message.role === 'operator') showTyping(null);
    log.append(handoffMessageEl(message));
    log.scrollTop = log.scrollHeight;
  }

  render();
  return {
    el,
    typing,
    get state() {
      return state;
    },
    /** A conversation is open (loaded or just started): follow it live. */
    follow(id: string, current: ConversationState, assignedTo: OperatorView | null = null): void {
      if (conversationId !== id) {
        live?.stop();
        live = null;
      }
      conversationId = id;
      setState(current, assignedTo, false);
      connect();
    },
    setState,
    /** The customer is typing: operators see it (throttled) while a person holds the conversation. */
    typed(): void {
      if (holdsPerson(state)) live?.typing();
    },
    dispose(): void {
      clearTimeout(typingTimer);
      live?.stop();
    },
  };
}

function stateText(previous: ConversationState, next: ConversationState, operator: OperatorView | null): string {
  if (next === 'waiting') return 'Waiting for a person to join. Your messages go to them, not to the assistant.';
  if (next === 'with_operator') {
    const who = operator ? operatorLabel({ name: operator.displayName, role: operator.role }) : 'A person';
    return `You are talking with ${who}.`;
  }
  if (next === 'resolved' && previous !== 'resolved') return 'The support team marked this conversation resolved.';
  if (next === 'bot' && holdsPerson(previous)) return 'You are back with the assistant.';
  return '';
}
