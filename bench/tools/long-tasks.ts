/**
 * Busy stretches in a .cpuprofile: runs of samples with no idle sample in
 * between, longer than a threshold, with the functions that took most of
 * each. A stretch may span several event-loop turns (I/O can be served
 * between setImmediate batches), so it shows where the CPU went while
 * latency rose, not necessarily one blocking task.
 *
 *   node --import tsx bench/tools/long-tasks.ts <file.cpuprofile> [min-ms=3] [from=0..1] [to=0..1]
 */
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, minArg, fromArg, toArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: long-tasks.ts <file.cpuprofile> [min-ms] [from] [to]');
  process.exit(2);
}
const p = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
const minUs = Number(minArg ?? 3) * 1000;
const from = p.startTime + (p.endTime - p.startTime) * Number(fromArg ?? 0);
const to = p.startTime + (p.endTime - p.startTime) * Number(toArg ?? 1);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules|packages)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;

interface Task {
  start: number;
  dur: number;
  incl: Map<string, number>;
}
const tasks: Task[] = [];
let cur: Task | undefined;
let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i]!;
  const d = p.timeDeltas[i + 1] ?? 0;
  let n = byId.get(p.samples[i]!);
  const idle = !n || n.callFrame.functionName === '(idle)' || t < from || t > to;
  if (idle) {
    if (cur && cur.dur >= minUs) tasks.push(cur);
    cur = undefined;
    continue;
  }
  cur ??= { start: t, dur: 0, incl: new Map() };
  cur.dur += d;
  const seen = new Set<string>();
  while (n) {
    const k = key(n);
    if (!seen.has(k) && /packages\/|node_modules\//.test(k)) {
      seen.add(k);
      cur.incl.set(k, (cur.incl.get(k) ?? 0) + d);
    }
    n = byId.get(parent.get(n.id)!);
  }
}
if (cur && cur.dur >= minUs) tasks.push(cur);
const total = tasks.reduce((s, x) => s + x.dur, 0);
console.log(`${tasks.length} busy stretches of at least ${minUs / 1000} ms, ${(total / 1000).toFixed(0)} ms in all; the longest:`);
for (const x of [...tasks].sort((a, b) => b.dur - a.dur).slice(0, 12)) {
  const top = [...x.incl].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`);
  console.log(`${(x.dur / 1000).toFixed(1).padStart(7)} ms at +${((x.start - p.startTime) / 1e6).toFixed(2)} s: ${top.join(' | ')}`);
}
