/**
 * Where a visitor's memory goes: heap snapshots of a server process with 20
 * and 20 + N visitors, compared per object type (self size per visitor).
 *
 *   node --import tsx bench/tools/heap-diff.ts [N=2000] [product|bare|both]
 *
 * Snapshots are written to a temp dir (printed) for DevTools' Memory tab
 * ("Comparison"), where retainers can be followed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnChild } from '../lib/rpc.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const N = Number(process.argv[2] ?? 2000);
const which = process.argv[3] ?? 'both';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-heap-'));

type Agg = Map<string, { count: number; size: number }>;

/** Self size per node type and constructor name. */
function aggregate(file: string): Agg {
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  const f: string[] = s.snapshot.meta.node_fields;
  const types: string[] = s.snapshot.meta.node_types[0];
  const n = f.length;
  const ti = f.indexOf('type');
  const ni = f.indexOf('name');
  const si = f.indexOf('self_size');
  const m: Agg = new Map();
  for (let i = 0; i < s.nodes.length; i += n) {
    const t = types[s.nodes[i + ti]]!;
    const raw: string = s.strings[s.nodes[i + ni]];
    const name = t.includes('string') ? `(${t})` : t === 'code' ? '(code)' : `${t}: ${raw.slice(0, 60)}`;
    const e = m.get(name) ?? { count: 0, size: 0 };
    e.count++;
    e.size += s.nodes[i + si];
    m.set(name, e);
  }
  return m;
}

async function run(kind: 'product' | 'bare'): Promise<void> {
  const server = await spawnChild(`heap-${kind}`, path.join(HERE, '..', 'servers', `${kind}.ts`), { gc: true, logDir: dir });
  const clients = await spawnChild(`heap-visitors-${kind}`, path.join(HERE, '..', 'clients', 'visitors.ts'), { logDir: dir });
  try {
    let wsUrl: string;
    let uuid: string | undefined;
    if (kind === 'product') {
      const f = await server.call('start', { widgets: [{ prefix: 'ag', agents: 10 }] }, 120_000);
      wsUrl = f.wsUrl;
      uuid = f.widgets[0].uuid;
    } else wsUrl = (await server.call('info')).wsUrl;
    const connect = (n: number) => clients.call('connect', { url: `${wsUrl}/ws/widget`, n, mode: kind, uuid, infos: 10, concurrency: 50 }, 180_000);
    await connect(20);
    await server.call('rss');
    const before = path.join(dir, `${kind}-before.heapsnapshot`);
    await server.call('heapSnapshot', { path: before }, 120_000);
    const r = await connect(N);
    await server.call('rss');
    const after = path.join(dir, `${kind}-after.heapsnapshot`);
    await server.call('heapSnapshot', { path: after }, 120_000);
    const a = aggregate(before);
    const b = aggregate(after);
    const rows: [string, number, number][] = [];
    let total = 0;
    for (const [k, v] of b) {
      const o = a.get(k) ?? { count: 0, size: 0 };
      total += v.size - o.size;
      rows.push([k, (v.count - o.count) / r.ready, (v.size - o.size) / r.ready]);
    }
    rows.sort((x, y) => y[2] - x[2]);
    console.log(`\n${kind}: ${r.ready} visitors, heap growth ${(total / r.ready).toFixed(0)} bytes per visitor (snapshots: ${before}, ${after})`);
    console.log('  bytes/visitor  objects/visitor  type: name');
    for (const [k, c, sz] of rows.slice(0, 25)) if (sz >= 16) console.log(`  ${sz.toFixed(0).padStart(13)}  ${c.toFixed(2).padStart(15)}  ${k}`);
  } finally {
    await clients.stop();
    await server.stop();
  }
}

if (which !== 'bare') await run('product');
if (which !== 'product') await run('bare');
