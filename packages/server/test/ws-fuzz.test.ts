/**
 * WebSocket fuzz: thousands of malformed, oversized, mistyped and
 * out-of-order frames (seeded, so a failure can be replayed with FUZZ_SEED)
 * at both channels. Afterwards the server is alive, every bad frame got an
 * Error (or the documented close), and no stored data changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, WsClient, type TestServer } from '@cw/testkit';
import { agent, entry, makeUser, makeWidget, openVisitor, visitor, type AgentUser } from './protocol-fixtures.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const PER_CHANNEL = Number(process.env.FUZZ_FRAMES ?? 2500);

/** mulberry32: a tiny seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const randStr = (r: R, n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(r() * 95))).join('');

/** Values of every JSON type, for mistyping fields. */
function wrongValue(r: R, not: 'string' | 'boolean'): unknown {
  const vals: unknown[] = [null, 0, -1, 3.5, [], {}, ['x'], { a: 1 }, not === 'string' ? true : 'true', not === 'string' ? false : 'no'];
  return pick(r, vals);
}

interface Template {
  mt: string;
  fields: Record<string, 'id' | 'dn' | 'text' | 'sdp' | 'bool' | 'presence' | 'proposal' | 'uuid'>;
}

const VISITOR: Template[] = [
  { mt: 'Start', fields: { uuid: 'uuid' } },
  { mt: 'GetPicture', fields: { id: 'id' } },
  { mt: 'CreateCall', fields: { dest: 'id', dn: 'dn' } },
  { mt: 'Channels', fields: { cmd: 'proposal', sdp: 'sdp' } },
  { mt: 'ChatStart', fields: { dest: 'id', dn: 'dn' } },
  { mt: 'ChatMessage', fields: { chat: 'id', cid: 'id', text: 'text' } },
  { mt: 'Typing', fields: { chat: 'id', typing: 'bool' } },
  { mt: 'ChatEnd', fields: { chat: 'id' } },
];
const AGENT: Template[] = [
  { mt: 'SetPresence', fields: { presence: 'presence' } },
  { mt: 'AcceptCall', fields: { call: 'id', sdp: 'sdp' } },
  { mt: 'RejectCall', fields: { call: 'id' } },
  { mt: 'ClearCall', fields: { call: 'id' } },
  { mt: 'ChatAccept', fields: { chat: 'id' } },
  { mt: 'ChatMessage', fields: { chat: 'id', cid: 'id', text: 'text' } },
  { mt: 'Typing', fields: { chat: 'id', typing: 'bool' } },
  { mt: 'ChatEnd', fields: { chat: 'id' } },
];

/** A template with one required field removed, mistyped or out of bounds: always bad-request. */
function mistyped(r: R, t: Template): Record<string, unknown> {
  const m: Record<string, unknown> = { mt: t.mt };
  for (const [k, kind] of Object.entries(t.fields)) m[k] = kind === 'bool' ? true : kind === 'presence' ? 'online' : kind === 'proposal' ? 'PROPOSAL' : 'x';
  const [key, kind] = pick(r, Object.entries(t.fields));
  const how = Math.floor(r() * 4);
  if (how === 0) delete m[key];
  else if (how === 1) m[key] = wrongValue(r, kind === 'bool' ? 'boolean' : 'string');
  else if (kind === 'dn') m[key] = how === 2 ? 'y'.repeat(101) : ' \t\n ';
  else if (kind === 'text') m[key] = how === 2 ? 'z'.repeat(4001) : '   ';
  else if (kind === 'presence') m[key] = pick(r, ['ONLINE', 'dnd', '', 'away ']);
  else if (kind === 'proposal') m[key] = pick(r, ['SELECT', 'proposal', '']);
  else if (kind === 'bool') m[key] = pick(r, ['true', 1, null]);
  else m[key] = '';
  // Unknown extra fields are ignored, so they may ride along.
  if (r() < 0.3) m[randStr(r, 5)] = randStr(r, 10);
  return m;
}

/** A frame that is not a valid message at all. */
function garbage(r: R): string | Buffer {
  switch (Math.floor(r() * 12)) {
    case 0:
      return randStr(r, 1 + Math.floor(r() * 200));
    case 1:
      return JSON.stringify(pick(r, [null, 1, 'str', true, [1, 2], []]));
    case 2:
      return JSON.stringify({ mt: pick(r, ['', 'start', 'START', 'Error', 'Session', 'Info', '__proto__', 'constructor', 'toString', 'hasOwnProperty', randStr(r, 8)]) });
    case 3:
      return JSON.stringify({ mt: wrongValue(r, 'string') });
    case 4:
      return JSON.stringify({ uuid: 'x', id: 'y' });
    case 5:
      return '{"mt":"Start","uuid":' + '['.repeat(500) + ']'.repeat(500) + '}';
    case 6:
      return '{"mt":"ChatMessage","chat":"c","cid":"k","text":"\\ud800"' /* truncated */;
    case 7:
      return Buffer.from([0, 1, 2, 3, 255]);
    case 8:
      return '{"__proto__":{"mt":"Start"},"uuid":"x"}';
    case 9:
      return JSON.stringify({ mt: 'Start', uuid: { $gt: '' } });
    case 10:
      return '\u0000\u0001';
    default:
      return '   ';
  }
}

/** Valid shapes that do not fit the state: no call, unknown chat, unknown agent. Each gets one Error. */
function outOfOrder(r: R, channel: 'visitor' | 'agent' | 'started'): Record<string, unknown> {
  const id = `fz-${Math.floor(r() * 1e9)}`;
  // A second Start is refused; before Start, an unknown uuid would be fatal (documented), so only after it.
  if (channel === 'started' && r() < 0.1) return { mt: 'Start', uuid: id };
  if (channel !== 'agent')
    return pick(r, [
      { mt: 'Channels', cmd: 'PROPOSAL', sdp: 'v=0' },
      { mt: 'ClearCall' },
      { mt: 'GetPicture', id },
      { mt: 'CreateCall', dest: id, dn: 'Fuzz' },
      { mt: 'ChatStart', dest: id, dn: 'Fuzz' },
      { mt: 'ChatMessage', chat: id, cid: id, text: 'hi' },
      { mt: 'Typing', chat: id, typing: true },
      { mt: 'ChatEnd', chat: id },
    ]);
  return pick(r, [
    { mt: 'AcceptCall', call: id, sdp: 'v=0' },
    { mt: 'RejectCall', call: id },
    { mt: 'ClearCall', call: id },
    { mt: 'ChatAccept', chat: id },
    { mt: 'ChatMessage', chat: id, cid: id, text: 'hi' },
    { mt: 'Typing', chat: id, typing: false },
    { mt: 'ChatEnd', chat: id },
  ]);
}

function frame(r: R, channel: 'visitor' | 'agent' | 'started'): string | Buffer {
  const x = r();
  if (x < 0.35) return garbage(r);
  if (x < 0.75) return JSON.stringify(mistyped(r, pick(r, channel === 'agent' ? AGENT : VISITOR)));
  return JSON.stringify(outOfOrder(r, channel));
}

let s: TestServer;
let a: AgentUser;
let uuid: string;

async function snapshot() {
  const st = s.storage;
  return JSON.stringify({
    users: await st.users.list(),
    groups: await st.groups.list(),
    widgets: await st.widgets.list(),
    flags: await st.flags.list(),
    waiting: await st.chats.listWaiting(),
    agentChats: await st.chats.listOpenForAgent(a.user.id),
    calls: await st.calls.list(1000),
    presence: await st.presence.list(),
  });
}

/** Sends `n` frames in batches and waits for one Error per frame. */
async function fuzz(c: WsClient, r: R, channel: 'visitor' | 'agent' | 'started', n: number): Promise<void> {
  const codes = new Set(['bad-request', 'no-call', 'unknown-chat', 'unknown-agent']);
  for (let done = 0; done < n; ) {
    const batch = Math.min(100, n - done);
    for (let i = 0; i < batch; i++) {
      const f = frame(r, channel);
      c.ws.send(f, { binary: Buffer.isBuffer(f) });
    }
    for (let i = 0; i < batch; i++) {
      const e = await c.next((m) => m.mt === 'Error');
      expect(codes.has(e.code), JSON.stringify(e)).toBe(true);
      expect(typeof e.text).toBe('string');
    }
    done += batch;
  }
}

beforeAll(async () => {
  s = await startTestServer({ env: { WS_RATE_PER_S: '1000000', WS_RATE_BURST: '1000000' } });
  a = await makeUser(s, { sipId: 'atlantis' });
  uuid = (await makeWidget(s, [entry('atlantis')])).uuid;
});
afterAll(async () => {
  await s?.close();
});

describe(`ws fuzz (seed ${SEED})`, () => {
  it('survives garbage on both channels; every frame gets an Error; nothing stored changes', async () => {
    const before = await snapshot();
    const r = rng(SEED);

    // Visitor, before Start: everything is refused.
    const early = await openVisitor(s);
    await fuzz(early, r, 'visitor', 300);
    // Visitor after Start.
    const { c: v } = await visitor(s, uuid);
    await fuzz(v, r, 'started', PER_CHANNEL);
    // Agent.
    const { c: ag } = await agent(s, a.token);
    await fuzz(ag, r, 'agent', PER_CHANNEL);

    // Nothing but Errors (and the loading) came back; the sockets are still open.
    for (const c of [early, v, ag]) {
      expect(c.received.filter((m) => !['Error', 'Session', 'Info', 'IceConfig', 'Welcome'].includes(m.mt))).toEqual([]);
      expect(c.ws.readyState).toBe(c.ws.OPEN);
    }

    // Oversized frames close with 1009.
    for (let i = 0; i < 5; i++) {
      const c = i % 2 ? (await agent(s, a.token)).c : await openVisitor(s);
      c.send('x'.repeat(64 * 1024 + 1 + Math.floor(r() * 100_000)));
      expect((await c.closed).code).toBe(1009);
    }

    // The server still serves.
    const fresh = await visitor(s, uuid);
    expect(fresh.infos).toHaveLength(1);
    expect(await snapshot()).toBe(before);
    await Promise.all([early.close(), v.close(), ag.close(), fresh.c.close()]);
  }, 120_000);

  it('a flood beyond the rate limit gets rate-limited and 1008', async () => {
    const t = await startTestServer();
    try {
      const c = await WsClient.connect(`${t.wsUrl}/ws/widget`);
      const r = rng(SEED + 1);
      for (let i = 0; i < 200; i++) {
        const f = frame(r, 'visitor');
        if (c.ws.readyState === c.ws.OPEN) c.ws.send(f, { binary: Buffer.isBuffer(f) });
      }
      expect((await c.closed).code).toBe(1008);
      expect(c.received.at(-1)).toMatchObject({ mt: 'Error', code: 'rate-limited' });
    } finally {
      await t.close();
    }
  });
});
