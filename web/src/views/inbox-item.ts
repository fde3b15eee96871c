import { h } from '../dom';
import type { CustomerView, InboxItem } from '../handoff-api';
import { formatWait } from '../live';

/** Who the customer is, in the words an operator needs: the verified email or id their site gave, or the account. */
export function customerName(customer: CustomerView): string {
  if (customer.kind === 'account') return `${customer.displayName} (${customer.email})`;
  if (customer.email) return customer.email;
  if (customer.customerId) return `Customer ${customer.customerId}`;
  return `Visitor ${customer.visitorId.slice(0, 8)}`;
}

/** Seconds waited now; ticks from `requestedAt` (the server's `waitSeconds` when the clock is missing). */
export function waitedSeconds(item: InboxItem, receivedAt: number): number | null {
  if (item.state !== 'waiting') return null;
  if (item.requestedAt) return (Date.now() - Date.parse(item.requestedAt)) / 1000;
  return item.waitSeconds === null ? null : item.waitSeconds + (Date.now() - receivedAt) / 1000;
}

/** One row of the inbox: a button that opens the conversation, with the facts needed to pick one. */
export function inboxRow(item: InboxItem, selected: boolean, open: (id: string) => void): HTMLElement {
  const who = customerName(item.customer);
  const button = h(
    'button',
    { type: 'button', class: 'inbox-open', 'aria-current': selected ? 'true' : null },
    h('span', { class: 'inbox-who' }, who),
    h('span', { class: 'inbox-site' }, item.site ? item.site.name : 'Web client'),
  );
  button.addEventListener('click', () => open(item.conversationId));
  const facts = h(
    'p',
    { class: 'inbox-facts' },
    item.state === 'waiting' ? h('span', { class: 'wait', 'data-conversation': item.conversationId }) : null,
    item.timedOut ? h('span', { class: 'badge badge-warn' }, 'Timed out') : null,
    item.trigger === 'assistant' ? h('span', {}, 'Handed over by the assistant') : null,
    item.assignedTo ? h('span', {}, `Handled by ${item.assignedTo.displayName} (${item.assignedTo.role})`) : null,
  );
  return h(
    'li',
    { class: 'inbox-item', 'data-conversation': item.conversationId, 'data-state': item.state },
    button,
    item.title ? h('p', { class: 'inbox-title' }, item.title) : null,
    facts,
    item.reason ? h('p', { class: 'inbox-reason' }, h('strong', {}, 'Reason: '), item.reason) : null,
    item.summary ? h('p', { class: 'inbox-summary' }, h('strong', {}, 'Summary: '), item.summary) : null,
  );
}

/** Writes the current wait into every ticking cell of `root`. */
export function tickWaits(root: Element, items: Map<string, { item: InboxItem; receivedAt: number }>): void {
  for (const cell of root.querySelectorAll<HTMLElement>('.wait[data-conversation]')) {
    const entry = items.get(cell.dataset.conversation ?? '');
    const seconds = entry ? waitedSeconds(entry.item, entry.receivedAt) : null;
    cell.textContent = seconds === null ? '' : `Waiting ${formatWait(seconds)}`;
  }
}
