// Scratch (perf engineer): synchronous cost of one fan-out to 1000 real ws sockets: product path vs bare (frame once, corked writes).
import pino from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import * as wsModule from 'ws';
import { MemoryBus } from '../../packages/server/src/bus/memory.ts';
import { Connection } from '../../packages/server/src/realtime/connection.ts';
import { FanOut } from '../../packages/server/src/realtime/fan-out.ts';
const Sender = (wsModule as any).Sender;
const N = 1000;
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
const server: WebSocket[] = [];
wss.on('connection', (ws) => server.push(ws));
await new Promise((r) => wss.once('listening', r));
const port = (wss.address() as any).port;
for (let i = 0; i < N; i++) { const c = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false }); c.on('message', () => {}); await new Promise((r) => c.once('open', r)); }
while (server.length < N) await new Promise((r) => setTimeout(r, 5));
const deps = { bus: new MemoryBus(), clock: { now: () => Date.now(), setTimeout: () => ({ cancel() {} }) } as any, logger: pino({ level: 'silent' }), ratePerSecond: 20, rateBurst: 50 };
const conns = server.map((ws) => new Connection(ws, deps, 'visitor', { closed() {} }));
const listeners = new Set(conns.map((c) => ({ early: undefined as any, widgetEvent(ev: any) { if (this.early) return; if (ev.k === 'info') c.sendRaw(ev.json); } })));
const fan = new FanOut(listeners as any);
const res: Record<string, number[]> = { product: [], bare: [] };
for (let r = 0; r < 60; r++) {
  const json = JSON.stringify({ mt: 'Info', id: 'ag9', pad: 'x'.repeat(300), r });
  for (const mode of r % 2 ? ['product', 'bare'] : ['bare', 'product']) {
    const c0 = process.cpuUsage();
    if (mode === 'product') fan.push({ k: 'info', msg: { id: 'ag9' } as any, json });
    else { const frame = Sender.frame(Buffer.from(json), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true }); for (const ws of server) { const s = (ws as any)._socket; s.cork(); for (const b of frame) s.write(b); s.uncork(); } }
    // wait for slices to finish
    while ((fan as any).constructor && mode === 'product' && await new Promise((r) => setImmediate(() => r((fan as any)['_busyProbe'] ?? false)))) {}
    await new Promise((r) => setTimeout(r, 20));
    const c = process.cpuUsage(c0); res[mode].push((c.user + c.system) / 1000);
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1].toFixed(2);
console.log('cpu per fan-out incl. client receive (same for both): product', med(res.product), 'ms, bare', med(res.bare), 'ms');
process.exit(0);
