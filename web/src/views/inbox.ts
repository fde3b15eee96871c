import type { AppContext, View } from '../context';
import { h, replaceChildren } from '../dom';
import { getInbox, type Inbox, type InboxItem, inboxTicket } from '../handoff-api';
import { LiveConnection } from '../live';
import { alertBox, describeError } from '../ui';
import { operatorPane } from './inbox-conversation';
import { inboxRow, tickWaits } from './inbox-item';

type Column = keyof Required<Inbox>;
const COLUMNS: [Column, string, string][] = [
  ['waiting', 'Waiting', 'Nobody is waiting for a person.'],
  ['mine', 'Mine', 'You are not handling any conversation.'],
  ['others', 'Handled by others', 'No one else is handling a conversation.'],
  ['active', 'With the assistant', 'No visitor is chatting with the assistant.'],
];

/**
 * The operators' inbox: who waits for a person (and for how long), what I handle, what colleagues handle,
 * and one open conversation. The list follows the inbox's live channel; nothing polls.
 */
export function inboxView(ctx: AppContext, conversationId: string | null): View {
  const items = new Map<string, { item: InboxItem; receivedAt: number }>();
  let selected = conversationId;
  const alert = alertBox();
  const lists = new Map<Column, HTMLElement>();
  const sections = COLUMNS.map(([column, title]) => {
    const list = h('ul', { class: 'inbox-list', 'aria-labelledby': `inbox-${column}` });
    lists.set(column, list);
    return h(
      'section',
      { class: 'inbox-column', 'data-column': column },
      h('h2', { id: `inbox-${column}` }, title, ' ', h('span', { class: 'count' })),
      list,
    );
  });
  const pane = operatorPane(ctx, {
    onItem: (item) => {
      if (item) upsert(item);
    },
    onState: (id, state, assignedTo) => {
      const entry = items.get(id);
      if (entry) upsert({ ...entry.item, state, assignedTo });
    },
  });

  function columnOf(item: InboxItem): Column | null {
    if (item.state === 'waiting') return 'waiting';
    if (item.state === 'bot') return item.customer.kind === 'guest' ? 'active' : null;
    if (item.state !== 'with_operator') return null;
    return item.assignedTo?.id === ctx.user.id ? 'mine' : 'others';
  }

  function upsert(item: InboxItem): void {
    if (columnOf(item)) items.set(item.conversationId, { item, receivedAt: Date.now() });
    else items.delete(item.conversationId);
    render();
  }

  function render(): void {
    for (const [column, , empty] of COLUMNS) {
      const list = lists.get(column) as HTMLElement;
      const rows = [...items.values()]
        .map((entry) => entry.item)
        .filter((item) => columnOf(item) === column)
        // Longest wait first; handled ones by when they were claimed.
        .sort((a, b) => (a.requestedAt ?? a.claimedAt ?? '').localeCompare(b.requestedAt ?? b.claimedAt ?? ''));
      replaceChildren(
        list,
        ...(rows.length
          ? rows.map((item) => inboxRow(item, item.conversationId === selected, open))
          : [h('li', { class: 'empty' }, empty)]),
      );
      const count = list.parentElement?.querySelector('.count');
      if (count) count.textContent = `(${rows.length})`;
    }
    tickWaits(el, items);
  }

  function open(id: string): void {
    selected = id;
    history.replaceState(null, '', `#/inbox/${encodeURIComponent(id)}`);
    render();
    pane.open(id, items.get(id)?.item ?? null);
  }

  async function load(): Promise<void> {
    try {
      const inbox = await getInbox();
      items.clear();
      const now = Date.now();
      for (const item of [...inbox.waiting, ...inbox.mine, ...inbox.others, ...(inbox.active ?? [])]) {
        items.set(item.conversationId, { item, receivedAt: now });
      }
      alert.show(null);
      render();
    } catch (err) {
      alert.show(describeError(err));
    }
  }

  const live = new LiveConnection<InboxItem>({
    ticket: inboxTicket(),
    onReset: () => void load(),
    onFirstOpen: () => void load(),
    onEvent(event) {
      if (event.type !== 'state') return;
      if (event.item) {
        const isNew = !items.has(event.conversationId) && event.item.state === 'waiting';
        upsert(event.item);
        if (isNew) ctx.announce(`New conversation waiting: ${event.item.title || 'untitled'}.`);
      } else if (event.item === null) {
        items.delete(event.conversationId);
        render();
      }
    },
  });

  const el = h(
    'div',
    { class: 'inbox-layout' },
    h(
      'aside',
      { class: 'inbox', 'aria-labelledby': 'inbox-title' },
      h('h1', { id: 'inbox-title', tabindex: -1 }, 'Inbox'),
      alert.el,
      ...sections,
    ),
    pane.el,
  );
  const ticker = setInterval(() => tickWaits(el, items), 1_000);
  live.start();
  void load();
  if (selected) pane.open(selected, null);

  return {
    el,
    title: 'Inbox',
    dispose() {
      clearInterval(ticker);
      live.stop();
      pane.dispose();
    },
  };
}
