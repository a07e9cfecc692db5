// Scratch (perf engineer): self time by function within stacks containing a frame matching <regex>.
import fs from 'node:fs';
const [file, re, fromA, toA] = process.argv.slice(2);
const p = JSON.parse(fs.readFileSync(file!, 'utf8'));
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n: any) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(node_modules|packages)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const rx = new RegExp(re!);
const from = p.startTime + (p.endTime - p.startTime) * Number(fromA ?? 0), to = p.startTime + (p.endTime - p.startTime) * Number(toA ?? 1);
const self = new Map<string, number>(); const incl = new Map<string, number>(); let tot = 0; let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i]; if (t < from || t > to) continue;
  const d = p.timeDeltas[i + 1] ?? 0; const leaf = byId.get(p.samples[i]);
  const stack: any[] = []; for (let n = leaf; n; n = byId.get(parent.get(n.id)!)) stack.push(n);
  if (!stack.some((n) => rx.test(key(n)))) continue;
  tot += d; self.set(key(leaf), (self.get(key(leaf)) ?? 0) + d);
  const seen = new Set<string>(); for (const n of stack) { const k = key(n); if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + d); } }
}
console.log(`total under /${re}/: ${(tot / 1000).toFixed(1)} ms`);
for (const [title, m] of [['self', self], ['incl', incl]] as const) { console.log(title); for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`); }
