import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fmt, markdownTable, ratio, status, textTable, toRow, type Figure } from '../lib/figures.js';
import { reading, writeReport } from '../lib/report.js';
import { percentile } from '../lib/stats.js';

const mem: Figure = { section: 2, name: 'memory', unit: 'KiB', ours: 9, baseline: 7.5, baselineName: 'bare ws', goal: { text: '≤ 1.3× baseline', maxRatio: 1.3 } };

describe('figures', () => {
  it('judges ratio goals and absolute goals', () => {
    expect(ratio(mem)).toBeCloseTo(1.2);
    expect(status(mem)).toBe('meets');
    expect(status({ ...mem, ours: 10 })).toBe('MISSES');
    expect(status({ section: 6, name: 'render', unit: 'ms', ours: 151, goal: { text: '≤ 150 ms', max: 150 } })).toBe('MISSES');
    expect(status({ section: 6, name: 'render', unit: 'ms', ours: 90, goal: { text: '≤ 150 ms', max: 150 } })).toBe('meets');
    expect(status({ section: 7, name: 'throughput', unit: 'msg/s', ours: 1999, goal: { text: '≥ 2,000 msg/s', min: 2000 } })).toBe('MISSES');
    expect(status({ section: 7, name: 'throughput', unit: 'msg/s', ours: 2100, goal: { text: '≥ 2,000 msg/s', min: 2000 } })).toBe('meets');
  });

  it('says n/a with the reason when a value or the baseline is missing', () => {
    const f: Figure = { ...mem, ours: undefined, oursNa: 'server failed to start' };
    expect(status(f)).toBe('n/a');
    expect(toRow(f).ours).toBe('n/a: server failed to start');
    const g: Figure = { ...mem, baseline: undefined, baselineNa: 'npm install failed' };
    expect(status(g)).toBe('n/a');
    expect(toRow(g).baseline).toBe('n/a (bare ws): npm install failed');
    expect(toRow(g).ratio).toBe('');
  });

  it('formats numbers to about three significant digits', () => {
    expect(fmt(478.2)).toBe('478');
    expect(fmt(18.66)).toBe('18.7');
    expect(fmt(6.264)).toBe('6.26');
    expect(fmt(0.3519)).toBe('0.352');
  });

  it('renders the same rows as text and Markdown, escaping pipes', () => {
    const figs = [mem, { ...mem, name: 'a | b' }];
    expect(textTable(figs).split('\n')).toHaveLength(4);
    const md = markdownTable(figs);
    expect(md).toContain('| 2. memory | 9.00 KiB | 7.50 KiB (bare ws) | 1.20× | ≤ 1.3× baseline | meets |');
    expect(md).toContain('a \\| b');
  });
});

describe('percentile', () => {
  it('is nearest-rank', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('report', () => {
  it('writes machine, table and a reading that names misses and gaps', () => {
    const figs: Figure[] = [mem, { ...mem, name: 'big', ours: 12 }, { ...mem, name: 'gone', ours: undefined, oursNa: 'widget not built' }];
    const lines = reading(figs);
    expect(lines.join('\n')).toMatch(/Misses: 2\. big — 12\.00 KiB \(1\.60× the baseline\)/);
    expect(lines.join('\n')).toMatch(/Not measured: 2\. gone — widget not built/);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-')), 'benchmarks.md');
    writeReport(file, {
      command: 'npm run bench -- --quick',
      commit: 'abc1234',
      quick: true,
      machine: { nproc: 2, memoryGiB: 24, node: 'v20', cpu: 'Test CPU', kernel: 'Linux', fdLimit: '20000 (hard 20000)', load: '1.00' },
      date: '2026-11-25T00:00:00Z',
      seconds: 60,
      loadAtEnd: '2.00',
      figures: figs,
      notes: ['a note'],
      findings: '## Why\n\ntext',
    });
    const text = fs.readFileSync(file, 'utf8');
    for (const want of ['npm run bench -- --quick', 'abc1234', 'Test CPU', '| cores (nproc) | 2 |', '1.00 → 2.00', '## Results', '- a note', '## Why']) expect(text).toContain(want);
  });
});
