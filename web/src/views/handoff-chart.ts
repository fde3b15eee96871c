import { h } from '../dom';
import { dayChart } from './chart';

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

/** 45 s, 3.5 min, 2.1 h: a wait in the unit a person reads at a glance. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 6) / 10} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

/**
 * Handoffs per day as stacked bars (claimed, not claimed) and the median time to claim (minutes) as a
 * line; days without a claim have no wait to draw.
 */
export function handoffChart(days: HandoffDay[]): HTMLElement {
  if (days.every((d) => d.handoffs === 0)) return h('p', { class: 'meta' }, 'No handoffs in these days.');
  return dayChart({
    days,
    title: 'Handoffs per day',
    desc: 'Bars: handoffs claimed and not claimed. Line: median minutes to claim.',
    bars: [
      { key: 'claimed', label: 'Claimed', value: (d) => d.claimed },
      { key: 'unclaimed', label: 'Not claimed', value: (d) => d.handoffs - d.claimed },
    ],
    line: {
      key: 'wait',
      label: 'Median time to claim',
      unit: 'min',
      value: (d) => (d.medianClaimSeconds === null ? null : d.medianClaimSeconds / 60),
    },
    table: {
      label: 'Handoffs per day',
      columns: [
        'Date',
        'Handoffs',
        'Claimed',
        'Timed out',
        'Median to claim',
        'Mean to claim',
        'Median to resolve',
        'Mean to resolve',
      ],
      row: (d) => [
        ...[d.handoffs, d.claimed, d.timedOut].map((n) => n.toLocaleString()),
        ...[d.medianClaimSeconds, d.averageClaimSeconds, d.medianResolveSeconds, d.averageResolveSeconds].map(duration),
      ],
    },
  });
}
