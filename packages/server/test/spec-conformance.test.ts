/**
 * Black-box conformance with docs/protocol.md (sections 1–6, 8):
 * everything here talks to the server only over the wire, exactly like an
 * outside client — HTTP with cookies or Bearer tokens, real WebSockets with an
 * Origin header. No storage or internals are touched.
 */
import crypto from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, WsClient, type Msg, type TestServer } from '@cw/testkit';

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n';
const ANSWER = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n';
const TURN_SECRET = 'conformance-secret';
const PNG_1X1 = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

interface Res {
  status: number;
  body: any;
  text: string;
}

/** A minimal outside HTTP client: cookie (with same Origin, like a browser) or Bearer token. */
class Http {
  constructor(
    readonly base: string,
    readonly auth: { cookie?: string; token?: string } = {},
  ) {}
  async req(method: string, path: string, body?: unknown): Promise<Res> {
    const h: Record<string, string> = {};
    if (this.auth.cookie) Object.assign(h, { cookie: this.auth.cookie, origin: this.base });
    if (this.auth.token) h.authorization = `Bearer ${this.auth.token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const r = await fetch(this.base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: r.status, body: parsed, text };
  }
  get = (p: string) => this.req('GET', p);
  post = (p: string, b?: unknown) => this.req('POST', p, b);
  put = (p: string, b?: unknown) => this.req('PUT', p, b);
  patch = (p: string, b?: unknown) => this.req('PATCH', p, b);
  del = (p: string) => this.req('DELETE', p);
}

async function login(base: string, username: string, password: string): Promise<{ http: Http; cookie: string }> {
  const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(r.status).toBe(200);
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  return { http: new Http(base, { cookie }), cookie };
}

interface Agent {
  id: string;
  sipId: string;
  token: string;
  cookie: string;
  http: Http;
}

/** Creates a user through the API, signs in and takes an API token, as an integration would. */
async function mkUser(s: TestServer, admin: Http, sipId: string, o: Record<string, unknown> = {}): Promise<Agent> {
  const r = await admin.post('/api/users', { username: sipId, password: 'pw-' + sipId + '-long', displayName: sipId[0]!.toUpperCase() + sipId.slice(1), sipId, roles: ['agent'], ...o });
  expect(r.status, r.text).toBe(201);
  const { http, cookie } = await login(s.url, sipId, 'pw-' + sipId + '-long');
  const t = await http.post('/api/tokens', { name: 'conformance' });
  expect(t.status, t.text).toBeLessThan(300);
  expect(t.body).toMatchObject({ id: expect.any(String), token: expect.any(String) });
  return { id: r.body.id, sipId, token: t.body.token, cookie, http };
}

function ent(sipId: string, o: Record<string, unknown> = {}) {
  return { sipId, media: ['voice', 'video', 'chat', 'email'], availability: 'presence', ...o };
}

async function mkWidget(admin: Http, agents: unknown[], o: Record<string, unknown> = {}): Promise<any> {
  const r = await admin.post('/api/widgets', { type: 'sidebar', name: 'Sales', lang: 'en', contact: { company: 'Example Ltd', email: 'sales@example.com' }, agents, ...o });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

function openVisitor(s: TestServer, origin?: string | null): Promise<WsClient> {
  return WsClient.connect(`${s.wsUrl}/ws/widget`, origin === null ? {} : { headers: { origin: origin ?? 'https://site.example.org' } });
}

/** Start and read the whole loading (Session, Info…, IceConfig). */
async function visitor(s: TestServer, uuid: string, o: { session?: string; lang?: string; origin?: string } = {}) {
  const c = await openVisitor(s, o.origin);
  c.send({ mt: 'Start', uuid, ...(o.session ? { session: o.session } : {}), ...(o.lang ? { lang: o.lang } : {}) });
  const session = await c.next('Session');
  const infos: Msg[] = [];
  const rest: Msg[] = [];
  for (;;) {
    const m = await c.next(() => true);
    if (m.mt === 'IceConfig') {
      rest.push(m);
      break;
    }
    if (m.mt === 'Info') infos.push(m);
    else rest.push(m);
  }
  return { c, session, infos, ice: rest.find((m) => m.mt === 'IceConfig')!, rest };
}

async function console_(s: TestServer, a: Agent): Promise<WsClient> {
  const c = await WsClient.connect(`${s.wsUrl}/ws/agent?token=${encodeURIComponent(a.token)}`);
  await c.next('Welcome');
  return c;
}

/** A round trip on a visitor socket: everything sent before it has arrived. */
async function sync(v: WsClient, id: string): Promise<void> {
  v.send({ mt: 'GetPicture', id });
  await v.next((m) => m.mt === 'Picture' && m.id === id);
}

/** A round trip on an agent socket. */
async function syncAgent(c: WsClient): Promise<void> {
  c.send({ mt: 'NoSuchThing' });
  await c.next((m) => m.mt === 'Error' && m.ref === 'NoSuchThing');
}

/** SetPresence, then (with a visitor) wait until it shows `visible`, unless it already did. */
async function presence(c: WsClient, v: WsClient | undefined, sipId: string, p: string, visible: string): Promise<void> {
  c.send({ mt: 'SetPresence', presence: p });
  await syncAgent(c);
  if (!v) return;
  const last = [...v.received].reverse().find((m) => m.mt === 'Info' && m.id === sipId);
  if (last?.presence === visible && !v.unread().some((m) => m.mt === 'Info' && m.id === sipId)) return;
  await v.next((m) => m.mt === 'Info' && m.id === sipId && m.presence === visible);
}

function expectError(m: Msg, code: string, ref: string | null) {
  expect(m).toMatchObject({ mt: 'Error', code, ref });
  expect(typeof m.text).toBe('string');
  expect(m.text.length).toBeGreaterThan(0);
}

async function nextError(c: WsClient): Promise<Msg> {
  return c.next('Error');
}

let s: TestServer;
let admin: Http;
let ann: Agent;
let bob: Agent;
let cara: Agent;
let dora: Agent;
let eve: Agent;
let w: any;

beforeAll(async () => {
  s = await startTestServer({
    env: { STUN_URLS: 'stun:stun.example.com:3478', TURN_URLS: 'turn:turn.example.com:3478?transport=udp', TURN_SECRET },
  });
  admin = (await login(s.url, s.adminUsername, s.adminPassword)).http;
  ann = await mkUser(s, admin, 'ann', { department: 'Sales', email: 'ann@example.com', phone: '+1 555 0101' });
  bob = await mkUser(s, admin, 'bob');
  cara = await mkUser(s, admin, 'cara');
  dora = await mkUser(s, admin, 'dora');
  eve = await mkUser(s, admin, 'eve');
  const g = await admin.post('/api/groups', { name: 'Team', sipId: 'team', members: [cara.id, dora.id] });
  expect(g.status, g.text).toBe(201);
  w = await mkWidget(admin, [
    ent('ann'),
    ent('bob', { displayName: 'Bobby', department: 'Support', phone: '+41 44 000', email: 'bobby@example.com', link: 'https://cal.example.com/bob', address: '2 Quay St, Harbourtown' }),
    ent('team'),
    ent('eve', { availability: 'always' }),
    ent('chatonly', { media: ['chat'] }),
    ent('voiceonly', { media: ['voice'] }),
    ent('gone', { availability: 'inactive' }),
  ]);
});
afterAll(async () => {
  await s?.close();
});

describe('1 conventions: bad frames', () => {
  it('unknown mt → bad-request with ref, connection stays open', async () => {
    const c = await openVisitor(s);
    c.send({ mt: 'Frobnicate' });
    const e = await nextError(c);
    expectError(e, 'bad-request', 'Frobnicate');
    expect(Object.keys(e).sort()).toEqual(expect.arrayContaining(['code', 'mt', 'ref', 'text']));
    c.send({ mt: 'Start', uuid: w.uuid });
    await c.next('Session');
    await c.close();
  });

  it('non-object JSON and non-JSON → bad-request ref null, connection stays open', async () => {
    const c = await openVisitor(s);
    for (const f of ['[]', '"x"', 'null', '5', 'true', '{not json', '[{"mt":"Start"}]']) {
      c.send(f);
      expectError(await nextError(c), 'bad-request', null);
    }
    c.send({ nomt: 1 });
    expect((await nextError(c)).code).toBe('bad-request');
    c.send({ mt: 5 });
    expect((await nextError(c)).code).toBe('bad-request');
    c.send({ mt: 'Start', uuid: w.uuid });
    await c.next('Session');
    await c.close();
  });

  it('missing or mistyped Start fields; a second Start → bad-request', async () => {
    const c = await openVisitor(s);
    c.send({ mt: 'Start' });
    expectError(await nextError(c), 'bad-request', 'Start');
    c.send({ mt: 'Start', uuid: 42 });
    expectError(await nextError(c), 'bad-request', 'Start');
    c.send({ mt: 'Start', uuid: w.uuid, extra: 'ignored' });
    await c.next('Session');
    c.send({ mt: 'Start', uuid: w.uuid });
    expectError(await nextError(c), 'bad-request', 'Start');
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    await c.close();
  });

  it('required fields of every visitor message (section 8)', async () => {
    const { c } = await visitor(s, w.uuid);
    const bad: Msg[] = [
      { mt: 'GetPicture' },
      { mt: 'GetPicture', id: 5 },
      { mt: 'CreateCall', dest: 'ann' },
      { mt: 'CreateCall', dn: 'X' },
      { mt: 'CreateCall', dest: 'ann', dn: 'X', video: 'yes' },
      { mt: 'CreateCall', dest: 'ann', dn: '' },
      { mt: 'CreateCall', dest: 'ann', dn: '   ' },
      { mt: 'CreateCall', dest: 'ann', dn: 'x'.repeat(101) },
      { mt: 'Channels', cmd: 'PROPOSAL' },
      { mt: 'Channels', sdp: OFFER },
      { mt: 'ChatStart', dest: 'ann' },
      { mt: 'ChatStart', dn: 'X' },
      { mt: 'ChatStart', dest: 'ann', dn: 'X', email: 5 },
      { mt: 'ChatMessage', chat: 'c', cid: 'k' },
      { mt: 'ChatMessage', chat: 'c', text: 'hi' },
      { mt: 'ChatMessage', cid: 'k', text: 'hi' },
      { mt: 'Typing', chat: 'c' },
      { mt: 'Typing', chat: 'c', typing: 'yes' },
      { mt: 'ChatEnd' },
    ];
    for (const m of bad) {
      c.send(m);
      const e = await nextError(c);
      expect({ sent: m, code: e.code, ref: e.ref }).toEqual({ sent: m, code: 'bad-request', ref: m.mt });
    }
    await c.close();
  });

  it('dn of 101 code points is refused, 100 emoji (200 UTF-16 units) is fine', async () => {
    const { c } = await visitor(s, w.uuid);
    c.send({ mt: 'CreateCall', dest: 'ann', dn: '😀'.repeat(101) });
    expectError(await nextError(c), 'bad-request', 'CreateCall');
    c.send({ mt: 'CreateCall', dest: 'ann', dn: '😀'.repeat(100) });
    // ann is offline: the call ends at once as unavailable (not a bad-request).
    expect(await c.next((m) => m.mt === 'CallInfo' || m.mt === 'Error')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    await c.close();
  });

  it('a frame over 64 KiB closes 1009; 64 KiB is fine (both channels)', async () => {
    const c = await openVisitor(s);
    const pad = (n: number) => {
      const base = JSON.stringify({ mt: 'Nope', pad: '' });
      return JSON.stringify({ mt: 'Nope', pad: 'x'.repeat(n - base.length) });
    };
    c.send(pad(64 * 1024));
    expectError(await nextError(c), 'bad-request', 'Nope');
    c.send(pad(64 * 1024 + 1));
    expect((await c.closed).code).toBe(1009);
    const a = await console_(s, eve);
    a.send(pad(64 * 1024 + 100));
    expect((await a.closed).code).toBe(1009);
  });

  it('rate limit: a burst of 50 passes, a flood gets rate-limited and 1008 (both channels)', async () => {
    const c = await openVisitor(s);
    for (let i = 0; i < 50; i++) c.send({ mt: 'Nope' });
    for (let i = 0; i < 50; i++) expect((await c.next('Error')).code).toBe('bad-request');
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    await c.close();
    const c2 = await openVisitor(s);
    for (let i = 0; i < 200; i++) c2.send({ mt: 'Nope' });
    await c2.next((m) => m.mt === 'Error' && m.code === 'rate-limited');
    expect((await c2.closed).code).toBe(1008);
    const a = await console_(s, eve);
    for (let i = 0; i < 200; i++) a.send({ mt: 'Nope' });
    await a.next((m) => m.mt === 'Error' && m.code === 'rate-limited');
    expect((await a.closed).code).toBe(1008);
  });
});

describe('2.1 loading', () => {
  it('Session has every field; Info per agent in order with directory defaults; link only when set', async () => {
    const { c, session, infos, ice } = await visitor(s, w.uuid);
    expect(session).toMatchObject({ mt: 'Session', name: 'Sales', lang: 'en', type: 'sidebar', session: expect.any(String) });
    expect(session.strings).toEqual(expect.any(Object));
    expect(Object.keys(session.strings).length).toBeGreaterThan(0);
    expect(session.appearance).toEqual(expect.any(Object));
    expect(session.contact).toMatchObject({ company: 'Example Ltd', email: 'sales@example.com' });
    expect(infos.map((i) => i.id)).toEqual(['ann', 'bob', 'team', 'eve', 'chatonly', 'voiceonly', 'gone']);
    expect(infos.map((i) => i.order)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(infos[0]).toEqual({ mt: 'Info', id: 'ann', dn: 'Ann', department: 'Sales', phonenumber: '+1 555 0101', email: 'ann@example.com', company: session.contact, presence: 'offline', media: ['voice', 'video', 'chat', 'email'], order: 0 });
    expect(infos[1]).toMatchObject({ id: 'bob', dn: 'Bobby', department: 'Support', phonenumber: '+41 44 000', email: 'bobby@example.com', link: 'https://cal.example.com/bob', address: '2 Quay St, Harbourtown' });
    expect(infos[0]).not.toHaveProperty('link');
    // Issue 15 addition: an entry's own address only when set (the widget's stays in company.address).
    expect(infos[0]).not.toHaveProperty('address');
    expect(infos[3]).toMatchObject({ id: 'eve', presence: 'online' });
    expect(infos[6]).toMatchObject({ id: 'gone', presence: 'offline' });
    expect(infos[4]).toMatchObject({ media: ['chat'] });
    for (const i of infos) expect(['online', 'busy', 'offline']).toContain(i.presence);
    // IceConfig: host names and ready iceServers with TURN REST credentials.
    expect(ice).toMatchObject({ mt: 'IceConfig', stun: 'stun.example.com', turn: 'turn.example.com' });
    const turn = ice.iceServers.find((x: any) => x.username);
    expect(turn.username).toMatch(/^\d+:/);
    const expected = crypto.createHmac('sha1', TURN_SECRET).update(turn.username).digest('base64');
    expect(turn.credential).toBe(expected);
    const expiry = Number(turn.username.split(':')[0]);
    expect(expiry * 1000).toBeGreaterThan(Date.now());
    const urls = ice.iceServers.flatMap((x: any) => (Array.isArray(x.urls) ? x.urls : [x.urls]));
    expect(urls).toEqual(expect.arrayContaining(['stun:stun.example.com:3478', 'turn:turn.example.com:3478?transport=udp']));
    await c.close();
  });

  it('Picture: data: URL when set, "" when none; unknown id → unknown-agent', async () => {
    const w2 = await mkWidget(admin, [ent('ann', { picture: PNG_1X1 }), ent('bob')]);
    const { c } = await visitor(s, w2.uuid);
    c.send({ mt: 'GetPicture', id: 'ann' });
    const p = await c.next('Picture');
    expect(p.id).toBe('ann');
    expect(p.url).toMatch(/^data:image\/(jpeg|png|webp|gif);base64,/);
    c.send({ mt: 'GetPicture', id: 'bob' });
    expect(await c.next('Picture')).toEqual({ mt: 'Picture', id: 'bob', url: '' });
    c.send({ mt: 'GetPicture', id: 'nobody' });
    expectError(await nextError(c), 'unknown-agent', 'GetPicture');
    await c.close();
  });

  it('language: de-CH → de, every required language, unknown → widget default', async () => {
    const en = await visitor(s, w.uuid, { lang: 'xx-YY' });
    expect(en.session.lang).toBe('en');
    await en.c.close();
    const seen = new Map<string, string>();
    for (const l of ['en', 'de', 'fr', 'it', 'es', 'nl', 'pt', 'pl', 'sv', 'tr', 'ar', 'he']) {
      const v = await visitor(s, w.uuid, { lang: l });
      expect(v.session.lang).toBe(l);
      seen.set(l, JSON.stringify(v.session.strings));
      await v.c.close();
    }
    expect(new Set(seen.values()).size).toBe(12);
    const ch = await visitor(s, w.uuid, { lang: 'de-CH' });
    expect(ch.session.lang).toBe('de');
    expect(JSON.stringify(ch.session.strings)).toBe(seen.get('de'));
    await ch.c.close();
    const br = await visitor(s, w.uuid, { lang: 'pt-BR' });
    expect(br.session.lang).toBe('pt');
    // Plural messages travel as one string per plural category of the language.
    expect(Object.keys(br.session.strings).filter((k) => k.startsWith('unreadCount.')).sort()).toEqual(['unreadCount.many', 'unreadCount.one', 'unreadCount.other']);
    await br.c.close();
  });

  it('session token: a known one is kept, an unknown one is not an error (fresh token)', async () => {
    const a = await visitor(s, w.uuid);
    const tok = a.session.session;
    await a.c.close();
    const b = await visitor(s, w.uuid, { session: tok });
    expect(b.session.session).toBe(tok);
    expect(b.rest.filter((m) => m.mt === 'Error')).toEqual([]);
    await b.c.close();
    const c = await visitor(s, w.uuid, { session: 'no-such-token' });
    expect(c.session.session).toEqual(expect.any(String));
    expect(c.session.session).not.toBe('no-such-token');
    expect(c.rest.filter((m) => m.mt === 'Error')).toEqual([]);
    await c.c.close();
    // A token belongs to one widget: on another widget it is a fresh session.
    const w2 = await mkWidget(admin, [ent('ann')]);
    const d = await visitor(s, w2.uuid, { session: tok });
    expect(d.session.session).not.toBe(tok);
    await d.c.close();
  });

  it('unknown uuid → Error unknown-widget, close 1008', async () => {
    const c = await openVisitor(s);
    c.send({ mt: 'Start', uuid: 'nope-nope' });
    expectError(await nextError(c), 'unknown-widget', 'Start');
    expect((await c.closed).code).toBe(1008);
  });

  it('allowedOrigins: exact, wildcard subdomain, no bare domain, other domains and no Origin refused', async () => {
    // an empty list allows any origin, and none
    for (const o of [null, 'https://anything.example.org']) {
      const v = await visitor(s, w.uuid, o === null ? { origin: undefined } : { origin: o });
      expect(v.session.mt).toBe('Session');
      await v.c.close();
    }
    const bare = await openVisitor(s, null);
    bare.send({ mt: 'Start', uuid: w.uuid });
    await bare.next('Session');
    await bare.close();
    const w2 = await mkWidget(admin, [ent('ann')], { allowedOrigins: ['https://shop.example.net', 'https://*.example.com'] });
    for (const o of ['https://shop.example.net', 'https://a.example.com', 'https://deep.a.example.com']) {
      const v = await visitor(s, w2.uuid, { origin: o });
      expect(v.session.mt).toBe('Session');
      await v.c.close();
    }
    for (const o of [null, 'https://example.com', 'https://evil.org', 'https://a.example.com.evil.org', 'http://a.example.com', 'https://shop.example.net:444', 'https://evilexample.com']) {
      const c = await openVisitor(s, o);
      c.send({ mt: 'Start', uuid: w2.uuid });
      const e = await c.next((m) => m.mt === 'Error' || m.mt === 'Session');
      expect({ o, code: e.code }).toEqual({ o, code: 'origin-not-allowed' });
      expect((await c.closed).code).toBe(1008);
    }
  });

  it('a saved widget reaches open visitors within 1 s: Session, then Remove, then Info for every agent', async () => {
    const w2 = await mkWidget(admin, [ent('ann'), ent('bob'), ent('eve')]);
    const { c, session } = await visitor(s, w2.uuid);
    const from = c.received.length;
    const t0 = Date.now();
    const r = await admin.put(`/api/widgets/${w2.uuid}`, { type: 'cards', name: 'Sales 2', lang: 'en', agents: [ent('eve'), ent('ann', { displayName: 'Annie' })] });
    expect(r.status, r.text).toBe(200);
    await c.next((m) => m.mt === 'Info' && m.id === 'ann' && m.dn === 'Annie', 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    const got = c.received.slice(from).filter((m) => m.mt !== 'IceConfig');
    expect(got.map((m) => m.mt)).toEqual(['Session', 'Remove', 'Info', 'Info']);
    expect(got[0]).toMatchObject({ name: 'Sales 2', type: 'cards', session: session.session });
    expect(got[1]).toEqual({ mt: 'Remove', id: 'bob' });
    expect(got.slice(2).map((m) => [m.id, m.order])).toEqual([
      ['eve', 0],
      ['ann', 1],
    ]);
    await c.close();
  });

  it('a deleted widget: Error unknown-widget to open visitors and close', async () => {
    const w2 = await mkWidget(admin, [ent('ann')]);
    const { c } = await visitor(s, w2.uuid);
    expect((await admin.del(`/api/widgets/${w2.uuid}`)).status).toBeLessThan(300);
    expectError(await nextError(c), 'unknown-widget', null);
    expect((await c.closed).code).toBe(1008);
  });
});

describe('2.2 / 8 calls', () => {
  it('offline → unavailable right after CreateCall; busy/away → busy; inactive → unavailable', async () => {
    const { c: v } = await visitor(s, w.uuid);
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    v.send({ mt: 'CreateCall', dest: 'gone', dn: 'V' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    const a = await console_(s, ann);
    await presence(a, v, 'ann', 'busy', 'busy');
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'busy' });
    await presence(a, v, 'ann', 'away', 'busy');
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'busy' });
    await presence(a, v, 'ann', 'offline', 'offline');
    await a.close();
    await v.close();
  });

  it('alerting only after Channels; connected with SELECT; visitor ClearCall → terminated without cause, console remote-hangup', async () => {
    const a = await console_(s, ann);
    const { c: v } = await visitor(s, w.uuid);
    await presence(a, v, 'ann', 'online', 'online');
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'Mein Name', video: true });
    await sync(v, 'ann');
    await syncAgent(a);
    expect(v.unread().filter((m) => m.mt === 'CallInfo')).toEqual([]);
    expect(a.unread().filter((m) => m.mt === 'IncomingCall')).toEqual([]);
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const inc = await a.next('IncomingCall');
    expect(inc).toMatchObject({ call: expect.any(String), from: { dn: 'Mein Name' }, widget: { uuid: w.uuid, name: 'Sales' }, video: true, sdp: OFFER });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'alerting' });
    a.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'connected', cmd: 'SELECT', sdp: ANSWER });
    expect(await a.next('CallInfo')).toMatchObject({ call: inc.call, state: 'connected' });
    await v.next((m) => m.mt === 'Info' && m.id === 'ann' && m.presence === 'busy');
    // a second call on the same socket
    v.send({ mt: 'CreateCall', dest: 'eve', dn: 'V' });
    expectError(await nextError(v), 'call-in-progress', 'CreateCall');
    v.send({ mt: 'ClearCall' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated' });
    expect(await a.next('CallInfo')).toMatchObject({ call: inc.call, state: 'terminated', cause: 'remote-hangup' });
    await presence(a, v, 'ann', 'offline', 'offline');
    await a.close();
    await v.close();
  });

  it("agent's own ClearCall → hangup; visitor remote-hangup; closing the visitor socket ends its call", async () => {
    const a = await console_(s, ann);
    const { c: v } = await visitor(s, w.uuid);
    await presence(a, v, 'ann', 'online', 'online');
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    let inc = await a.next('IncomingCall');
    a.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
    a.send({ mt: 'ClearCall', call: inc.call });
    expect(await a.next((m) => m.mt === 'CallInfo' && m.state === 'terminated')).toEqual({ mt: 'CallInfo', call: inc.call, state: 'terminated', cause: 'hangup' });
    expect(await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'remote-hangup' });
    // closing the socket
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    inc = await a.next('IncomingCall');
    a.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
    await v.close();
    expect(await a.next((m) => m.mt === 'CallInfo' && m.state === 'terminated')).toMatchObject({ call: inc.call, cause: 'remote-hangup' });
    a.send({ mt: 'SetPresence', presence: 'offline' });
    await a.close();
  });

  it('two consoles: first AcceptCall wins, the other gets answered-elsewhere; RejectCall → rejected', async () => {
    const a1 = await console_(s, ann);
    const a2 = await console_(s, ann);
    const { c: v } = await visitor(s, w.uuid);
    await presence(a1, v, 'ann', 'online', 'online');
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const [i1, i2] = await Promise.all([a1.next('IncomingCall'), a2.next('IncomingCall')]);
    expect(i1.call).toBe(i2.call);
    a2.send({ mt: 'AcceptCall', call: i2.call, sdp: ANSWER });
    expect(await a1.next('CallInfo')).toEqual({ mt: 'CallInfo', call: i1.call, state: 'terminated', cause: 'answered-elsewhere' });
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
    // the losing console's late messages for the call → no-call
    a1.send({ mt: 'AcceptCall', call: i1.call, sdp: ANSWER });
    expectError(await nextError(a1), 'no-call', 'AcceptCall');
    v.send({ mt: 'ClearCall' });
    await a2.next((m) => m.mt === 'CallInfo' && m.state === 'terminated');
    // reject
    await v.next((m) => m.mt === 'Info' && m.id === 'ann' && m.presence === 'online');
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const [j1, j2] = await Promise.all([a1.next('IncomingCall'), a2.next('IncomingCall')]);
    a1.send({ mt: 'RejectCall', call: j1.call });
    a2.send({ mt: 'RejectCall', call: j2.call });
    expect(await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'rejected' });
    await presence(a1, v, 'ann', 'offline', 'offline');
    await a1.close();
    await a2.close();
    await v.close();
  });

  it('caller hangs up or goes away while ringing → consoles get cancelled', async () => {
    const a = await console_(s, ann);
    const { c: v } = await visitor(s, w.uuid);
    await presence(a, v, 'ann', 'online', 'online');
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    let inc = await a.next('IncomingCall');
    await v.next('CallInfo');
    v.send({ mt: 'ClearCall' });
    expect(await a.next('CallInfo')).toEqual({ mt: 'CallInfo', call: inc.call, state: 'terminated', cause: 'cancelled' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated' });
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    inc = await a.next('IncomingCall');
    await v.close();
    expect(await a.next('CallInfo')).toEqual({ mt: 'CallInfo', call: inc.call, state: 'terminated', cause: 'cancelled' });
    a.send({ mt: 'SetPresence', presence: 'offline' });
    await a.close();
  });

  it('always rings whatever presence; group rings online members', async () => {
    const e = await console_(s, eve); // eve's presence is offline, availability always
    const { c: v } = await visitor(s, w.uuid);
    v.send({ mt: 'CreateCall', dest: 'eve', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const inc = await e.next('IncomingCall');
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'alerting' });
    e.send({ mt: 'RejectCall', call: inc.call });
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated');
    // group with nobody online → unavailable
    v.send({ mt: 'CreateCall', dest: 'team', dn: 'V' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    const c1 = await console_(s, cara);
    const d1 = await console_(s, dora);
    await presence(c1, v, 'team', 'online', 'online');
    await presence(d1, undefined, 'team', 'online', 'online');
    v.send({ mt: 'CreateCall', dest: 'team', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const [ic, id] = await Promise.all([c1.next('IncomingCall'), d1.next('IncomingCall')]);
    d1.send({ mt: 'AcceptCall', call: id.call, sdp: ANSWER });
    expect(await c1.next('CallInfo')).toMatchObject({ call: ic.call, state: 'terminated', cause: 'answered-elsewhere' });
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
    v.send({ mt: 'ClearCall' });
    await d1.next((m) => m.mt === 'CallInfo' && m.state === 'terminated');
    // group busy while every online member is busy
    await presence(c1, v, 'team', 'busy', 'online');
    await presence(d1, v, 'team', 'away', 'busy');
    v.send({ mt: 'CreateCall', dest: 'team', dn: 'V' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'busy' });
    await presence(c1, v, 'team', 'offline', 'busy');
    await presence(d1, v, 'team', 'offline', 'offline');
    await Promise.all([e.close(), c1.close(), d1.close(), v.close()]);
  });

  it('media-not-allowed, unknown-agent, no-call', async () => {
    const { c: v } = await visitor(s, w.uuid);
    v.send({ mt: 'CreateCall', dest: 'chatonly', dn: 'V' });
    expectError(await nextError(v), 'media-not-allowed', 'CreateCall');
    v.send({ mt: 'CreateCall', dest: 'voiceonly', dn: 'V', video: true });
    expectError(await nextError(v), 'media-not-allowed', 'CreateCall');
    v.send({ mt: 'ChatStart', dest: 'voiceonly', dn: 'V' });
    expectError(await nextError(v), 'media-not-allowed', 'ChatStart');
    v.send({ mt: 'CreateCall', dest: 'nobody', dn: 'V' });
    expectError(await nextError(v), 'unknown-agent', 'CreateCall');
    v.send({ mt: 'ChatStart', dest: 'nobody', dn: 'V' });
    expectError(await nextError(v), 'unknown-agent', 'ChatStart');
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    expectError(await nextError(v), 'no-call', 'Channels');
    v.send({ mt: 'ClearCall' });
    expectError(await nextError(v), 'no-call', 'ClearCall');
    expect(v.ws.readyState).toBe(WebSocket.OPEN);
    const a = await console_(s, eve);
    for (const m of [{ mt: 'AcceptCall', call: 'nope', sdp: ANSWER }, { mt: 'RejectCall', call: 'nope' }, { mt: 'ClearCall', call: 'nope' }]) {
      a.send(m);
      expectError(await nextError(a), 'no-call', m.mt);
    }
    for (const m of [{ mt: 'ChatAccept', chat: 'nope' }, { mt: 'ChatMessage', chat: 'nope', cid: 'x', text: 'hi' }, { mt: 'Typing', chat: 'nope', typing: true }, { mt: 'ChatEnd', chat: 'nope' }]) {
      a.send(m);
      expectError(await nextError(a), 'unknown-chat', m.mt);
      v.send(m);
      if (m.mt !== 'ChatAccept') expectError(await nextError(v), 'unknown-chat', m.mt);
      else expectError(await nextError(v), 'bad-request', 'ChatAccept');
    }
    await a.close();
    await v.close();
  });

  it('required fields on the agent channel', async () => {
    const a = await console_(s, eve);
    const bad: Msg[] = [
      { mt: 'SetPresence' },
      { mt: 'SetPresence', presence: 'dnd' },
      { mt: 'AcceptCall', call: 'x' },
      { mt: 'AcceptCall', sdp: ANSWER },
      { mt: 'RejectCall' },
      { mt: 'ClearCall' },
      { mt: 'ChatAccept' },
      { mt: 'ChatMessage', chat: 'c', cid: 'k', text: '   ' },
      { mt: 'Typing', chat: 'c', typing: 1 },
      { mt: 'ChatEnd' },
      { mt: 'Start', uuid: w.uuid },
    ];
    for (const m of bad) {
      a.send(m);
      const e = await nextError(a);
      expect({ sent: m, code: e.code, ref: e.ref }).toEqual({ sent: m, code: 'bad-request', ref: m.mt });
    }
    for (const f of ['[]', 'null', '"x"', '5', 'nope']) {
      a.send(f);
      expectError(await nextError(a), 'bad-request', null);
    }
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
    await a.close();
  });
});

describe('2.3 / 8 chat', () => {
  it('the whole flow; early messages delivered on accept; taken; same fields both sides; ends by visitor', async () => {
    const a1 = await console_(s, bob);
    const a2 = await console_(s, bob);
    const { c: v, session } = await visitor(s, w.uuid);
    await presence(a1, v, 'bob', 'online', 'online');
    v.send({ mt: 'ChatStart', dest: 'bob', dn: 'Mein Name', email: 'me@example.org' });
    const waiting = await v.next('ChatInfo');
    expect(waiting).toEqual({ mt: 'ChatInfo', chat: expect.any(String), state: 'waiting' });
    const chat = waiting.chat;
    const [o1] = await Promise.all([a1.next('ChatOffer'), a2.next('ChatOffer')]);
    expect(o1).toMatchObject({ chat, from: { dn: 'Mein Name', email: 'me@example.org' }, widget: { uuid: w.uuid, name: 'Sales' } });
    v.send({ mt: 'ChatMessage', chat, cid: 'k1', text: 'Hello early' });
    const ack = await v.next('ChatAck');
    expect(ack).toEqual({ mt: 'ChatAck', chat, cid: 'k1', id: expect.any(String), ts: expect.any(Number) });
    a1.send({ mt: 'ChatAccept', chat });
    // agentDn is the name on the visitor's card (the widget entry's displayName), as Info.dn.
    expect(await v.next('ChatInfo')).toMatchObject({ chat, state: 'accepted', agent: 'bob', agentDn: 'Bobby' });
    expect(await a2.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'taken' });
    // Documented choice (docs/architecture.md): the accepting console gets the
    // messages written before the accept as ChatMessage objects in a ChatHistory.
    const delivered = await a1.next((m) => m.mt === 'ChatMessage' || m.mt === 'ChatHistory');
    expect(delivered).toMatchObject({ mt: 'ChatHistory', chat, state: 'accepted', messages: [expect.any(Object)] });
    const early = delivered.messages[0];
    expect(early).toMatchObject({ mt: 'ChatMessage', chat, id: ack.id, from: 'visitor', dn: 'Mein Name', text: 'Hello early', ts: ack.ts });
    expect(early).not.toHaveProperty('cid');
    a1.send({ mt: 'ChatMessage', chat, cid: 'a1', text: 'Hi! <b>x</b>' });
    const aack = await a1.next('ChatAck');
    expect(aack).toEqual({ mt: 'ChatAck', chat, cid: 'a1', id: expect.any(String), ts: expect.any(Number) });
    const vm = await v.next('ChatMessage');
    expect(vm).toEqual({ mt: 'ChatMessage', chat, id: aack.id, from: 'agent', dn: 'Bobby', text: 'Hi! <b>x</b>', ts: aack.ts });
    v.send({ mt: 'Typing', chat, typing: true });
    expect(await a1.next('Typing')).toMatchObject({ mt: 'Typing', chat, typing: true });
    a1.send({ mt: 'Typing', chat, typing: false });
    expect(await v.next('Typing')).toMatchObject({ mt: 'Typing', chat, typing: false });
    // a late accept by the other console
    a2.send({ mt: 'ChatAccept', chat });
    const late = await a2.next((m) => m.mt === 'Error' || m.mt === 'ChatInfo');
    expect(late.mt === 'ChatInfo' ? late.state : late.code).toMatch(/taken|unknown-chat/);
    // resume: Session then ChatHistory with ChatMessage objects
    await v.close();
    const r = await visitor(s, w.uuid, { session: session.session });
    expect(r.session.session).toBe(session.session);
    const hist = r.rest.find((m) => m.mt === 'ChatHistory') ?? (await r.c.next('ChatHistory'));
    expect(hist).toMatchObject({ mt: 'ChatHistory', chat, state: 'accepted' });
    expect(hist.messages).toHaveLength(2);
    for (const m of hist.messages) expect(m).toMatchObject({ mt: 'ChatMessage', chat, id: expect.any(String), from: expect.stringMatching(/^(visitor|agent)$/), dn: expect.any(String), text: expect.any(String), ts: expect.any(Number) });
    expect(r.c.received.findIndex((m) => m.mt === 'Session')).toBeLessThan(r.c.received.findIndex((m) => m.mt === 'ChatHistory'));
    r.c.send({ mt: 'ChatEnd', chat });
    expect(await r.c.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'closed', by: 'visitor' });
    expect(await a1.next((m) => m.mt === 'ChatInfo' && m.state === 'closed')).toMatchObject({ chat, by: 'visitor' });
    await presence(a1, undefined, 'bob', 'offline', 'offline');
    await Promise.all([a1.close(), a2.close(), r.c.close()]);
  });

  it('text: 4000 code points ok, 4001 not, only spaces not; agent ChatEnd → by agent', async () => {
    const a = await console_(s, bob);
    const { c: v } = await visitor(s, w.uuid);
    await presence(a, v, 'bob', 'online', 'online');
    v.send({ mt: 'ChatStart', dest: 'bob', dn: 'V' });
    const chat = (await v.next('ChatInfo')).chat;
    await a.next('ChatOffer');
    a.send({ mt: 'ChatAccept', chat });
    await v.next((m) => m.mt === 'ChatInfo' && m.state === 'accepted');
    v.send({ mt: 'ChatMessage', chat, cid: 'x1', text: '😀'.repeat(4000) });
    expect(await v.next((m) => m.mt === 'ChatAck' || m.mt === 'Error')).toMatchObject({ mt: 'ChatAck', cid: 'x1' });
    v.send({ mt: 'ChatMessage', chat, cid: 'x2', text: 'a'.repeat(4001) });
    expectError(await v.next((m) => m.mt === 'ChatAck' || m.mt === 'Error'), 'bad-request', 'ChatMessage');
    v.send({ mt: 'ChatMessage', chat, cid: 'x3', text: '    ' });
    expectError(await v.next((m) => m.mt === 'ChatAck' || m.mt === 'Error'), 'bad-request', 'ChatMessage');
    v.send({ mt: 'ChatMessage', chat, cid: 'x4', text: ' \n\t ' });
    expectError(await v.next((m) => m.mt === 'ChatAck' || m.mt === 'Error'), 'bad-request', 'ChatMessage');
    v.send({ mt: 'ChatMessage', chat, cid: 'x5', text: '' });
    expectError(await v.next((m) => m.mt === 'ChatAck' || m.mt === 'Error'), 'bad-request', 'ChatMessage');
    a.send({ mt: 'ChatEnd', chat });
    expect(await v.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'closed', by: 'agent' });
    expect(await a.next((m) => m.mt === 'ChatInfo' && m.state === 'closed')).toMatchObject({ chat, by: 'agent' });
    await presence(a, undefined, 'bob', 'offline', 'offline');
    await a.close();
    await v.close();
  });
});

describe('3 agent channel', () => {
  it('token, Bearer and cookie all work; Welcome has user and presence', async () => {
    const c1 = await WsClient.connect(`${s.wsUrl}/ws/agent?token=${ann.token}`);
    const w1 = await c1.next('Welcome');
    expect(w1).toMatchObject({ mt: 'Welcome', user: { id: ann.id, sipId: 'ann', dn: 'Ann' }, presence: expect.stringMatching(/^(online|away|busy|offline)$/) });
    const c2 = await WsClient.connect(`${s.wsUrl}/ws/agent`, { headers: { authorization: `Bearer ${ann.token}` } });
    await c2.next('Welcome');
    const c3 = await WsClient.connect(`${s.wsUrl}/ws/agent`, { headers: { cookie: ann.cookie, origin: s.url } });
    await c3.next('Welcome');
    await Promise.all([c1.close(), c2.close(), c3.close()]);
  });

  it('no or bad credentials → unauthorized + 1008; no agent role → forbidden + 1008', async () => {
    for (const url of [`${s.wsUrl}/ws/agent`, `${s.wsUrl}/ws/agent?token=wrong`]) {
      const c = await WsClient.connect(url);
      expectError(await nextError(c), 'unauthorized', null);
      expect((await c.closed).code).toBe(1008);
    }
    const r = await admin.post('/api/users', { username: 'plain', password: 'plain-password-1', displayName: 'Plain', roles: [] });
    expect(r.status, r.text).toBe(201);
    const p = await login(s.url, 'plain', 'plain-password-1');
    const c = await WsClient.connect(`${s.wsUrl}/ws/agent`, { headers: { cookie: p.cookie, origin: s.url } });
    expectError(await nextError(c), 'forbidden', null);
    expect((await c.closed).code).toBe(1008);
  });

  it('a console connecting does not change presence; the last value set by any source wins', async () => {
    const a = await console_(s, dora);
    const { c: v } = await visitor(s, w.uuid);
    const p = await ann.http.put('/api/presence/ann', { presence: 'busy' });
    expect(p.status, p.text).toBeLessThan(300);
    await v.next((m) => m.mt === 'Info' && m.id === 'ann' && m.presence === 'busy');
    const a1 = await console_(s, ann);
    const w1 = a1.received.find((m) => m.mt === 'Welcome')!;
    expect(w1.presence).toBe('busy');
    await presence(a1, v, 'ann', 'online', 'online');
    expect((await admin.put('/api/presence/ann', { presence: 'away' })).status).toBeLessThan(300);
    await v.next((m) => m.mt === 'Info' && m.id === 'ann' && m.presence === 'busy');
    expect((await admin.put('/api/presence/ann', { presence: 'offline' })).status).toBeLessThan(300);
    await v.next((m) => m.mt === 'Info' && m.id === 'ann' && m.presence === 'offline');
    await Promise.all([a.close(), a1.close(), v.close()]);
  });
});

describe('5 HTTP API', () => {
  it('collections are arrays; POST creates 201 with the object', async () => {
    for (const p of ['/api/users', '/api/groups', '/api/widgets', '/api/flags']) {
      const r = await admin.get(p);
      expect({ p, status: r.status, array: Array.isArray(r.body) }).toEqual({ p, status: 200, array: true });
    }
    const f = await admin.post('/api/flags', { name: 'Open' });
    expect(f.status).toBe(201);
    expect(f.body).toEqual({ id: expect.any(String), name: 'Open', scheduleId: null, value: false });
    const g = await admin.post('/api/groups', { name: 'G2', sipId: 'g2', members: [ann.id] });
    expect(g.status).toBe(201);
    expect(g.body).toMatchObject({ id: expect.any(String), name: 'G2', sipId: 'g2', members: [ann.id] });
    const u = await admin.post('/api/users', { username: 'zed', password: 'zed-password-1', displayName: 'Zed', sipId: 'zed', email: 'z@example.com', phone: '1', department: 'D', roles: ['agent'] });
    expect(u.status).toBe(201);
    expect(u.body).toMatchObject({ id: expect.any(String), username: 'zed', displayName: 'Zed', sipId: 'zed', email: 'z@example.com', phone: '1', department: 'D', roles: ['agent'] });
    expect(u.body).not.toHaveProperty('password');
    const wr = await admin.post('/api/widgets', { type: 'cards', name: 'X', agents: [] });
    expect(wr.status).toBe(201);
    expect(wr.body).toMatchObject({ uuid: expect.any(String), type: 'cards', name: 'X', agents: [] });
    const emb = await admin.get(`/api/widgets/${wr.body.uuid}/embed`);
    expect(emb.status).toBe(200);
    expect(emb.body.html).toContain(wr.body.uuid);
    const dir = await ann.http.get('/api/directory?q=ann');
    expect(dir.status).toBe(200);
    expect(Array.isArray(dir.body)).toBe(true);
  });

  it('unknown ids → 404 with {error,message}', async () => {
    for (const [m, p, b] of [
      ['GET', '/api/users/nope'],
      ['PATCH', '/api/users/nope', { displayName: 'x' }],
      ['DELETE', '/api/users/nope'],
      ['GET', '/api/groups/nope'],
      ['PATCH', '/api/groups/nope', { name: 'x' }],
      ['DELETE', '/api/groups/nope'],
      ['GET', '/api/widgets/nope'],
      ['PUT', '/api/widgets/nope', { type: 'sidebar', name: 'x', agents: [] }],
      ['DELETE', '/api/widgets/nope'],
      ['GET', '/api/widgets/nope/embed'],
      ['GET', '/api/widgets/nope/preview.html'],
      ['PUT', '/api/flags/nope', { value: true }],
      ['PUT', '/api/presence/nope', { presence: 'online' }],
    ] as [string, string, unknown?][]) {
      const r = await admin.req(m, p, b);
      expect({ m, p, status: r.status }).toEqual({ m, p, status: 404 });
      expect(r.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
  });

  it('presence API: admins and self; another agent 403; flags by admins only; a token has its user rights', async () => {
    expect((await bob.http.put('/api/presence/ann', { presence: 'online' })).status).toBe(403);
    const tokBob = new Http(s.url, { token: bob.token });
    const r403 = await tokBob.put('/api/presence/ann', { presence: 'online' });
    expect(r403.status).toBe(403);
    expect(r403.body).toMatchObject({ error: 'forbidden', message: expect.any(String) });
    expect((await tokBob.put('/api/presence/bob', { presence: 'offline' })).status).toBeLessThan(300);
    expect((await admin.put('/api/presence/bob', { presence: 'offline' })).status).toBeLessThan(300);
    expect((await tokBob.put('/api/presence/bob', { presence: 'dnd' })).status).toBe(400);
    const f = (await admin.post('/api/flags', { name: 'F' })).body;
    expect((await tokBob.put(`/api/flags/${f.id}`, { value: true })).status).toBe(403);
    expect((await bob.http.put(`/api/flags/${f.id}`, { value: true })).status).toBe(403);
    expect((await tokBob.post('/api/widgets', { type: 'sidebar', name: 'x', agents: [] })).status).toBe(403);
    const ok = await new Http(s.url, { token: (await admin.post('/api/tokens', { name: 'adm' })).body.token }).put(`/api/flags/${f.id}`, { value: true });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: f.id, value: true });
    expect((await new Http(s.url).get('/api/widgets')).status).toBe(401);
    expect((await new Http(s.url, { token: 'nope' }).get('/api/widgets')).status).toBe(401);
  });

  it('widget validation: unknown media, availability, missing flag, SVG, non-data, > 2 MiB → 400; nothing changes', async () => {
    const w2 = await mkWidget(admin, [ent('ann')]);
    const before = (await admin.get(`/api/widgets/${w2.uuid}`)).body;
    const svg = 'data:image/svg+xml;base64,' + Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64');
    const big = 'data:image/png;base64,' + Buffer.alloc(2 * 1024 * 1024 + 10, 1).toString('base64');
    for (const a of [
      ent('ann', { media: ['voice', 'fax'] }),
      ent('ann', { availability: 'sometimes' }),
      ent('ann', { availability: 'boolean', flag: 'no-such-flag' }),
      ent('ann', { picture: svg }),
      ent('ann', { picture: 'https://example.com/a.png' }),
      ent('ann', { picture: big }),
    ]) {
      const r = await admin.put(`/api/widgets/${w2.uuid}`, { type: 'sidebar', name: 'Changed', agents: [a] });
      expect({ a: JSON.stringify(a).slice(0, 120), status: r.status }).toEqual({ a: JSON.stringify(a).slice(0, 120), status: 400 });
      expect(r.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      const p = await admin.post('/api/widgets', { type: 'sidebar', name: 'New', agents: [a] });
      expect(p.status).toBe(400);
    }
    expect((await admin.get(`/api/widgets/${w2.uuid}`)).body).toEqual(before);
    expect((await admin.put(`/api/widgets/${w2.uuid}`, { type: 'nope', name: 'x', agents: [] })).status).toBe(400);
    expect((await admin.post('/api/flags', {})).status).toBe(400);
  });

  it('a widget whose agents each carry a picture under 2 MiB is accepted; strangers still cannot send big bodies', async () => {
    // ~1.9 MB of incompressible PNG-declared bytes would be refused as corrupt: use a real PNG made of noise.
    const sharp = (await import('sharp')).default;
    const png = await sharp({ create: { width: 900, height: 700, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    expect(png.length).toBeGreaterThan(1.5 * 1024 * 1024);
    expect(png.length).toBeLessThan(2 * 1024 * 1024);
    const pic = 'data:image/png;base64,' + png.toString('base64');
    const body = { type: 'sidebar', name: 'Photos', agents: [ent('ann', { picture: pic }), ent('bob', { picture: pic }), ent('eve', { picture: pic })] };
    const r = await admin.post('/api/widgets', body);
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    expect(r.body.agents.map((a: any) => a.picture.slice(0, 23))).toEqual(Array(3).fill('data:image/jpeg;base64,'));
    const put = await admin.put(`/api/widgets/${r.body.uuid}`, body);
    expect(put.status).toBe(200);
    expect((await new Http(s.url).post('/api/widgets', body)).status).toBe(401);
    expect((await bob.http.post('/api/widgets', body)).status).toBe(403);
  });

  it('boolean availability follows the flag live', async () => {
    const f = (await admin.post('/api/flags', { name: 'Hotline' })).body;
    const w2 = await mkWidget(admin, [ent('ann', { availability: 'boolean', flag: f.id })]);
    const { c: v, infos } = await visitor(s, w2.uuid);
    expect(infos[0]!.presence).toBe('offline');
    expect((await admin.put(`/api/flags/${f.id}`, { value: true })).status).toBe(200);
    await v.next((m) => m.mt === 'Info' && m.id === 'ann' && m.presence === 'online');
    await v.close();
  });

  it('openapi.json, /healthz, /readyz need no login; logout ends the session', async () => {
    const anon = new Http(s.url);
    const o = await anon.get('/api/openapi.json');
    expect(o.status).toBe(200);
    expect(o.body.paths).toEqual(expect.any(Object));
    expect((await anon.get('/healthz')).status).toBe(200);
    expect((await anon.get('/readyz')).status).toBe(200);
    const bad = await anon.post('/api/login', { username: 'admin', password: 'wrong-password' });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    const l = await login(s.url, s.adminUsername, s.adminPassword);
    expect((await l.http.get('/api/users')).status).toBe(200);
    expect((await l.http.post('/api/logout')).status).toBeLessThan(300);
    expect((await l.http.get('/api/users')).status).toBe(401);
  });
});

describe('6 running it', () => {
  it('serves /widget.js, /admin and /agent', async () => {
    for (const p of ['/widget.js', '/admin', '/agent']) {
      const r = await fetch(s.url + p);
      // 503 means the browser bundles were not built in this checkout.
      expect({ p, ok: r.status === 200 || r.status === 503 }).toEqual({ p, ok: true });
    }
  });
});

describe('8 ownership and edge cases', () => {
  it("another user's call → no-call; another visitor's or agent's chat → unknown-chat; agent echo carries cid", async () => {
    const a1 = await console_(s, ann);
    const a1b = await console_(s, ann);
    const b = await console_(s, bob);
    const { c: v } = await visitor(s, w.uuid);
    const { c: v2 } = await visitor(s, w.uuid);
    await presence(a1, v, 'ann', 'online', 'online');
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const inc = await a1.next('IncomingCall');
    for (const m of [{ mt: 'AcceptCall', call: inc.call, sdp: ANSWER }, { mt: 'RejectCall', call: inc.call }, { mt: 'ClearCall', call: inc.call }]) {
      b.send(m);
      expectError(await nextError(b), 'no-call', m.mt);
    }
    v.send({ mt: 'ClearCall' });
    await a1.next((m) => m.mt === 'CallInfo' && m.state === 'terminated');
    // chat of ann
    v.send({ mt: 'ChatStart', dest: 'ann', dn: 'V' });
    const chat = (await v.next('ChatInfo')).chat;
    await a1.next('ChatOffer');
    // bob was not offered it
    b.send({ mt: 'ChatAccept', chat });
    expectError(await nextError(b), 'unknown-chat', 'ChatAccept');
    a1.send({ mt: 'ChatAccept', chat });
    await v.next((m) => m.mt === 'ChatInfo' && m.state === 'accepted');
    for (const m of [{ mt: 'ChatMessage', chat, cid: 'z', text: 'hi' }, { mt: 'Typing', chat, typing: true }, { mt: 'ChatEnd', chat }]) {
      b.send(m);
      expectError(await nextError(b), 'unknown-chat', m.mt);
      v2.send(m);
      expectError(await nextError(v2), 'unknown-chat', m.mt);
    }
    a1.send({ mt: 'ChatMessage', chat, cid: 'own', text: 'from console one' });
    const ack = await a1.next('ChatAck');
    // the sender's other console gets the echo with cid
    const echo = await a1b.next((m) => m.mt === 'ChatMessage');
    expect(echo).toEqual({ mt: 'ChatMessage', chat, id: ack.id, from: 'agent', dn: 'Ann', text: 'from console one', ts: ack.ts, cid: 'own' });
    const vm = await v.next('ChatMessage');
    expect(vm).not.toHaveProperty('cid');
    // visitor's second socket of the same session sees the visitor's own echo with cid
    v.send({ mt: 'ChatMessage', chat, cid: 'vis', text: 'from the visitor' });
    const vack = await v.next('ChatAck');
    const am = await a1.next((m) => m.mt === 'ChatMessage');
    expect(am).toEqual({ mt: 'ChatMessage', chat, id: vack.id, from: 'visitor', dn: 'V', text: 'from the visitor', ts: vack.ts });
    v.send({ mt: 'ChatEnd', chat });
    await a1.next((m) => m.mt === 'ChatInfo' && m.state === 'closed');
    await presence(a1, undefined, 'ann', 'offline', 'offline');
    await Promise.all([a1.close(), a1b.close(), b.close(), v.close(), v2.close()]);
  });

  it('resume with a waiting chat → ChatHistory state waiting; a closed chat gives no history', async () => {
    const w2 = await mkWidget(admin, [ent('ann')]);
    const first = await visitor(s, w2.uuid);
    first.c.send({ mt: 'ChatStart', dest: 'ann', dn: 'V' });
    const chat = (await first.c.next('ChatInfo')).chat;
    first.c.send({ mt: 'ChatMessage', chat, cid: 'k', text: 'anyone?' });
    await first.c.next('ChatAck');
    await first.c.close();
    const again = await visitor(s, w2.uuid, { session: first.session.session });
    const hist = again.rest.find((m) => m.mt === 'ChatHistory') ?? (await again.c.next('ChatHistory'));
    expect(hist).toMatchObject({ mt: 'ChatHistory', chat, state: 'waiting', messages: [{ mt: 'ChatMessage', chat, from: 'visitor', dn: 'V', text: 'anyone?' }] });
    again.c.send({ mt: 'ChatEnd', chat });
    expect(await again.c.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'closed', by: 'visitor' });
    await again.c.close();
    const third = await visitor(s, w2.uuid, { session: first.session.session });
    await sync(third.c, 'ann');
    expect(third.c.received.filter((m) => m.mt === 'ChatHistory')).toEqual([]);
    await third.c.close();
  });

  it('video defaults to false; the console closing during a call ends it for the visitor', async () => {
    const a = await console_(s, ann);
    const { c: v } = await visitor(s, w.uuid);
    await presence(a, v, 'ann', 'online', 'online');
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const inc = await a.next('IncomingCall');
    expect(inc.video).toBe(false);
    a.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
    a.send({ mt: 'SetPresence', presence: 'offline' });
    await syncAgent(a);
    await a.close();
    const end = await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated');
    expect(['remote-hangup', 'error']).toContain(end.cause);
    await v.close();
  });

  it('group presence: online while a member is online and free, busy when every online member is in a call', async () => {
    const c1 = await console_(s, cara);
    const d1 = await console_(s, dora);
    const { c: v } = await visitor(s, w.uuid);
    const { c: v2 } = await visitor(s, w.uuid);
    await presence(c1, v, 'team', 'online', 'online');
    await presence(d1, v, 'team', 'online', 'online');
    v.send({ mt: 'CreateCall', dest: 'team', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const [ic] = await Promise.all([c1.next('IncomingCall'), d1.next('IncomingCall')]);
    c1.send({ mt: 'AcceptCall', call: ic.call, sdp: ANSWER });
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
    // dora is still free: the team stays online and a second caller rings dora alone
    v2.send({ mt: 'CreateCall', dest: 'team', dn: 'V2' });
    v2.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const id2 = await d1.next('IncomingCall');
    expect(c1.unread().filter((m) => m.mt === 'IncomingCall')).toEqual([]);
    d1.send({ mt: 'AcceptCall', call: id2.call, sdp: ANSWER });
    await v2.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
    await v2.next((m) => m.mt === 'Info' && m.id === 'team' && m.presence === 'busy');
    // a direct call to a user in a call → busy
    const { c: v3 } = await visitor(s, w.uuid);
    expect(v3.received.find((m) => m.mt === 'Info' && m.id === 'team')!.presence).toBe('busy');
    v3.send({ mt: 'CreateCall', dest: 'team', dn: 'V3' });
    expect(await v3.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'busy' });
    v.send({ mt: 'ClearCall' });
    await v2.next((m) => m.mt === 'Info' && m.id === 'team' && m.presence === 'online');
    v2.send({ mt: 'ClearCall' });
    await presence(c1, undefined, 'team', 'offline', 'offline');
    await presence(d1, v2, 'team', 'offline', 'offline');
    await Promise.all([c1.close(), d1.close(), v.close(), v2.close(), v3.close()]);
  });

  it("a user's new display name reaches open visitors (entries without their own name)", async () => {
    const w2 = await mkWidget(admin, [ent('eve')]);
    const { c: v, infos } = await visitor(s, w2.uuid);
    expect(infos[0]!.dn).toBe('Eve');
    expect((await admin.patch(`/api/users/${eve.id}`, { displayName: 'Eve Online' })).status).toBe(200);
    await v.next((m) => m.mt === 'Info' && m.id === 'eve' && m.dn === 'Eve Online', 2000);
    expect((await admin.patch(`/api/users/${eve.id}`, { displayName: 'Eve' })).status).toBe(200);
    await v.next((m) => m.mt === 'Info' && m.id === 'eve' && m.dn === 'Eve', 2000);
    await v.close();
  });

  it('edge cases: ClearCall before Channels, agent ClearCall while ringing, ChatEnd of a waiting chat, unknown fields', async () => {
    const a = await console_(s, ann);
    const { c: v } = await visitor(s, w.uuid);
    await presence(a, v, 'ann', 'online', 'online');
    v.send({ mt: 'GetPicture', id: 'ann', extra: { nested: true } });
    expect(await v.next('Picture')).toMatchObject({ id: 'ann' });
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V', video: false, foo: 1 });
    v.send({ mt: 'ClearCall' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated' });
    await syncAgent(a);
    expect(a.unread().filter((m) => m.mt === 'IncomingCall' || m.mt === 'CallInfo')).toEqual([]);
    // agent ClearCall while it rings: the console gets hangup, the visitor a cause
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const inc = await a.next('IncomingCall');
    a.send({ mt: 'ClearCall', call: inc.call });
    expect(await a.next('CallInfo')).toEqual({ mt: 'CallInfo', call: inc.call, state: 'terminated', cause: 'hangup' });
    const end = await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated');
    expect(['rejected', 'remote-hangup']).toContain(end.cause);
    // a waiting chat ended by the visitor disappears from the consoles
    v.send({ mt: 'ChatStart', dest: 'ann', dn: 'V' });
    const chat = (await v.next('ChatInfo')).chat;
    await a.next('ChatOffer');
    v.send({ mt: 'ChatEnd', chat });
    expect(await v.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'closed', by: 'visitor' });
    expect(await a.next('ChatInfo')).toMatchObject({ chat, state: 'closed', by: 'visitor' });
    a.send({ mt: 'ChatAccept', chat });
    expectError(await nextError(a), 'unknown-chat', 'ChatAccept');
    await presence(a, v, 'ann', 'offline', 'offline');
    await Promise.all([a.close(), v.close()]);
  });

  it('always with no console at all → unavailable', async () => {
    // A user who never had a console (others' consoles may still be closing from earlier tests).
    await mkUser(s, admin, 'nocon');
    const w2 = await mkWidget(admin, [ent('zoe-less', { availability: 'always' }), ent('nocon', { availability: 'always' })]);
    const { c: v } = await visitor(s, w2.uuid);
    v.send({ mt: 'CreateCall', dest: 'nocon', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    await v.close();
  });

  it('a compressed frame over 64 KiB after decompression closes 1009', async () => {
    const c = await WsClient.connect(`${s.wsUrl}/ws/widget`, { headers: { origin: 'https://x.example' }, perMessageDeflate: true });
    c.send(JSON.stringify({ mt: 'Nope', pad: 'a'.repeat(70 * 1024) }));
    expect((await c.closed).code).toBe(1009);
  });

  it('HTTP: tokens 201; rejected creates change nothing; unknown group member, bad flag value → 400; delete → 404', async () => {
    const t = await bob.http.post('/api/tokens', { name: 'x' });
    expect(t.status).toBe(201);
    const users = (await admin.get('/api/users')).body.length;
    const dup = await admin.post('/api/users', { username: 'bob', password: 'another-password', displayName: 'B2', roles: ['agent'] });
    expect(dup.status).toBeGreaterThanOrEqual(400);
    expect(dup.status).toBeLessThan(500);
    expect(dup.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    expect((await admin.get('/api/users')).body.length).toBe(users);
    const groups = (await admin.get('/api/groups')).body.length;
    const g = await admin.post('/api/groups', { name: 'Bad', sipId: 'badgroup', members: ['no-such-user'] });
    expect(g.status).toBe(400);
    expect((await admin.get('/api/groups')).body.length).toBe(groups);
    const f = (await admin.post('/api/flags', { name: 'V' })).body;
    expect((await admin.put(`/api/flags/${f.id}`, { value: 'yes' })).status).toBe(400);
    // PUT {} is a documented no-op (value and/or name may be sent).
    expect((await admin.get('/api/flags')).body.find((x: any) => x.id === f.id)).toEqual({ id: f.id, name: 'V', value: false, scheduleId: null });
    const u = await admin.post('/api/users', { username: 'temp', password: 'temp-password-1', displayName: 'Temp', roles: ['agent'] });
    expect((await admin.get(`/api/users/${u.body.id}`)).status).toBe(200);
    expect((await admin.del(`/api/users/${u.body.id}`)).status).toBeLessThan(300);
    expect((await admin.get(`/api/users/${u.body.id}`)).status).toBe(404);
    const dir = await admin.get('/api/directory?q=team');
    expect(dir.body.some((x: any) => x.sipId === 'team')).toBe(true);
    const prev = await admin.get(`/api/widgets/${w.uuid}/preview.html`);
    expect(prev.status).toBe(200);
    expect((await admin.put('/api/presence/ann', {})).status).toBe(400);
  });
});

describe('8 timers and presence (short timeouts)', () => {
  let t: TestServer;
  let tAdmin: Http;
  let amy: Agent;
  let tw: any;
  beforeAll(async () => {
    t = await startTestServer({ env: { RING_TIMEOUT_S: '1', PRESENCE_GRACE_S: '1', TURN_URLS: 'turn:turn.example.com', TURN_SECRET, TURN_TTL_S: '3', CHAT_WAIT_TIMEOUT_S: '1' } });
    tAdmin = (await login(t.url, t.adminUsername, t.adminPassword)).http;
    amy = await mkUser(t, tAdmin, 'amy');
    tw = await mkWidget(tAdmin, [ent('amy')]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an unanswered chat request closes by system', async () => {
    const { c: v } = await visitor(t, tw.uuid);
    v.send({ mt: 'ChatStart', dest: 'amy', dn: 'V' });
    const chat = (await v.next('ChatInfo')).chat;
    expect(await v.next((m) => m.mt === 'ChatInfo' && m.state === 'closed', 5000)).toEqual({ mt: 'ChatInfo', chat, state: 'closed', by: 'system' });
    await v.close();
  });

  it('an accepted chat survives a restart: acked messages come back, the console picks it up', async () => {
    const a = await console_(t, amy);
    const first = await visitor(t, tw.uuid);
    await presence(a, first.c, 'amy', 'online', 'online');
    first.c.send({ mt: 'ChatStart', dest: 'amy', dn: 'V' });
    const chat = (await first.c.next('ChatInfo')).chat;
    await a.next('ChatOffer');
    a.send({ mt: 'ChatAccept', chat });
    await first.c.next((m) => m.mt === 'ChatInfo' && m.state === 'accepted');
    first.c.send({ mt: 'ChatMessage', chat, cid: 'k', text: 'durable' });
    await first.c.next('ChatAck');
    await t.restart();
    const a2 = await console_(t, amy);
    const h = await a2.next('ChatHistory');
    expect(h).toMatchObject({ chat, state: 'accepted', messages: [{ mt: 'ChatMessage', text: 'durable' }] });
    const again = await visitor(t, tw.uuid, { session: first.session.session });
    const vh = again.rest.find((m) => m.mt === 'ChatHistory') ?? (await again.c.next('ChatHistory'));
    expect(vh).toMatchObject({ chat, state: 'accepted', messages: [{ mt: 'ChatMessage', text: 'durable' }] });
    again.c.send({ mt: 'ChatEnd', chat });
    await a2.next((m) => m.mt === 'ChatInfo' && m.state === 'closed');
    await presence(a2, undefined, 'amy', 'offline', 'offline');
    await Promise.all([a2.close(), again.c.close()]);
  });

  it('RING_TIMEOUT_S → no-answer on both sides', async () => {
    const a = await console_(t, amy);
    const { c: v } = await visitor(t, tw.uuid);
    await presence(a, v, 'amy', 'online', 'online');
    v.send({ mt: 'CreateCall', dest: 'amy', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const inc = await a.next('IncomingCall');
    expect(await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated', 5000)).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'no-answer' });
    expect(await a.next('CallInfo')).toEqual({ mt: 'CallInfo', call: inc.call, state: 'terminated', cause: 'no-answer' });
    await presence(a, v, 'amy', 'offline', 'offline');
    await a.close();
    await v.close();
  });

  it('IceConfig is sent again before the TURN credentials expire', async () => {
    const { c: v, ice } = await visitor(t, tw.uuid);
    const exp = Number(ice.iceServers.find((x: any) => x.username).username.split(':')[0]) * 1000;
    const again = await v.next('IceConfig', 6000);
    expect(Date.now()).toBeLessThan(exp);
    expect(again.iceServers.find((x: any) => x.username).username).not.toBe(ice.iceServers.find((x: any) => x.username).username);
    await v.close();
  });

  it('grace period: console presence falls to offline only after the last console leaves and the grace passes', async () => {
    const { c: v } = await visitor(t, tw.uuid);
    const a = await console_(t, amy);
    await presence(a, v, 'amy', 'online', 'online');
    const t0 = Date.now();
    await a.close();
    await v.next((m) => m.mt === 'Info' && m.id === 'amy' && m.presence === 'offline', 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    await v.close();
  });

  it('API presence persists across a restart; API online with no console → call ends unavailable', async () => {
    expect((await tAdmin.put('/api/presence/amy', { presence: 'online' })).status).toBeLessThan(300);
    await t.restart();
    const { c: v, infos } = await visitor(t, tw.uuid);
    expect(infos[0]).toMatchObject({ id: 'amy', presence: 'online' });
    v.send({ mt: 'CreateCall', dest: 'amy', dn: 'V' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    await v.close();
  });
});
