import { h, svg, uid } from '../dom';

export type DayUsage = { date: string; promptTokens: number; completionTokens: number; chats: number };

const W = 640;
const H = 260;
const PAD = { top: 16, right: 56, bottom: 40, left: 56 };
const TICKS = 4;
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** A series drawn from each day; `key` names its classes in app.css (`bar-`, `line-`, `dot-`, `key-<key>`). */
type Series<D> = { key: string; label: string; value: (day: D) => number };

/**
 * Per-day figures as two stacked bars on the left scale and a line on its own right-hand scale. Plain
 * SVG from DOM calls; colours come from classes in app.css (no inline styles under our CSP). A day
 * whose line value is null has no point: the line breaks there instead of dropping to zero. A data
 * table beside it carries every figure for screen readers.
 */
export function dayChart<D extends { date: string }>(spec: {
  days: D[];
  title: string;
  desc: string;
  bars: [Series<D>, Series<D>];
  line: Omit<Series<D>, 'value'> & { value: (day: D) => number | null; unit?: string };
  table: { label: string; columns: string[]; row: (day: D) => string[] };
}): HTMLElement {
  const { days, bars, line } = spec;
  const [lower, upper] = bars;
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const maxBars = niceMax(Math.max(...days.map((d) => lower.value(d) + upper.value(d))));
  const maxLine = niceMax(Math.max(...days.map((d) => line.value(d) ?? 0)));
  const slot = plotW / days.length;
  const barW = Math.max(2, Math.min(32, slot * 0.6));
  const yBars = (v: number) => PAD.top + plotH - (v / maxBars) * plotH;
  const yLine = (v: number) => PAD.top + plotH - (v / maxLine) * plotH;
  const xMid = (i: number) => PAD.left + slot * i + slot / 2;
  const unit = line.unit ? ` ${line.unit}` : '';

  const root = svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      preserveAspectRatio: 'xMidYMid meet',
    },
    svg('title', { id: titleId }, spec.title),
    svg('desc', { id: descId }, `${days.length} days from ${days[0]?.date} to ${days.at(-1)?.date}. ${spec.desc}`),
  );

  for (let i = 0; i <= TICKS; i++) {
    const y = yBars((maxBars / TICKS) * i);
    root.append(
      svg('line', { class: 'chart-grid', x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }),
      svg(
        'text',
        { class: 'chart-axis', x: PAD.left - 6, y: y + 4, 'text-anchor': 'end' },
        compact.format((maxBars / TICKS) * i),
      ),
      svg(
        'text',
        { class: 'chart-axis', x: W - PAD.right + 6, y: y + 4, 'text-anchor': 'start' },
        `${compact.format((maxLine / TICKS) * i)}${unit}`,
      ),
    );
  }

  // Label at most about eight dates so they never overlap.
  const every = Math.ceil(days.length / 8);
  const segments: string[][] = [[]];
  days.forEach((day, i) => {
    const x = xMid(i) - barW / 2;
    const lowerTop = yBars(lower.value(day));
    const totalTop = yBars(lower.value(day) + upper.value(day));
    root.append(
      svg('rect', { class: `bar-${lower.key}`, x, y: lowerTop, width: barW, height: PAD.top + plotH - lowerTop }),
      svg('rect', { class: `bar-${upper.key}`, x, y: totalTop, width: barW, height: lowerTop - totalTop }),
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
    const value = line.value(day);
    if (value === null) segments.push([]);
    else segments.at(-1)?.push(`${xMid(i)},${yLine(value)}`);
  });
  for (const points of segments.filter((s) => s.length > 0)) {
    root.append(svg('polyline', { class: `line-${line.key}`, points: points.join(' ') }));
  }
  days.forEach((day, i) => {
    const value = line.value(day);
    if (value !== null) root.append(svg('circle', { class: `dot-${line.key}`, cx: xMid(i), cy: yLine(value), r: 3 }));
  });

  return h(
    'figure',
    { class: 'chart-figure' },
    root,
    h(
      'figcaption',
      { class: 'legend' },
      h('span', { class: `key key-${lower.key}` }, lower.label),
      h('span', { class: `key key-${upper.key}` }, upper.label),
      h('span', { class: `key key-${line.key}` }, `${line.label} (right scale)`),
    ),
    dataTable(days, spec.table),
  );
}

/** Tokens per day (prompt, completion) and chats per day. */
export function usageChart(days: DayUsage[]): HTMLElement {
  if (days.length === 0) return h('p', { class: 'meta' }, 'No chats yet.');
  return dayChart({
    days,
    title: 'Tokens and chats per day',
    desc: 'Bars: prompt and completion tokens. Line: chats.',
    bars: [
      { key: 'prompt', label: 'Prompt tokens', value: (d) => d.promptTokens },
      { key: 'completion', label: 'Completion tokens', value: (d) => d.completionTokens },
    ],
    line: { key: 'chats', label: 'Chats', value: (d) => d.chats },
    table: {
      label: 'Usage per day',
      columns: ['Date', 'Prompt tokens', 'Completion tokens', 'Chats'],
      row: (d) => [d.promptTokens, d.completionTokens, d.chats].map((n) => n.toLocaleString()),
    },
  });
}

/** Rounds up to 1, 2 or 5 × a power of ten so the axis ticks are friendly numbers. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

function dataTable<D extends { date: string }>(
  days: D[],
  table: { label: string; columns: string[]; row: (day: D) => string[] },
): HTMLElement {
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, 'Show the figures as a table'),
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': table.label },
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...table.columns.map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          ...days.map((d) =>
            h('tr', {}, h('th', { scope: 'row' }, d.date), ...table.row(d).map((cell) => h('td', {}, cell))),
          ),
        ),
      ),
    ),
  );
}
