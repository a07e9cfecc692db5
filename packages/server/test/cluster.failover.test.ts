/**
 * Cluster mode when things break (spec 10): three real server processes
 * (OS processes, so kill -9 is real) behind HAProxy with the README's
 * configuration, on a private PostgreSQL and a private Redis that the test
 * restarts. Sockets go straight to a chosen process (the pinned ports) or
 * through the balancer, as a browser would after its process died.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { need, startCluster, WsClient, type Msg, type TestCluster } from '@cw/testkit';
import pg from 'pg';
import { Api } from './http-helpers.js';

const ok = await need('cluster-parts', 'cluster failover tests need root (a private PostgreSQL runs as the postgres user), redis-server and haproxy');

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n';
const ANSWER = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n';
const GRACE_S = 3;
const PASSWORD = 'cluster-Failover-2026-horizon';

interface Agent {
  sipId: string;
  cookie: string;
}

// Processes start slowly on a loaded machine (each compiles its TypeScript), and the tests wait out beats and grace periods.
describe.skipIf(!ok)('cluster mode: a process dies, Redis and PostgreSQL restart', { timeout: 300_000 }, () => {
  let cl: TestCluster;
  let admin: Api;
  let uuid: string;
  const agents: Record<string, Agent> = {};
  const sockets: WsClient[] = [];

  /** Signs a user in through the balancer and returns the session cookie. */
  async function signIn(username: string): Promise<string> {
    const r = await fetch(`${cl.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: username === 'admin' ? cl.adminPassword : PASSWORD }) });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
    return r.headers.get('set-cookie')!.split(';')[0]!;
  }

  /** A console of `sipId` on the process at `base` (http URL), set online. */
  async function console(base: string, sipId: string): Promise<WsClient> {
    const c = await WsClient.connect(`${base.replace(/^http/, 'ws')}/ws/agent`, { headers: { cookie: agents[sipId]!.cookie } });
    sockets.push(c);
    await c.next('Welcome', 15_000);
    c.send({ mt: 'SetPresence', presence: 'online' });
    await c.next((m) => m.mt === 'Presence' && m.presence === 'online', 15_000);
    return c;
  }

  /** A visitor on the process at `base`, started (optionally resuming a session); resolves after IceConfig. */
  async function visitor(base: string, session?: string): Promise<{ c: WsClient; session: string; loaded: Msg[] }> {
    const c = await WsClient.connect(`${base.replace(/^http/, 'ws')}/ws/widget`, { headers: { origin: 'http://localhost' } });
    sockets.push(c);
    c.send({ mt: 'Start', uuid, ...(session ? { session } : {}) });
    const s = await c.next('Session', 15_000);
    const loaded: Msg[] = [];
    for (;;) {
      const m = await c.next(() => true, 15_000);
      loaded.push(m);
      if (m.mt === 'IceConfig') break;
    }
    return { c, session: s.session, loaded };
  }

  beforeAll(async () => {
    cl = await startCluster({ env: { PRESENCE_GRACE_S: String(GRACE_S) } });
    admin = new Api(cl.url, { cookie: await signIn('admin') });
    for (const sipId of ['atlantis', 'columbia']) {
      const r = await admin.post('/api/users', { username: sipId, password: PASSWORD, displayName: sipId[0]!.toUpperCase() + sipId.slice(1), sipId, roles: ['agent'] });
      if (r.status !== 201) throw new Error(`create ${sipId}: ${r.status} ${r.text}`);
      agents[sipId] = { sipId, cookie: await signIn(sipId) };
    }
    const w = await admin.post('/api/widgets', {
      type: 'sidebar',
      name: 'Sales',
      lang: 'en',
      agents: ['atlantis', 'columbia'].map((sipId) => ({ sipId, media: ['voice', 'video', 'chat'], availability: 'presence' })),
    });
    if (w.status !== 201) throw new Error(`create widget: ${w.status} ${w.text}`);
    uuid = w.body.uuid;
  }, 400_000);

  // Each test starts without the consoles and visitors of the one before (an earlier console of the same agent would ring too).
  afterEach(async () => {
    await Promise.allSettled(sockets.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await Promise.allSettled(sockets.map((c) => c.close()));
    await cl?.close();
  }, 60_000);

  it('kill -9 of the visitor\'s process: the agent\'s call fails within 10 s and they are no longer busy; the visitor resumes through the balancer with its chat complete', async () => {
    const [p1, p2, p3] = cl.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0], TestCluster['nodes'][0]];
    const con = await console(p2.url, 'atlantis');
    const { c: v, session } = await visitor(p1.url);
    const { c: watcher } = await visitor(p3.url);

    // A chat with acked messages both ways.
    v.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Vera' });
    const chat = (await v.next('ChatInfo')).chat;
    con.send({ mt: 'ChatAccept', chat: (await con.next('ChatOffer', 15_000)).chat });
    await v.next((m) => m.mt === 'ChatInfo' && m.state === 'accepted', 15_000);
    v.send({ mt: 'ChatMessage', chat, cid: 'v1', text: 'acked before the crash' });
    const ack1 = await v.next('ChatAck', 15_000);
    con.send({ mt: 'ChatMessage', chat, cid: 'a1', text: 'agent before the crash' });
    await con.next('ChatAck', 15_000);
    await v.next((m) => m.mt === 'ChatMessage' && m.cid === undefined && m.text === 'agent before the crash', 15_000);

    // A connected call owned by p1.
    v.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Vera', video: false });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const inc = await con.next('IncomingCall', 15_000);
    con.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    await con.next((m) => m.mt === 'CallInfo' && m.state === 'connected', 15_000);
    await watcher.next((m) => m.mt === 'Info' && m.id === 'atlantis' && m.presence === 'busy', 15_000);

    await p1.kill();
    const killed = Date.now();
    expect(await con.next((m) => m.mt === 'CallInfo' && m.state === 'terminated', 15_000)).toEqual({ mt: 'CallInfo', call: inc.call, state: 'terminated', cause: 'failed' });
    expect(Date.now() - killed).toBeLessThan(10_000);
    expect(await con.next((m) => m.mt === 'Presence' && m.visible === 'online', 15_000)).toMatchObject({ presence: 'online' });
    expect(await watcher.next((m) => m.mt === 'Info' && m.id === 'atlantis', 15_000)).toMatchObject({ presence: 'online' });

    // The visitor comes back through the balancer (p1 is down: another process) and resumes.
    const back = await visitor(cl.url, session);
    expect(back.session).toBe(session);
    const history = await back.c.next('ChatHistory', 15_000);
    expect(history).toMatchObject({ chat, state: 'accepted' });
    expect(history.messages.map((m: Msg) => m.text)).toEqual(['acked before the crash', 'agent before the crash']);
    // What the widget resends (the same cid) is acked with the first id and stored once.
    back.c.send({ mt: 'ChatMessage', chat, cid: 'v1', text: 'acked before the crash' });
    expect(await back.c.next('ChatAck', 15_000)).toMatchObject({ cid: 'v1', id: ack1.id });
    back.c.send({ mt: 'ChatMessage', chat, cid: 'v2', text: 'after the crash' });
    await back.c.next((m) => m.mt === 'ChatAck' && m.cid === 'v2', 15_000);
    expect(await con.next((m) => m.mt === 'ChatMessage' && m.text === 'after the crash', 15_000)).toMatchObject({ from: 'visitor' });
    back.c.send({ mt: 'ChatEnd', chat });
    await con.next((m) => m.mt === 'ChatInfo' && m.state === 'closed', 15_000);
    await p1.start();
  });

  it("kill -9 of the console's process: the visitor's call fails within 10 s; the agent falls offline after the grace period", async () => {
    const [, p2, p3] = cl.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0], TestCluster['nodes'][0]];
    const con = await console(p3.url, 'columbia');
    const { c: v, loaded } = await visitor(p2.url);
    if (!loaded.some((m) => m.mt === 'Info' && m.id === 'columbia' && m.presence === 'online')) await v.next((m) => m.mt === 'Info' && m.id === 'columbia' && m.presence === 'online', 15_000);
    v.send({ mt: 'CreateCall', dest: 'columbia', dn: 'Walt', video: false });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const inc = await con.next('IncomingCall', 15_000);
    con.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected', 15_000);

    await p3.kill();
    const killed = Date.now();
    expect(await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated', 15_000)).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'failed' });
    expect(Date.now() - killed).toBeLessThan(10_000);
    // No console of columbia came back: offline once the grace period after the death is over.
    expect(await v.next((m) => m.mt === 'Info' && m.id === 'columbia' && m.presence === 'offline', 30_000)).toBeTruthy();
    expect(Date.now() - killed).toBeGreaterThanOrEqual(GRACE_S * 1000);
    await p3.start();
  });

  it('Redis restarts: not ready meanwhile (503), nothing crashes, and the processes re-subscribe, re-register and catch their sockets up by themselves', async () => {
    const [p1, p2, p3] = cl.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0], TestCluster['nodes'][0]];
    const con = await console(p2.url, 'atlantis');
    const { c: v } = await visitor(p1.url);
    v.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Rita' });
    const chat = (await v.next('ChatInfo')).chat;
    con.send({ mt: 'ChatAccept', chat: (await con.next('ChatOffer', 15_000)).chat });
    await v.next((m) => m.mt === 'ChatInfo' && m.state === 'accepted', 15_000);
    // The accept's own history (empty): read, so that the catch-up's is the next one.
    await con.next((m) => m.mt === 'ChatHistory' && m.chat === chat, 15_000);

    await cl.redis.stop();
    for (const n of cl.nodes) await expect.poll(async () => (await fetch(`${n.url}/readyz`)).status, { timeout: 15_000 }).toBe(503);
    const r = await fetch(`${p3.url}/readyz`);
    expect((await r.json()).message).toMatch(/Redis/);
    // Changes are refused with a clear error while Redis is away (they could not reach the other processes).
    const put = await new Api(p3.url, { cookie: admin.auth.cookie! }).put('/api/presence/columbia', { presence: 'online' });
    expect(put.status).toBe(503);
    expect(put.body).toMatchObject({ error: 'unavailable' });
    expect(put.body.message).toMatch(/Redis/);
    // A chat message is stored and acked (PostgreSQL is up); its relay to p2 is lost with Redis…
    v.send({ mt: 'ChatMessage', chat, cid: 'during', text: 'while Redis was away' });
    await v.next((m) => m.mt === 'ChatAck' && m.cid === 'during', 15_000);

    await cl.redis.start();
    for (const n of cl.nodes) await expect.poll(async () => (await fetch(`${n.url}/readyz`)).status, { timeout: 30_000 }).toBe(200);
    // …and the console catches up: its chat's history comes again with the message.
    const caught = await con.next((m) => m.mt === 'ChatHistory' && m.chat === chat, 30_000);
    expect(caught.messages.map((m: Msg) => m.text)).toContain('while Redis was away');
    // Relays work again (subscriptions are back), both ways.
    v.send({ mt: 'ChatMessage', chat, cid: 'after', text: 'after Redis came back' });
    expect(await con.next((m) => m.mt === 'ChatMessage' && m.text === 'after Redis came back', 15_000)).toBeTruthy();
    // The registry was written again: a call from p3 rings the console on p2.
    const { c: caller } = await visitor(p3.url);
    caller.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Ring', video: false });
    caller.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const inc = await con.next('IncomingCall', 15_000);
    con.send({ mt: 'RejectCall', call: inc.call });
    expect(await caller.next((m) => m.mt === 'CallInfo' && m.state === 'terminated', 15_000)).toMatchObject({ cause: 'rejected' });
    for (const n of cl.nodes) expect(n.running).toBe(true);
    v.send({ mt: 'ChatEnd', chat });
    await con.next((m) => m.mt === 'ChatInfo' && m.state === 'closed', 15_000);
  });

  it('PostgreSQL restarts: not ready meanwhile, a message is refused as unavailable (not acked), and is stored once when resent after it is back', async () => {
    const [p1, p2] = cl.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0]];
    const con = await console(p2.url, 'atlantis');
    const { c: v } = await visitor(p1.url);
    v.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Paula' });
    const chat = (await v.next('ChatInfo')).chat;
    con.send({ mt: 'ChatAccept', chat: (await con.next('ChatOffer', 15_000)).chat });
    await v.next((m) => m.mt === 'ChatInfo' && m.state === 'accepted', 15_000);

    await cl.pg.stop();
    for (const n of cl.nodes) await expect.poll(async () => (await fetch(`${n.url}/readyz`)).status, { timeout: 20_000 }).toBe(503);
    v.send({ mt: 'ChatMessage', chat, cid: 'pg1', text: 'while PostgreSQL was away' });
    expect(await v.next((m) => m.mt === 'Error' || m.mt === 'ChatAck', 20_000)).toMatchObject({ mt: 'Error', code: 'unavailable', ref: 'ChatMessage' });
    const api = await new Api(p1.url, { cookie: admin.auth.cookie! }).get('/api/users');
    expect(api.status).toBe(503);

    await cl.pg.start();
    for (const n of cl.nodes) await expect.poll(async () => (await fetch(`${n.url}/readyz`)).status, { timeout: 30_000 }).toBe(200);
    // The visitor is caught up (its history comes again) and, like the widget, resends what was not acked.
    await v.next((m) => m.mt === 'ChatHistory' && m.chat === chat, 30_000);
    v.send({ mt: 'ChatMessage', chat, cid: 'pg1', text: 'while PostgreSQL was away' });
    const ack = await v.next((m) => m.mt === 'ChatAck' && m.cid === 'pg1', 15_000);
    expect(await con.next((m) => m.mt === 'ChatMessage' && m.text === 'while PostgreSQL was away', 15_000)).toMatchObject({ id: ack.id });
    v.send({ mt: 'ChatMessage', chat, cid: 'pg1', text: 'while PostgreSQL was away' });
    expect(await v.next((m) => m.mt === 'ChatAck' && m.cid === 'pg1', 15_000)).toMatchObject({ id: ack.id });
    const db = new pg.Client({ connectionString: cl.pg.url });
    await db.connect();
    const rows = await db.query('select count(*)::int as n from chat_messages where chat_id = $1 and cid = $2', [chat, 'pg1']);
    await db.end();
    expect(rows.rows[0].n).toBe(1);
    for (const n of cl.nodes) expect(n.running).toBe(true);
  });
});
