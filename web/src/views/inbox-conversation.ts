import { ApiError } from '../api';
import type { AppContext } from '../context';
import { h, replaceChildren } from '../dom';
import {
  claim,
  conversationTicket,
  getInboxConversation,
  type InboxItem,
  release,
  reply,
  resolve,
} from '../handoff-api';
import { type ConversationState, LiveConnection, type LiveMessage, type OperatorView } from '../live';
import { renderText } from '../render';
import { alertBox, busy, describeError, field } from '../ui';
import { handoffMessageEl } from './chat-handoff';
import { customerName } from './inbox-item';

const TYPING_SHOWN_MS = 5_000;

type PaneEvents = {
  /** A transition answered with the conversation as the inbox lists it now. */
  onItem(item: InboxItem | null): void;
  onState(id: string, state: ConversationState, assignedTo: OperatorView | null): void;
};

/** The open conversation in the inbox: transcript, handoff facts, claim / reply / resolve / hand back, live. */
export function operatorPane(ctx: AppContext, events: PaneEvents) {
  let id: string | null = null;
  let state: ConversationState = 'bot';
  let assignedTo: OperatorView | null = null;
  let live: LiveConnection | null = null;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const assistant = ctx.chat?.assistantName || 'Assistant';

  const heading = h('h2', { id: 'operator-title', tabindex: -1 }, 'Pick a conversation');
  const facts = h('div', { class: 'handoff-facts' });
  const stateLine = h('p', { class: 'handoff-state', role: 'status' });
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages', hidden: true });
  const typing = h('p', { class: 'typing-note', hidden: true, 'aria-hidden': 'true' });
  const alert = alertBox();
  const claimButton = h('button', { type: 'button', class: 'primary' }, 'Claim');
  const resolveButton = h('button', { type: 'button' }, 'Resolve');
  const releaseButton = h('button', { type: 'button' }, 'Hand back to the bot');
  const actions = h('div', { class: 'row-actions', hidden: true }, claimButton, resolveButton, releaseButton);
  const textarea = h('textarea', { name: 'reply', rows: 3, maxlength: 8000, required: true });
  const replyField = field('Your reply', textarea, 'Enter sends; Shift+Enter adds a line. Markdown is allowed.');
  const sendButton = h('button', { type: 'submit', class: 'primary' }, 'Send reply');
  const form = h(
    'form',
    { class: 'composer', 'aria-label': 'Reply to the customer', hidden: true },
    replyField.row,
    h('div', { class: 'composer-actions' }, sendButton),
  );
  const el = h(
    'section',
    { class: 'operator-pane', 'aria-labelledby': 'operator-title' },
    heading,
    facts,
    stateLine,
    actions,
    log,
    typing,
    alert.el,
    form,
  );

  const mineNow = () => state === 'with_operator' && assignedTo?.id === ctx.user.id;

  function render(): void {
    stateLine.textContent = stateWords(state, assignedTo, ctx.user.id);
    actions.hidden = id === null;
    // Waiting: claim it; with the assistant: take it over; resolved or held by someone: nothing to claim.
    claimButton.hidden = state !== 'waiting' && state !== 'bot';
    if (!claimButton.disabled) claimButton.textContent = state === 'bot' ? 'Take over' : 'Claim';
    resolveButton.hidden = !mineNow();
    releaseButton.hidden = !mineNow();
    form.hidden = !mineNow();
  }

  function append(message: LiveMessage): void {
    if (log.querySelector(`[data-id="${CSS.escape(message.id)}"]`)) return;
    log.append(messageEl(message, assistant));
    log.scrollTop = log.scrollHeight;
  }

  function setState(next: ConversationState, who: OperatorView | null): void {
    state = next;
    assignedTo = next === 'with_operator' ? who : null;
    render();
    if (id) events.onState(id, state, assignedTo);
  }

  function showTyping(on: boolean): void {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    typing.textContent = on ? 'The customer is typing…' : '';
    if (on) typingTimer = setTimeout(() => showTyping(false), TYPING_SHOWN_MS);
  }

  async function load(conversationId: string): Promise<void> {
    try {
      const { item, messages } = await getInboxConversation(conversationId);
      if (id !== conversationId) return;
      showFacts(item);
      replaceChildren(log);
      for (const message of messages) append(message);
      log.hidden = false;
      setState(item.state, item.assignedTo);
      events.onItem(item);
      log.scrollTop = log.scrollHeight;
    } catch (err) {
      alert.show(
        err instanceof ApiError && err.status === 404 ? 'That conversation is not yours to see.' : describeError(err),
      );
    }
  }

  function showFacts(item: InboxItem): void {
    heading.textContent = customerName(item.customer);
    replaceChildren(
      facts,
      h('p', { class: 'meta' }, item.site ? `Site: ${item.site.name}` : 'Web client', ' · ', item.title),
      item.reason ? h('p', {}, h('strong', {}, 'Reason: '), item.reason) : null,
      item.summary ? h('p', { class: 'inbox-summary' }, h('strong', {}, 'Summary: '), item.summary) : null,
      item.contactEmail ? h('p', {}, h('strong', {}, 'Contact: '), item.contactEmail) : null,
      item.timedOut ? h('p', {}, h('span', { class: 'badge badge-warn' }, 'Nobody claimed it in time')) : null,
    );
  }

  function follow(conversationId: string): void {
    live?.stop();
    live = new LiveConnection({
      ticket: conversationTicket(conversationId),
      onReset: () => void load(conversationId),
      onFirstOpen: () => void load(conversationId),
      onEvent(event) {
        if (event.conversationId !== conversationId || id !== conversationId) return;
        if (event.type === 'message') {
          if (event.message.role === 'user') showTyping(false);
          append(event.message);
        } else if (event.type === 'state') setState(event.state, event.assignedTo);
        else if (event.type === 'typing' && event.from === 'customer') showTyping(true);
      },
    });
    live.start();
  }

  /** Runs a transition; its answer carries the inbox's view of the conversation. */
  function transition(
    button: HTMLButtonElement,
    label: string,
    call: (id: string) => Promise<{ item: InboxItem | null; conversation: { state: ConversationState } }>,
  ) {
    button.addEventListener('click', () => {
      const current = id;
      if (!current) return;
      alert.show(null);
      void busy(button, label, async () => {
        try {
          const answer = await call(current);
          setState(answer.conversation.state, answer.item?.assignedTo ?? null);
          events.onItem(answer.item);
          if (mineNow()) textarea.focus();
        } catch (err) {
          if (err instanceof ApiError && err.code === 'ALREADY_CLAIMED') {
            alert.show('Another operator claimed this conversation first. It is theirs now.');
            void load(current);
          } else alert.show(describeError(err));
        }
      });
    });
  }
  transition(claimButton, 'Claiming…', claim);
  transition(resolveButton, 'Resolving…', resolve);
  transition(releaseButton, 'Handing back…', release);

  textarea.addEventListener('input', () => live?.typing());
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    const current = id;
    if (!text || !current) return;
    alert.show(null);
    void busy(sendButton, 'Sending…', async () => {
      try {
        const { message } = await reply(current, text);
        textarea.value = '';
        append(message);
      } catch (err) {
        alert.show(describeError(err));
      }
    });
    textarea.focus();
  });

  return {
    el,
    open(conversationId: string, item: InboxItem | null): void {
      id = conversationId;
      state = 'bot';
      assignedTo = null;
      alert.show(null);
      showTyping(false);
      replaceChildren(log);
      heading.textContent = item ? customerName(item.customer) : 'Conversation';
      render();
      follow(conversationId);
      void load(conversationId);
    },
    dispose(): void {
      clearTimeout(typingTimer);
      live?.stop();
    },
  };
}

function messageEl(message: LiveMessage, assistant: string): HTMLElement {
  if (message.role === 'operator' || message.role === 'system') return handoffMessageEl(message);
  const customer = message.role === 'user';
  return h(
    'article',
    { class: `msg ${customer ? 'msg-user' : 'msg-assistant'}`, 'data-id': message.id },
    h('h3', { class: 'msg-author' }, customer ? 'Customer' : assistant),
    // Customer text exactly as typed; the assistant's through the sanitized Markdown path.
    h(
      'div',
      { class: 'msg-body' },
      customer ? h('p', { class: 'pre-line' }, message.content) : renderText(message.content),
    ),
  );
}

function stateWords(state: ConversationState, who: OperatorView | null, me: string): string {
  if (state === 'waiting') return 'Waiting for an operator.';
  if (state === 'with_operator') {
    if (who?.id === me) return 'You are handling this conversation.';
    return who
      ? `${who.displayName} (${who.role}) is handling this conversation.`
      : 'An operator is handling this conversation.';
  }
  if (state === 'resolved') return 'Resolved.';
  return 'The assistant is answering. Claim it to take over.';
}
