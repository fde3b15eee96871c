import { get } from '../api';
import type { View } from '../context';
import { h } from '../dom';
import { alertBox, describeError } from '../ui';
import { type DayUsage, usageChart } from './chart';
import { duration, type HandoffDay, handoffChart } from './handoff-chart';

type Stats = {
  users: {
    total: number;
    byRole: { admin: number; moderator: number; user: number; viewer: number };
    active: number;
    inactive: number;
    locked: number;
  };
  chat?: {
    conversations: number;
    messages: number;
    faqAnswers: number;
    faqHitRate: number;
    tokensByDay: DayUsage[];
  };
  handoffs?: { byDay: HandoffDay[] };
};

const number = new Intl.NumberFormat();

/** Usage figures for admins; the chat part appears once the server reports it. */
export function statsView(): View {
  const alert = alertBox();
  const content = h('div', { class: 'stats' }, h('p', {}, 'Loading…'));

  void (async () => {
    try {
      const stats = await get<Stats>('/api/v1/admin/stats');
      content.replaceChildren(...render(stats));
    } catch (err) {
      content.replaceChildren();
      alert.show(describeError(err));
    }
  })();

  const el = h('section', { class: 'page' }, h('h1', { tabindex: -1 }, 'Usage'), alert.el, content);
  return { el, title: 'Usage' };
}

function render(stats: Stats): HTMLElement[] {
  const { users, chat, handoffs } = stats;
  const out = [
    h('h2', {}, 'Accounts'),
    figures([
      ['Users', users.total],
      ['Active', users.active],
      ['Inactive', users.inactive],
      ['Locked', users.locked],
      ['Admins', users.byRole.admin],
      ['Moderators', users.byRole.moderator],
      ['Users (role)', users.byRole.user],
      ['Viewers', users.byRole.viewer],
    ]),
  ];
  if (chat) {
    out.push(
      h('h2', {}, 'Chat'),
      figures([
        ['Conversations', chat.conversations],
        ['Messages', chat.messages],
        ['FAQ answers', chat.faqAnswers],
        ['FAQ hit rate', `${Math.round(chat.faqHitRate * 1000) / 10} %`],
      ]),
      h('h2', {}, 'Tokens and chats per day'),
      usageChart(chat.tokensByDay),
    );
  } else {
    out.push(h('p', { class: 'meta' }, 'Chat figures appear here once this server reports them.'));
  }
  if (handoffs) out.push(...handoffSection(handoffs.byDay));
  return out;
}

/** Totals over the days shown; waits as the median of the daily medians would mislead, so only counts add up. */
function handoffSection(days: HandoffDay[]): HTMLElement[] {
  const sum = (pick: (d: HandoffDay) => number) => days.reduce((total, d) => total + pick(d), 0);
  const total = sum((d) => d.handoffs);
  const claimed = sum((d) => d.claimed);
  const claimWeighted = sum((d) => (d.averageClaimSeconds ?? 0) * d.claimed);
  return [
    h('h2', {}, `Handoffs (last ${days.length} days)`),
    figures([
      ['Handoffs', total],
      ['Claimed', claimed],
      ['Timed out', sum((d) => d.timedOut)],
      ['Mean time to claim', claimed === 0 ? '–' : duration(claimWeighted / claimed)],
    ]),
    h('h2', {}, 'Handoffs per day'),
    handoffChart(days),
  ];
}

function figures(items: [string, number | string][]): HTMLElement {
  return h(
    'dl',
    { class: 'figures' },
    ...items.map(([label, value]) =>
      h(
        'div',
        { class: 'figure' },
        h('dt', {}, label),
        h('dd', {}, typeof value === 'number' ? number.format(value) : value),
      ),
    ),
  );
}
