// Heap snapshots of the product server before/after N visitors.
import path from 'node:path';
import { spawnChild } from '../lib/rpc.ts';
const N = Number(process.argv[2] ?? 2000);
const logDir = '/tmp/inv';
const KIND = process.argv[3] ?? 'product';
const server = await spawnChild('heap-'+KIND, '/work/main/bench/servers/'+KIND+'.ts', { gc: true, logDir });
const f = KIND === 'product' ? await server.call('start', { widgets: [{ prefix: 'ag', agents: 10 }] }, 120000) : await server.call('info');
if (KIND === 'product') for (const ag of f.widgets[0].agents) await (await fetch(`${f.url}/api/presence/${ag.sipId}`, { method: 'PUT', headers: { authorization: `Bearer ${f.adminToken}`, 'content-type': 'application/json' }, body: '{"presence":"online"}' })).arrayBuffer();
const v = await spawnChild('vis', '/work/main/bench/clients/visitors.ts', { logDir });
await v.call('connect', { url: `${f.wsUrl}/ws/widget`, n: 20, mode: KIND, uuid: f.widgets?.[0].uuid, infos: 10 });
await server.call('rss');
await server.call('heapSnapshot', { path: '/tmp/inv/before.heapsnapshot' }, 120000);
const v2 = await spawnChild('vis2', '/work/main/bench/clients/visitors.ts', { logDir });
console.log(await v2.call('connect', { url: `${f.wsUrl}/ws/widget`, n: N, mode: KIND, uuid: f.widgets?.[0].uuid, infos: 10, concurrency: 50 }, 120000).then(r => r.ready));
await server.call('rss');
await server.call('heapSnapshot', { path: '/tmp/inv/after.heapsnapshot' }, 120000);
await v.stop(); await v2.stop(); await server.stop();
