import { h, svg, uid } from '../dom';
import { niceMax } from './chart';

export type HandoffDay = {
  date: string;
  handoffs: number;
  claimed: number;
  timedOut: number;
  medianClaimSeconds: number | null;
  averageClaimSeconds: number | null;
  medianResolveSeconds: number | null;
  averageResolveSeconds: number | null;
};

const W = 640;
const H = 260;
const PAD = { top: 16, right: 56, bottom: 40, left: 56 };
const TICKS = 4;
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** 45 s, 3.5 min, 2.1 h: a wait in the unit a person reads at a glance. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 6) / 10} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

/**
 * Handoffs per day as stacked bars (claimed, not claimed) and the median time to claim as a line on
 * its own right-hand scale (minutes), in the style of the usage chart: plain SVG, colours from
 * app.css classes, and a data table with every figure for screen readers.
 */
export function handoffChart(days: HandoffDay[]): HTMLElement {
  if (days.every((d) => d.handoffs === 0)) return h('p', { class: 'meta' }, 'No handoffs in these days.');
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const maxCount = niceMax(Math.max(...days.map((d) => d.handoffs)));
  const maxMinutes = niceMax(Math.max(...days.map((d) => (d.medianClaimSeconds ?? 0) / 60)));
  const slot = plotW / days.length;
  const barW = Math.max(2, Math.min(32, slot * 0.6));
  const yCount = (v: number) => PAD.top + plotH - (v / maxCount) * plotH;
  const yMinutes = (v: number) => PAD.top + plotH - (v / maxMinutes) * plotH;
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
    svg('title', { id: titleId }, 'Handoffs per day'),
    svg(
      'desc',
      { id: descId },
      `${days.length} days from ${days[0]?.date} to ${days.at(-1)?.date}. Bars: handoffs claimed and not claimed. Line: median minutes to claim.`,
    ),
  );

  for (let i = 0; i <= TICKS; i++) {
    const count = (maxCount / TICKS) * i;
    const y = yCount(count);
    root.append(
      svg('line', { class: 'chart-grid', x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }),
      svg('text', { class: 'chart-axis', x: PAD.left - 6, y: y + 4, 'text-anchor': 'end' }, compact.format(count)),
      svg(
        'text',
        { class: 'chart-axis', x: W - PAD.right + 6, y: y + 4, 'text-anchor': 'start' },
        `${compact.format((maxMinutes / TICKS) * i)} min`,
      ),
    );
  }

  const every = Math.ceil(days.length / 8);
  const segments: string[][] = [[]];
  days.forEach((day, i) => {
    const x = xMid(i) - barW / 2;
    const claimedTop = yCount(day.claimed);
    const totalTop = yCount(day.handoffs);
    root.append(
      svg('rect', { class: 'bar-claimed', x, y: claimedTop, width: barW, height: PAD.top + plotH - claimedTop }),
      svg('rect', { class: 'bar-unclaimed', x, y: totalTop, width: barW, height: claimedTop - totalTop }),
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
    // Days without a claim have no wait to draw: the line breaks there instead of dropping to zero.
    if (day.medianClaimSeconds === null) segments.push([]);
    else segments.at(-1)?.push(`${xMid(i)},${yMinutes(day.medianClaimSeconds / 60)}`);
  });
  for (const points of segments.filter((s) => s.length > 1)) {
    root.append(svg('polyline', { class: 'line-wait', points: points.join(' ') }));
  }
  days.forEach((day, i) => {
    if (day.medianClaimSeconds === null) return;
    root.append(svg('circle', { class: 'dot-wait', cx: xMid(i), cy: yMinutes(day.medianClaimSeconds / 60), r: 3 }));
  });

  return h(
    'figure',
    { class: 'chart-figure' },
    root,
    h(
      'figcaption',
      { class: 'legend' },
      h('span', { class: 'key key-claimed' }, 'Claimed'),
      h('span', { class: 'key key-unclaimed' }, 'Not claimed'),
      h('span', { class: 'key key-wait' }, 'Median time to claim (right scale)'),
    ),
    dataTable(days),
  );
}

function dataTable(days: HandoffDay[]): HTMLElement {
  const columns = [
    'Date',
    'Handoffs',
    'Claimed',
    'Timed out',
    'Median to claim',
    'Mean to claim',
    'Median to resolve',
    'Mean to resolve',
  ];
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, 'Show the figures as a table'),
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Handoffs per day' },
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          ...days.map((d) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, d.date),
              h('td', {}, d.handoffs.toLocaleString()),
              h('td', {}, d.claimed.toLocaleString()),
              h('td', {}, d.timedOut.toLocaleString()),
              h('td', {}, duration(d.medianClaimSeconds)),
              h('td', {}, duration(d.averageClaimSeconds)),
              h('td', {}, duration(d.medianResolveSeconds)),
              h('td', {}, duration(d.averageResolveSeconds)),
            ),
          ),
        ),
      ),
    ),
  );
}
