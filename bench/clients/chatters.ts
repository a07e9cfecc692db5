/**
 * Chatting visitors in their own process (so the client's CPU stays out of
 * the server being measured), and the agent consoles that accept their
 * chats.
 *
 * setup: one console per agent (online), `n` visitors, each with a chat
 * accepted by one of the agents (round robin).
 * run: every visitor sends `perSecond` chat messages a second and waits for
 * each ChatAck before the next (a message due while the last is unacked
 * goes out the moment the ack arrives); ack latency is send → ChatAck.
 * The agents' consoles count what they receive, so a run also proves the
 * messages were relayed.
 */
import WebSocket from 'ws';
import { serveRpc } from '../lib/rpc.js';
import { now } from '../lib/stats.js';

interface Agent {
  sipId: string;
  token: string;
}

interface SetupArgs {
  /** ws://host:port of the server visitors connect to */
  visitorUrl: string;
  /** ws://host:port of the server consoles connect to (another process in cluster mode) */
  agentUrl?: string;
  uuid: string;
  agents: Agent[];
  n: number;
}

interface Visitor {
  ws: WebSocket;
  chat: string;
  /** the cid waiting for its ack, and when it was sent */
  waiting?: { cid: string; t0: number };
  /** the next message is due at (ms, now() clock) */
  due: number;
  timer?: NodeJS.Timeout;
  seq: number;
}

const ORIGIN = { perMessageDeflate: false, headers: { origin: 'http://localhost' } };

let consoles: WebSocket[] = [];
let visitors: Visitor[] = [];
/** run state */
let running = false;
let samples: number[] = [];
/** visitor send → the agent's console received it (ms) */
let relaySamples: number[] = [];
let acked = 0;
let relayed = 0;
let errors: string[] = [];
/** global, so client ids never repeat across runs (a repeated cid is a retry to the product) */
let cidSeq = 0;

/** Frames received before anyone waited for them (the first can arrive in the same read as the upgrade answer). */
const inbox = new WeakMap<WebSocket, any[]>();
const collectors = new WeakMap<WebSocket, (data: Buffer) => void>();

/** Set up: the inbox is no longer kept (its parsing would cost the client CPU during the run). */
function settled(ws: WebSocket): void {
  ws.off('message', collectors.get(ws)!);
  inbox.delete(ws);
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ORIGIN);
    const box: any[] = [];
    inbox.set(ws, box);
    const collect = (data: Buffer) => void box.push(JSON.parse(data.toString()));
    collectors.set(ws, collect);
    ws.on('message', collect);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode} on upgrade of ${url}`)));
  });
}

/** Resolves with the first frame (parsed, received since the socket opened and not yet taken) for which `pred` holds. */
function waitFor(ws: WebSocket, pred: (m: any) => boolean, what: string, ms = 15_000): Promise<any> {
  const box = inbox.get(ws)!;
  return new Promise((resolve, reject) => {
    let i = 0;
    const check = (): boolean => {
      for (; i < box.length; i++) {
        const m = box[i];
        if (m.mt === 'Error') return done(new Error(`server sent ${JSON.stringify(m)} while waiting for ${what}`));
        if (pred(m)) {
          box.splice(0, i + 1);
          return done(undefined, m);
        }
      }
      return false;
    };
    const t = setTimeout(() => done(new Error(`timed out waiting for ${what}`)), ms);
    const on = () => void check();
    function done(err?: Error, m?: any): true {
      clearTimeout(t);
      ws.off('message', on);
      if (err) reject(err);
      else resolve(m);
      return true;
    }
    if (!check()) ws.on('message', on);
  });
}

async function setup(a: SetupArgs): Promise<{ visitors: number }> {
  const agentUrl = a.agentUrl ?? a.visitorUrl;
  consoles = [];
  for (const ag of a.agents) {
    const ws = await open(`${agentUrl}/ws/agent?token=${encodeURIComponent(ag.token)}`);
    await waitFor(ws, (m) => m.mt === 'Welcome', 'Welcome');
    ws.send(JSON.stringify({ mt: 'SetPresence', presence: 'online' }));
    await waitFor(ws, (m) => m.mt === 'Presence' && m.presence === 'online', 'Presence online');
    settled(ws);
    // Accept every offer; count relayed visitor messages.
    ws.on('message', (data: Buffer) => {
      const s = data.toString();
      if (s.includes('"mt":"ChatMessage"')) {
        relayed++;
        // The visitor wrote when it sent (same process, same clock): send → this console.
        const at = /@(\d+(?:\.\d+)?)"/.exec(s);
        if (at) relaySamples.push(now() - Number(at[1]));
      }
      else if (s.includes('"mt":"ChatOffer"')) ws.send(JSON.stringify({ mt: 'ChatAccept', chat: JSON.parse(s).chat }));
    });
    consoles.push(ws);
  }
  visitors = [];
  // A few at a time: ChatStart → offer → accept is three hops each.
  const batch = 10;
  for (let i = 0; i < a.n; i += batch) {
    const made = await Promise.all(
      Array.from({ length: Math.min(batch, a.n - i) }, async (_, j) => {
        const ag = a.agents[(i + j) % a.agents.length]!;
        const ws = await open(`${a.visitorUrl}/ws/widget`);
        ws.send(JSON.stringify({ mt: 'Start', uuid: a.uuid, lang: 'en' }));
        await waitFor(ws, (m) => m.mt === 'Info' && m.id === ag.sipId && m.presence === 'online', `${ag.sipId} online on the widget`);
        const accepted = waitFor(ws, (m) => m.mt === 'ChatInfo' && m.state === 'accepted', 'ChatInfo accepted');
        ws.send(JSON.stringify({ mt: 'ChatStart', dest: ag.sipId, dn: `Bench visitor ${i + j}` }));
        const info = await accepted;
        settled(ws);
        const v: Visitor = { ws, chat: info.chat, due: 0, seq: 0 };
        ws.on('message', (data: Buffer) => onVisitorFrame(v, data.toString()));
        return v;
      }),
    );
    visitors.push(...made);
  }
  return { visitors: visitors.length };
}

function onVisitorFrame(v: Visitor, s: string): void {
  if (s.includes('"mt":"ChatAck"')) {
    const m = JSON.parse(s);
    if (!v.waiting || m.cid !== v.waiting.cid) return;
    samples.push(now() - v.waiting.t0);
    acked++;
    v.waiting = undefined;
    if (running) schedule(v);
  } else if (s.includes('"mt":"Error"') && errors.length < 5) errors.push(s.slice(0, 300));
}

function send(v: Visitor): void {
  v.timer = undefined;
  if (!running || v.waiting) return;
  const cid = `b${++cidSeq}`;
  const t0 = now();
  v.waiting = { cid, t0 };
  v.due = Math.max(v.due + period, t0);
  v.ws.send(`{"mt":"ChatMessage","chat":"${v.chat}","cid":"${cid}","text":"bench message ${cidSeq} @${t0.toFixed(3)}"}`);
}

function schedule(v: Visitor): void {
  const wait = v.due - now();
  if (wait <= 0) send(v);
  else v.timer = setTimeout(() => send(v), wait);
}

let period = 1000 / 15;

/** Sends for `seconds`; returns ack latencies and counts. Latencies are rounded to 0.01 ms to keep the reply small. */
async function run(a: { perSecond: number; seconds: number }) {
  period = 1000 / a.perSecond;
  samples = [];
  relaySamples = [];
  acked = 0;
  const relayedBefore = relayed;
  errors = [];
  running = true;
  const t0 = now();
  // Stagger the visitors over one period so they do not all send in the same tick.
  visitors.forEach((v, i) => {
    v.due = t0 + (i * period) / visitors.length;
    v.waiting = undefined;
    schedule(v);
  });
  await new Promise((r) => setTimeout(r, a.seconds * 1000));
  running = false;
  for (const v of visitors) if (v.timer) clearTimeout(v.timer);
  const sendEnd = now();
  // Acks in flight (bounded).
  const until = Date.now() + 5000;
  while (visitors.some((v) => v.waiting) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  const unacked = visitors.filter((v) => v.waiting).length;
  const seconds = (sendEnd - t0) / 1000;
  // Relayed messages may still be on their way to the consoles: wait until they match the acks (bounded).
  const until2 = Date.now() + 5000;
  while (relayed - relayedBefore < acked && Date.now() < until2) await new Promise((r) => setTimeout(r, 10));
  return {
    samples: samples.map((s) => Math.round(s * 100) / 100),
    relaySamples: relaySamples.map((s) => Math.round(s * 100) / 100),
    acked,
    unacked,
    relayed: relayed - relayedBefore,
    seconds,
    errors,
  };
}

serveRpc({
  setup,
  run,
  async close() {
    const all = [...consoles, ...visitors.map((v) => v.ws)];
    await Promise.race([
      Promise.all(all.map((s) => new Promise((r) => (s.readyState === WebSocket.OPEN ? (s.once('close', r), s.close()) : r(null))))),
      new Promise((r) => setTimeout(r, 5000)),
    ]);
    for (const s of all) s.terminate();
    setImmediate(() => process.exit(0));
    return { closed: all.length };
  },
});
