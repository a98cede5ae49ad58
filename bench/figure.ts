// One measured figure of `npm run bench`, how it is judged against its target, and the table that prints them. Targets
// are the figures README.md "Performance" lists; a figure whose target is a ratio is judged against a baseline measured
// in the same run, never against a number from another machine.

export type Target =
  /** value / baseline must be at least `min` (throughput against a reference sink) */
  | { kind: 'ratio-at-least'; min: number }
  /** |value / baseline - 1| must be at most `tolerance` (measured against configured rate) */
  | { kind: 'ratio-within'; tolerance: number }
  /** value must not exceed `max` (in the figure's unit) */
  | { kind: 'at-most'; max: number }
  /** reported for comparison only */
  | { kind: 'none' };

export interface Baseline {
  name: string;
  value: number;
}

export interface Figure {
  /** stable key in results.json, e.g. `large-put.memory` */
  id: string;
  /** what the table shows, e.g. `PUT 1 GiB -> memory store` */
  label: string;
  unit: string;
  /** the median of `samples`; null when nothing could be measured (see note) */
  value: number | null;
  baseline?: Baseline;
  target: Target;
  samples: number[];
  note?: string;
}

export function ratioOf(f: Figure): number | undefined {
  if (f.value === null || f.baseline === undefined || f.baseline.value === 0) return undefined;
  return f.value / f.baseline.value;
}

/** true/false when the target can be judged, undefined when there is no target or no value. */
export function isMet(f: Figure): boolean | undefined {
  if (f.value === null) return f.target.kind === 'none' ? undefined : false;
  const ratio = ratioOf(f);
  switch (f.target.kind) {
    case 'ratio-at-least':
      return ratio === undefined ? undefined : ratio >= f.target.min;
    case 'ratio-within':
      return ratio === undefined ? undefined : Math.abs(ratio - 1) <= f.target.tolerance;
    case 'at-most':
      return f.value <= f.target.max;
    case 'none':
      return undefined;
  }
}

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function targetText(f: Figure): string {
  const t = f.target;
  switch (t.kind) {
    case 'ratio-at-least':
      return `ratio >= ${t.min}`;
    case 'ratio-within':
      return `|ratio-1| <= ${Math.round(t.tolerance * 100)}%`;
    case 'at-most':
      return `<= ${num(t.max)} ${f.unit}`;
    case 'none':
      return '-';
  }
}

const HEADERS = ['figure', 'value', 'baseline', 'ratio', 'target', 'met?'] as const;

export function tableRows(figures: readonly Figure[]): string[][] {
  return figures.map((f) => {
    const ratio = ratioOf(f);
    const met = isMet(f);
    return [
      f.label,
      f.value === null ? 'n/a' : `${num(f.value)} ${f.unit}`,
      f.baseline === undefined ? '-' : `${num(f.baseline.value)} (${f.baseline.name})`,
      ratio === undefined ? '-' : ratio.toFixed(2),
      targetText(f),
      met === undefined ? '-' : met ? 'yes' : 'NO',
    ];
  });
}

/** A Markdown table (readable on a terminal and pasteable into the README). */
export function formatTable(figures: readonly Figure[]): string {
  const rows = [[...HEADERS], ...tableRows(figures)];
  const widths = HEADERS.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
