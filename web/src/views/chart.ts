import { h, svg, uid } from '../dom';

export type DayUsage = { date: string; promptTokens: number; completionTokens: number; chats: number };

const W = 640;
const H = 260;
const PAD = { top: 16, right: 48, bottom: 40, left: 56 };
const TICKS = 4;
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/**
 * Tokens per day as stacked bars (prompt, completion) and chats per day as a line on its own
 * right-hand scale. Plain SVG from DOM calls; colours come from classes in app.css (no inline
 * styles under our CSP). A data table beside it carries the same figures for screen readers.
 */
export function usageChart(days: DayUsage[]): HTMLElement {
  if (days.length === 0) return h('p', { class: 'meta' }, 'No chats yet.');
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const maxTokens = niceMax(Math.max(...days.map((d) => d.promptTokens + d.completionTokens)));
  const maxChats = niceMax(Math.max(...days.map((d) => d.chats)));
  const slot = plotW / days.length;
  const barW = Math.max(2, Math.min(32, slot * 0.6));
  const yTokens = (v: number) => PAD.top + plotH - (v / maxTokens) * plotH;
  const yChats = (v: number) => PAD.top + plotH - (v / maxChats) * plotH;
  const xMid = (i: number) => PAD.left + slot * i + slot / 2;

  const root = svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      preserveAspectRatio: 'xMidYMid meet',
    },
    svg('title', { id: titleId }, 'Tokens and chats per day'),
    svg(
      'desc',
      { id: descId },
      `${days.length} days from ${days[0]?.date} to ${days.at(-1)?.date}. Bars: prompt and completion tokens. Line: chats.`,
    ),
  );

  for (let i = 0; i <= TICKS; i++) {
    const tokens = (maxTokens / TICKS) * i;
    const y = yTokens(tokens);
    root.append(
      svg('line', { class: 'chart-grid', x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }),
      svg('text', { class: 'chart-axis', x: PAD.left - 6, y: y + 4, 'text-anchor': 'end' }, compact.format(tokens)),
      svg(
        'text',
        { class: 'chart-axis', x: W - PAD.right + 6, y: y + 4, 'text-anchor': 'start' },
        compact.format((maxChats / TICKS) * i),
      ),
    );
  }

  // Label at most about eight dates so they never overlap.
  const every = Math.ceil(days.length / 8);
  const points: string[] = [];
  days.forEach((day, i) => {
    const x = xMid(i) - barW / 2;
    const promptTop = yTokens(day.promptTokens);
    const totalTop = yTokens(day.promptTokens + day.completionTokens);
    root.append(
      svg('rect', { class: 'bar-prompt', x, y: promptTop, width: barW, height: PAD.top + plotH - promptTop }),
      svg('rect', { class: 'bar-completion', x, y: totalTop, width: barW, height: promptTop - totalTop }),
    );
    if (i % every === 0) {
      root.append(
        svg(
          'text',
          { class: 'chart-axis', x: xMid(i), y: H - PAD.bottom + 16, 'text-anchor': 'middle' },
          day.date.slice(5),
        ),
      );
    }
    points.push(`${xMid(i)},${yChats(day.chats)}`);
  });
  root.append(svg('polyline', { class: 'line-chats', points: points.join(' ') }));
  days.forEach((day, i) => {
    root.append(svg('circle', { class: 'dot-chats', cx: xMid(i), cy: yChats(day.chats), r: 3 }));
  });

  return h(
    'figure',
    { class: 'chart-figure' },
    root,
    h(
      'figcaption',
      { class: 'legend' },
      h('span', { class: 'key key-prompt' }, 'Prompt tokens'),
      h('span', { class: 'key key-completion' }, 'Completion tokens'),
      h('span', { class: 'key key-chats' }, 'Chats (right scale)'),
    ),
    dataTable(days),
  );
}

/** Rounds up to 1, 2 or 5 × a power of ten so the axis ticks are friendly numbers. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

function dataTable(days: DayUsage[]): HTMLElement {
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, 'Show the figures as a table'),
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Usage per day' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Date', 'Prompt tokens', 'Completion tokens', 'Chats'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          ...days.map((d) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, d.date),
              h('td', {}, d.promptTokens.toLocaleString()),
              h('td', {}, d.completionTokens.toLocaleString()),
              h('td', {}, d.chats.toLocaleString()),
            ),
          ),
        ),
      ),
    ),
  );
}
