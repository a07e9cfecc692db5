/**
 * A figure is one row of the result table: our value, the baseline measured
 * in the same run, their ratio, and the goal. A value that could not be
 * measured carries the reason instead ("n/a: …"), so a partial run still
 * prints a complete, honest table.
 */

export interface Goal {
  /** how the goal reads in the table, e.g. "≤ 1.3× baseline" */
  text: string;
  /** absolute ceiling for our value */
  max?: number;
  /** absolute floor for our value (throughputs) */
  min?: number;
  /** ceiling for ours / baseline */
  maxRatio?: number;
}

export interface Figure {
  /** section number of the brief (1..6) and a short name */
  section: number;
  name: string;
  unit: string;
  ours?: number;
  /** why ours is missing */
  oursNa?: string;
  baseline?: number;
  baselineName?: string;
  /** why the baseline is missing */
  baselineNa?: string;
  goal?: Goal;
  /** a short remark printed under the table */
  note?: string;
}

export type Status = 'meets' | 'MISSES' | 'n/a' | '—';

export function ratio(f: Figure): number | undefined {
  if (f.ours === undefined || f.baseline === undefined || f.baseline === 0) return undefined;
  return f.ours / f.baseline;
}

export function status(f: Figure): Status {
  if (!f.goal) return '—';
  if (f.ours === undefined) return 'n/a';
  let ok = true;
  if (f.goal.max !== undefined) ok &&= f.ours <= f.goal.max;
  if (f.goal.min !== undefined) ok &&= f.ours >= f.goal.min;
  if (f.goal.maxRatio !== undefined) {
    const r = ratio(f);
    if (r === undefined) return 'n/a';
    ok &&= r <= f.goal.maxRatio;
  }
  return ok ? 'meets' : 'MISSES';
}

/** Rounds for display: 3 significant digits, no exponent. */
export function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return v.toFixed(digits);
}

export interface Row {
  figure: string;
  ours: string;
  baseline: string;
  ratio: string;
  goal: string;
  status: string;
}

export function toRow(f: Figure): Row {
  const r = ratio(f);
  return {
    figure: `${f.section}. ${f.name}`,
    ours: f.ours !== undefined ? `${fmt(f.ours)} ${f.unit}` : `n/a: ${f.oursNa ?? 'not measured'}`,
    baseline:
      f.baseline !== undefined
        ? `${fmt(f.baseline)} ${f.unit}${f.baselineName ? ` (${f.baselineName})` : ''}`
        : f.baselineName || f.baselineNa
          ? `n/a${f.baselineName ? ` (${f.baselineName})` : ''}${f.baselineNa ? `: ${f.baselineNa}` : ''}`
          : '—',
    ratio: r !== undefined ? `${r.toFixed(2)}×` : '',
    goal: f.goal?.text ?? '',
    status: status(f),
  };
}

const HEAD: Row = { figure: 'figure', ours: 'ours', baseline: 'baseline', ratio: 'ratio', goal: 'goal', status: 'status' };
const COLS = Object.keys(HEAD) as (keyof Row)[];

/** A plain-text table for the terminal. Long cells are kept whole. */
export function textTable(figs: Figure[]): string {
  const rows = [HEAD, ...figs.map(toRow)];
  const w = COLS.map((c) => Math.min(70, Math.max(...rows.map((r) => r[c].length))));
  const line = (r: Row) => COLS.map((c, i) => r[c].padEnd(w[i]!)).join(' | ').trimEnd();
  return [line(rows[0]!), w.map((n) => '-'.repeat(n)).join('-+-'), ...rows.slice(1).map(line)].join('\n');
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** The same table in Markdown. */
export function markdownTable(figs: Figure[]): string {
  const rows = figs.map(toRow);
  return [
    `| ${COLS.map((c) => HEAD[c]).join(' | ')} |`,
    `| ${COLS.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${COLS.map((c) => md(r[c])).join(' | ')} |`),
  ].join('\n');
}
