/**
 * Summarises a .cpuprofile (from `npm run bench -- --profile`): the
 * functions with the most self time and the most inclusive time.
 *
 *   node --import tsx bench/tools/cpu-top.ts <file.cpuprofile> [from=0..1] [to=0..1] [filter-regex]
 *
 * from/to select a slice of the profile's duration (e.g. 0.7 1 for the end,
 * where the latency steps run); idle time is left out of the percentages.
 */
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, fromArg, toArg, filterArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: cpu-top.ts <file.cpuprofile> [from] [to] [filter]');
  process.exit(2);
}
const p = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
const from = p.startTime + (p.endTime - p.startTime) * Number(fromArg ?? 0);
const to = p.startTime + (p.endTime - p.startTime) * Number(toArg ?? 1);
const filter = filterArg ? new RegExp(filterArg) : undefined;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules|packages)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const incl = new Map<string, number>();
let busy = 0;
let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i]!;
  if (t < from || t > to) continue;
  const d = p.timeDeltas[i + 1] ?? 0;
  let n = byId.get(p.samples[i]!);
  if (!n || n.callFrame.functionName === '(idle)') continue;
  busy += d;
  self.set(key(n), (self.get(key(n)) ?? 0) + d);
  const seen = new Set<string>();
  while (n) {
    const k = key(n);
    if (!seen.has(k)) {
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + d);
    }
    n = byId.get(parent.get(n.id)!);
  }
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].filter(([k]) => !filter || filter.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(`${(v / 1000).toFixed(0).padStart(8)} ms ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`busy (not idle) ${(busy / 1000).toFixed(0)} ms in the selected ${((to - from) / 1000).toFixed(0)} ms`);
show('self time', self);
show('inclusive time', incl);
