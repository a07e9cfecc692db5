// Scratch (perf engineer), preloaded with NODE_OPTIONS=--import: in bench server processes only,
// records event-loop stalls, server-side chat relay time, and fan-out timing (trigger in -> first/last Info written).
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import fs from 'node:fs';
const who = process.argv.find((a) => /servers\/(product|bare)\.ts$/.test(a));
if (who) {
  const kind = who.includes('product') ? 'product' : 'bare';
  const req = createRequire('/work/main/package.json');
  const WS = req('ws'); const http = req('node:http'); const net = req('node:net');
  const tin = new Map(); const relay = []; const stalls = [];
  const emit = WS.prototype.emit;
  WS.prototype.emit = function (ev, data, ...rest) {
    if (ev === 'message') { const s = String(data); if (s.includes('"ChatMessage"')) { const m = /"text":"(bench \d+)"/.exec(s); if (m) tin.set(m[1], performance.now()); } }
    return emit.call(this, ev, data, ...rest);
  };
  const send = WS.prototype.send;
  WS.prototype.send = function (data, ...rest) {
    if (typeof data === 'string' && data.includes('"ChatMessage"') && !data.includes('"cid"')) { const m = /"text":"(bench \d+)"/.exec(data); const t = m && tin.get(m[1]); if (t !== undefined) { relay.push(performance.now() - t); tin.delete(m[1]); } }
    return send.call(this, data, ...rest);
  };
  let last = performance.now();
  setInterval(() => { const n = performance.now(); if (n - last > 12) stalls.push(+(n - last - 10).toFixed(1)); last = n; }, 10).unref();
  const rounds = []; let cur;
  const em = http.Server.prototype.emit;
  http.Server.prototype.emit = function (ev, r, ...rest) {
    if (ev === 'request' && ((r.method === 'PUT' && r.url.startsWith('/api/presence/ag9')) || (r.method === 'POST' && r.url === '/broadcast'))) { cur = { t0: performance.now(), first: 0, last: 0, n: 0 }; rounds.push(cur); }
    return em.call(this, ev, r, ...rest);
  };
  const w = net.Socket.prototype.write;
  net.Socket.prototype.write = function (chunk, ...rest) {
    if (cur && Buffer.isBuffer(chunk) && chunk.length > 200 && chunk.includes('"mt":"Info"')) { const t = performance.now() - cur.t0; if (!cur.n) cur.first = t; cur.last = t; cur.n++; }
    return w.call(this, chunk, ...rest);
  };
  const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(2) : null; };
  const dump = () => {
    const ok = rounds.filter((r) => r.n >= 900);
    fs.writeFileSync(`/tmp/mybench/loop/${kind}-${process.pid}.json`, JSON.stringify({ kind, relayN: relay.length, relayP50: q(relay, 50), relayP99: q(relay, 99), relayMax: q(relay, 100), stallsOver5ms: stalls.filter((s) => s > 5).length, worstStalls: [...stalls].sort((a, b) => b - a).slice(0, 6), fanRounds: ok.length, firstMed: q(ok.map((r) => r.first), 50), lastMed: q(ok.map((r) => r.last), 50), spanMed: q(ok.map((r) => r.last - r.first), 50) }));
  };
  setInterval(dump, 1000).unref(); process.on('exit', dump);
}
