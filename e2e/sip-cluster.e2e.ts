/**
 * The phone system in cluster mode (issue 12, spec 9 + 10): two real server
 * processes (OS processes, so kill -9 is real) on a private PostgreSQL and
 * Redis behind HAProxy, a real Kamailio and a baresip phone. Only the process
 * holding the lease `phone-system` registers and subscribes; the other shows
 * the holder's status, hears the phones' presence through Redis and makes its
 * own calls in standby; a chat by SIP MESSAGE from a visitor on the standby
 * process runs through the holder. kill -9 of the holder: the other registers within
 * seconds and the phones' presence keeps reaching the widgets.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { need, Phone, startCluster, startKamailio, WsClient, type ClusterNode, type Kamailio, type Msg, type TestCluster } from '@cw/testkit';

const ok =
  (await need('netns', 'the SIP tests bind fixed ports')) &&
  (await need('sip', 'apt-get install kamailio kamailio-presence-modules kamailio-websocket-modules baresip-core sip-tester rtpengine-daemon')) &&
  (await need('cluster-parts', 'cluster tests need root (a private PostgreSQL runs as the postgres user), redis-server and haproxy'));

const OFFER = ['v=0', 'o=- 4242 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 41000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
const HOLDS = 'this process now holds the phone-system registration';
const REGISTERED = 'registered at the phone system';

/** Lines of a process's (pino JSON) log after `from` characters whose msg is `msg`. */
function logged(n: ClusterNode, msg: string, from = 0): number {
  const text = fs.existsSync(n.log) ? fs.readFileSync(n.log, 'utf8').slice(from) : '';
  return text.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
}
function logSize(n: ClusterNode): number {
  return fs.existsSync(n.log) ? fs.statSync(n.log).size : 0;
}

/** Resolves when `fn` is true (a process log line or an API answer, looked at every 100 ms). */
async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!ok)('phone system in a cluster: one registration at a time, taken over when its process dies', { timeout: 300_000 }, () => {
  let pbx: Kamailio;
  let phone: Phone;
  let cl: TestCluster;
  let cookie = '';
  let uuid = '';
  const sockets: WsClient[] = [];

  const api = async (base: string, method: string, path: string, body?: unknown): Promise<any> => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { cookie, origin: base, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };

  /** A visitor on the process at `base`; resolves with the socket once loaded. */
  async function visitor(base: string): Promise<{ c: WsClient; loaded: Msg[] }> {
    const c = await WsClient.connect(`${base.replace(/^http/, 'ws')}/ws/widget`, { headers: { origin: 'http://localhost' } });
    sockets.push(c);
    c.send({ mt: 'Start', uuid });
    await c.next('Session', 15_000);
    const loaded: Msg[] = [];
    for (;;) {
      const m = await c.next(() => true, 15_000);
      loaded.push(m);
      if (m.mt === 'IceConfig') break;
    }
    return { c, loaded };
  }

  beforeAll(async () => {
    pbx = await startKamailio();
    phone = new Phone({ user: 'agent', sipPort: 5077, ctrlPort: 4447, media: 'plain', publish: true, contacts: ['sip:widgets@127.0.0.1'] });
    await phone.start();
    cl = await startCluster({ nodes: 2 });
    const login = await fetch(`${cl.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: cl.adminUsername, password: cl.adminPassword }) });
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    await api(cl.url, 'POST', '/api/users', { username: 'agent', password: 'agent-Cluster-2026-horizon', displayName: 'Desk Agent', sipId: 'agent', roles: ['agent'], reach: 'phone' });
    const w = await api(cl.url, 'POST', '/api/widgets', { type: 'sidebar', name: 'Sales', lang: 'en', agents: [{ sipId: 'agent', media: ['voice', 'chat'], availability: 'presence' }] });
    uuid = w.uuid;
  }, 400_000);

  afterAll(async () => {
    await Promise.allSettled(sockets.map((c) => c.close()));
    await cl?.close();
    if (phone) (await phone.stop(), phone.cleanup());
    await pbx?.stop();
  }, 60_000);

  it('one process registers and watches; kill -9 of it: the other registers within seconds, presence and calls go on', async () => {
    try {
      await scenario();
    } catch (err) {
      // What the processes said, for a failing run.
      const tails = cl.nodes.map((n) => `--- ${n.name}\n${fs.existsSync(n.log) ? fs.readFileSync(n.log, 'utf8').slice(-6000) : ''}`).join('\n');
      throw new Error(`${(err as Error).message}\n${tails}\n--- kamailio\n${pbx.proc.output.slice(-3000)}`, { cause: err });
    }
  });

  async function scenario(): Promise<void> {
    const [p1, p2] = cl.nodes as [ClusterNode, ClusterNode];
    await api(cl.url, 'PUT', '/api/phone-system', {
      enabled: true,
      registrar: 'sip:127.0.0.1:5060;transport=tcp',
      domain: '127.0.0.1',
      username: 'widgets',
      password: 'widgets-secret',
      registerIntervalS: 30,
    });
    // Both processes show the installation's status: registered (the holder's, shared through Redis).
    for (const n of [p1, p2]) await until(`${n.name} shows registered`, async () => (await api(n.url, 'GET', '/api/phone-system')).status.state === 'registered');
    await until('a holder', () => logged(p1, HOLDS) + logged(p2, HOLDS) === 1);
    const [holder, other] = logged(p1, HOLDS) === 1 ? [p1, p2] : [p2, p1];
    expect(logged(holder, REGISTERED)).toBeGreaterThanOrEqual(1);
    expect(logged(other, REGISTERED)).toBe(0);

    // A visitor on the process that does not hold the registration sees the phone's presence from the PBX.
    const { c: v, loaded } = await visitor(other.url);
    const info = (p: string) => (m: Msg) => m.mt === 'Info' && m.id === 'agent' && m.presence === p;
    if (!loaded.some(info('online'))) await v.next(info('online'), 15_000);
    await phone.command('presence_offline');
    await v.next(info('offline'), 15_000);
    await phone.command('presence_online');
    await v.next(info('online'), 15_000);

    // The standby process makes its own calls: the visitor's call rings the phone, which answers.
    const mark = phone.mark();
    v.send({ mt: 'CreateCall', dest: 'agent', dn: 'Vera', video: false });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected', 15_000);
    await phone.waitEvent((e) => e.type === 'CALL_ESTABLISHED', mark);
    v.send({ mt: 'ClearCall' });
    await phone.waitEvent((e) => e.type === 'CALL_CLOSED', mark);
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated', 15_000);

    // A chat by SIP MESSAGE from the standby process: the holder sends it and gets the phone's reply, which reaches the visitor.
    const pm = phone.proc.mark();
    v.send({ mt: 'ChatStart', dest: 'agent', dn: 'Vera' });
    const chat = (await v.next('ChatInfo', 15_000)).chat;
    await phone.proc.waitFor(/\[#\d+\] Vera wants to chat \(Sales\)\. Reply to accept\./, pm);
    v.send({ mt: 'ChatMessage', chat, cid: 'c1', text: 'Do you ship to Canada?' });
    await v.next((m) => m.mt === 'ChatAck' && m.cid === 'c1', 15_000);
    await phone.proc.waitFor(/\[#\d+\] Vera: Do you ship to Canada\?/, pm);
    expect((await phone.command('message', 'Yes, we ship to Canada.')).ok).toBe(true);
    await v.next((m) => m.mt === 'ChatInfo' && m.chat === chat && m.state === 'accepted', 15_000);
    expect(await v.next((m) => m.mt === 'ChatMessage' && m.chat === chat && m.from !== 'visitor', 15_000)).toMatchObject({ text: 'Yes, we ship to Canada.' });
    v.send({ mt: 'ChatEnd', chat });
    await phone.proc.waitFor(/Vera left the chat\./, pm);

    // kill -9 of the holder: the other takes the lease (ttl 5 s) and registers.
    const from = logSize(other);
    await holder.kill();
    const killed = Date.now();
    await until('the survivor registers', () => logged(other, HOLDS, from) === 1 && logged(other, REGISTERED, from) >= 1, 20_000);
    const tookOver = Date.now() - killed;
    console.log(`phone-system take-over after kill -9 of the holder: ${tookOver} ms`);
    expect(tookOver).toBeLessThan(10_000);
    const st = (await api(other.url, 'GET', '/api/phone-system')).status;
    expect(st).toMatchObject({ state: 'registered', reason: '' });
    expect(st.since).toBeGreaterThanOrEqual(killed);

    // Its subscriptions now carry the phone's presence.
    await phone.command('presence_offline');
    await v.next(info('offline'), 15_000);
    await phone.command('presence_online');
    await v.next(info('online'), 15_000);

    // The killed process comes back in standby: it shows the holder's status and hears presence, but does not register.
    const back = logSize(holder);
    await holder.start();
    const { c: v2 } = await visitor(holder.url);
    await phone.command('presence_offline');
    await v2.next(info('offline'), 15_000);
    await v.next(info('offline'), 15_000);
    expect((await api(holder.url, 'GET', '/api/phone-system')).status.state).toBe('registered');
    expect(logged(holder, HOLDS, back)).toBe(0);
    expect(logged(holder, REGISTERED, back)).toBe(0);
    await phone.command('presence_online');
  }
});
