/**
 * A swarm of visitor sockets in its own process, so that the client side's
 * CPU and memory do not land in the server process being measured.
 *
 * connect: opens n sockets; against the product each sends Start and counts
 * as ready once it has Session, the widget's Info frames and IceConfig.
 * arm/collect: time when every socket has received a frame containing all the
 * given substrings (a presence Info). Frames are matched as text, without
 * JSON.parse, to keep the client's own cost low.
 */
import WebSocket from 'ws';
import { serveRpc } from '../lib/rpc.js';
import { now } from '../lib/stats.js';

interface ConnectArgs {
  url: string;
  n: number;
  /** product: send Start and wait for the widget; bare: just open */
  mode: 'product' | 'bare';
  uuid?: string;
  /** Info frames a Start is answered with (agents on the widget) */
  infos?: number;
  concurrency?: number;
  timeoutMs?: number;
}

const sockets: WebSocket[] = [];
/** per socket: the last armed round it has matched */
let matched = new Int32Array(0);
let round = 0;
let match: string[] = [];
let count = 0;
let last = 0;
let first = 0;
let onCount: (() => void) | null = null;
let infoSample = '';
let errors: string[] = [];

function onFrame(i: number, text: string): void {
  if (round === 0 || matched[i] === round) return;
  for (const m of match) if (!text.includes(m)) return;
  matched[i] = round;
  const t = now();
  if (count === 0) first = t;
  last = t;
  count++;
  if (onCount) onCount();
}

function openOne(a: ConnectArgs, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(a.url, { perMessageDeflate: false, headers: { origin: 'http://localhost' } });
    let session = false;
    let infos = 0;
    let ice = false;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      if (err) reject(err);
      else resolve();
    };
    ws.on('open', () => {
      if (a.mode === 'bare') {
        sockets[index] = ws;
        finish();
      } else ws.send(JSON.stringify({ mt: 'Start', uuid: a.uuid, lang: 'en' }));
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const text = data.toString();
      if (!done && a.mode === 'product') {
        if (text.includes('"mt":"Session"')) session = true;
        else if (text.includes('"mt":"Info"')) {
          infos++;
          if (!infoSample) infoSample = text;
        } else if (text.includes('"mt":"IceConfig"')) ice = true;
        else if (text.includes('"mt":"Error"')) return finish(new Error(`server answered Start with ${text.slice(0, 300)}`));
        if (session && ice && infos >= (a.infos ?? 0)) {
          sockets[index] = ws;
          finish();
        }
        return;
      }
      onFrame(index, text);
    });
    ws.on('error', (e) => finish(e));
    ws.on('unexpected-response', (_req, res) => finish(new Error(`HTTP ${res.statusCode} on upgrade`)));
    ws.on('close', (code) => finish(new Error(`closed with ${code} before ready`)));
  });
}

async function connect(a: ConnectArgs) {
  const t0 = now();
  const base = sockets.length;
  matched = new Int32Array(base + a.n);
  let next = 0;
  let ready = 0;
  errors = [];
  const deadline = Date.now() + (a.timeoutMs ?? 120_000);
  const worker = async () => {
    while (next < a.n && Date.now() < deadline) {
      const i = base + next++;
      try {
        await openOne(a, i);
        ready++;
      } catch (e) {
        if (errors.length < 5) errors.push(e instanceof Error ? e.message : String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(a.n, a.concurrency ?? 100) }, worker));
  return { ready, failed: a.n - ready, errors, ms: now() - t0, infoSample };
}

function open(): WebSocket[] {
  return sockets.filter((s) => s && s.readyState === WebSocket.OPEN);
}

serveRpc({
  connect,
  arm(a: { match: string[] }) {
    round++;
    match = a.match;
    count = 0;
    last = 0;
    first = 0;
    return { round, expect: open().length };
  },
  collect(a: { timeoutMs: number }) {
    const expect = open().length;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        onCount = null;
        resolve({ count, expect, first, last, complete: false });
      }, a.timeoutMs);
      const check = () => {
        if (count >= expect) {
          clearTimeout(t);
          onCount = null;
          resolve({ count, expect, first, last, complete: true });
        }
      };
      onCount = check;
      check();
    });
  },
  async close() {
    const all = open();
    await Promise.race([
      Promise.all(all.map((s) => new Promise((r) => (s.once('close', r), s.close())))),
      new Promise((r) => setTimeout(r, 10_000)),
    ]);
    for (const s of sockets) s?.terminate();
    setImmediate(() => process.exit(0));
    return { closed: all.length };
  },
});
