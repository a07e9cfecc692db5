/**
 * Cluster mode (spec 10): every flow of sections 2–5 works whichever process
 * holds each socket. Three server processes (in this test process, each a
 * whole startServer() with its own node id) on real Redis and PostgreSQL;
 * visitor and agents on different processes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { need, type TestServer, type WsClient } from '@cw/testkit';
import { agent, entry, makeCrew, makeUser, makeWidget, online, setPresence, visitor, type AgentUser } from './protocol-fixtures.js';
import { startInProcessCluster, type InProcessCluster } from './cluster-fixtures.js';
import { Api } from './http-helpers.js';
import type { WidgetRecord } from '../src/storage/types.js';

const ok = (await need('redis', 'cluster mode')) && (await need('postgres', 'cluster mode'));

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n';
const ANSWER = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n';
const GRACE_S = 3;

describe.skipIf(!ok)('cluster mode: three processes', () => {
  let cl: InProcessCluster;
  let A: TestServer;
  let B: TestServer;
  let C: TestServer;
  let atlantis: AgentUser;
  let columbia: AgentUser;
  let endeavour: AgentUser;
  let boss: AgentUser;
  let w: WidgetRecord;
  const open: WsClient[] = [];
  const keep = <T extends WsClient>(c: T): T => (open.push(c), c);
  /** Every crew member offline on every process (a test's consoles from before have gone and their grace periods ended). */
  const allOffline = () =>
    expect
      .poll(() => cl.nodes.every((n) => [atlantis, columbia, endeavour].every((u) => n.app.realtime.presence.visible(u.user.id) === 'offline')), { timeout: 15_000 })
      .toBe(true);
  /** The node id of a process. */
  const node = (s: TestServer) => s.app.deps.cluster!.node;

  beforeAll(async () => {
    cl = await startInProcessCluster(3, { PRESENCE_GRACE_S: String(GRACE_S), LOGIN_MAX_PER_USER: '4' });
    [A, B, C] = cl.nodes as [TestServer, TestServer, TestServer];
    ({ atlantis, columbia, endeavour } = await makeCrew(A));
    boss = await makeUser(A, { sipId: 'boss', roles: ['admin', 'agent'] });
    await A.storage.flags.create({ name: 'Hotline', value: false });
    const flag = (await A.storage.flags.list())[0]!;
    w = await makeWidget(A, [entry('atlantis'), entry('team'), entry('endeavour'), entry('hotline', { availability: 'boolean', flag: flag.id })]);
  }, 120_000);
  // Each test stands alone: its sockets close after it, even when it failed half-way.
  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await cl?.close();
  });

  it('runs three members of one cluster', () => {
    const nodes = cl.nodes.map((n) => n.app.deps.cluster!.node);
    expect(new Set(nodes).size).toBe(3);
    for (const n of cl.nodes) expect(n.config.cluster).toBe(true);
  });

  it('a call from a visitor on A rings consoles on B and C; the first accept wins, the other hears answered-elsewhere; busy everywhere', async () => {
    const onB = keep(await online(B, atlantis));
    const onC = keep((await agent(C, atlantis.token)).c);
    const { c: v } = await visitor(A, w.uuid);
    keep(v);
    const { c: watcherB } = await visitor(B, w.uuid);
    keep(watcherB);
    v.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Mein Name', video: true });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const [incB, incC] = await Promise.all([onB.next('IncomingCall'), onC.next('IncomingCall')]);
    expect(incB).toMatchObject({ from: { dn: 'Mein Name' }, widget: { uuid: w.uuid }, video: true, sdp: OFFER });
    expect(incC.call).toBe(incB.call);
    // The call id names its owner, the visitor's process.
    expect(incB.call.startsWith(`${A.app.deps.cluster!.node}.`)).toBe(true);
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'alerting' });

    onC.send({ mt: 'AcceptCall', call: incC.call, sdp: ANSWER });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'connected', cmd: 'SELECT', sdp: ANSWER });
    expect(await onC.next('CallInfo')).toEqual({ mt: 'CallInfo', call: incC.call, state: 'connected' });
    expect(await onB.next('CallInfo')).toEqual({ mt: 'CallInfo', call: incB.call, state: 'terminated', cause: 'answered-elsewhere' });
    // Busy to visitors on every process and to the agent's consoles.
    expect(await v.next((m) => m.mt === 'Info' && m.id === 'atlantis')).toMatchObject({ presence: 'busy' });
    expect(await watcherB.next((m) => m.mt === 'Info' && m.id === 'atlantis')).toMatchObject({ presence: 'busy' });
    expect(await onB.next('Presence')).toMatchObject({ presence: 'online', visible: 'busy' });

    // The loser's late accept is refused by the owner and the refusal comes back to it.
    onB.send({ mt: 'AcceptCall', call: incB.call, sdp: ANSWER });
    expect(await onB.next('Error')).toMatchObject({ code: 'no-call', ref: 'AcceptCall' });

    // Hang up from the console on C (the owner is A).
    onC.send({ mt: 'ClearCall', call: incC.call });
    expect(await onC.next('CallInfo')).toEqual({ mt: 'CallInfo', call: incC.call, state: 'terminated', cause: 'hangup' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'remote-hangup' });
    expect(await watcherB.next((m) => m.mt === 'Info' && m.id === 'atlantis')).toMatchObject({ presence: 'online' });
    expect(await onB.next('Presence')).toMatchObject({ presence: 'online', visible: 'online' });
    expect(A.app.realtime.presence.inCall(atlantis.user.id) || B.app.realtime.presence.inCall(atlantis.user.id) || C.app.realtime.presence.inCall(atlantis.user.id)).toBe(false);
    await Promise.all([onB.close(), onC.close(), v.close(), watcherB.close()]);
  });

  it('a decline on one process and a console leaving on another: the visitor hears rejected only when none rings', async () => {
    const onB = keep(await online(B, atlantis));
    const onC = keep((await agent(C, atlantis.token)).c);
    const { c: v } = await visitor(A, w.uuid);
    keep(v);
    v.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Caller', video: false });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const [incB] = await Promise.all([onB.next('IncomingCall'), onC.next('IncomingCall')]);
    await v.next('CallInfo');
    const onCid = (await A.app.realtime.presence.consoleRefs(atlantis.user.id)).find((r) => r.node === node(C))!.id;
    expect(A.app.realtime.calls.callsOfConsole(onCid)).toEqual([incB.call]);
    // The console on C goes away: it stops ringing (announced to the owner, A); B still rings.
    await onC.close();
    await expect.poll(() => A.app.realtime.calls.callsOfConsole(onCid)).toEqual([]);
    onB.send({ mt: 'RejectCall', call: incB.call });
    expect(await onB.next('CallInfo')).toMatchObject({ call: incB.call, state: 'terminated', cause: 'rejected' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'rejected' });
    await Promise.all([onB.close(), v.close()]);
  });

  it('chats across processes: offer on B and C, accept on B, taken on C, messages, typing, acks and end', async () => {
    const onB = keep(await online(B, atlantis));
    const onC = keep((await agent(C, atlantis.token)).c);
    const { c: v } = await visitor(A, w.uuid);
    keep(v);
    v.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Vera', email: 'vera@example.com' });
    const chat = (await v.next('ChatInfo')).chat;
    v.send({ mt: 'ChatMessage', chat, cid: 'v0', text: 'before the accept' });
    await v.next('ChatAck');
    await Promise.all([onB.next('ChatOffer'), onC.next('ChatOffer')]);
    onB.send({ mt: 'ChatAccept', chat });
    expect(await onB.next('ChatInfo')).toMatchObject({ chat, state: 'accepted', agent: 'atlantis' });
    expect((await onB.next('ChatHistory')).messages.map((m: { text: string }) => m.text)).toEqual(['before the accept']);
    expect(await onC.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'taken' });
    expect(await v.next('ChatInfo')).toMatchObject({ chat, state: 'accepted', agent: 'atlantis' });

    v.send({ mt: 'ChatMessage', chat, cid: 'v1', text: 'Hello from A' });
    const ack = await v.next('ChatAck');
    expect(await onB.next('ChatMessage')).toMatchObject({ chat, id: ack.id, from: 'visitor', text: 'Hello from A' });
    // The user's other console (C) follows the chat too.
    expect(await onC.next('ChatMessage')).toMatchObject({ id: ack.id });
    onB.send({ mt: 'Typing', chat, typing: true });
    expect(await v.next('Typing')).toEqual({ mt: 'Typing', chat, typing: true });
    v.send({ mt: 'Typing', chat, typing: true });
    expect(await onB.next('Typing')).toEqual({ mt: 'Typing', chat, typing: true });
    onB.send({ mt: 'ChatMessage', chat, cid: 'a1', text: 'Hi from B' });
    const agentAck = await onB.next('ChatAck');
    expect(await v.next('ChatMessage')).toMatchObject({ id: agentAck.id, from: 'agent', text: 'Hi from B' });
    expect(await onC.next((m) => m.mt === 'ChatMessage' && m.id === agentAck.id)).toMatchObject({ cid: 'a1' });
    // A retry is acked again and relayed nowhere.
    v.send({ mt: 'ChatMessage', chat, cid: 'v1', text: 'Hello from A' });
    expect((await v.exactly('ChatAck'))[0]).toMatchObject({ id: ack.id });
    v.send({ mt: 'ChatEnd', chat });
    await v.exactly({ mt: 'ChatInfo', chat, state: 'closed', by: 'visitor' });
    await onB.exactly({ mt: 'ChatInfo', chat, state: 'closed', by: 'visitor' });
    expect((await A.storage.chats.listMessages(chat)).map((m) => m.text)).toEqual(['before the accept', 'Hello from A', 'Hi from B']);
    await Promise.all([onB.close(), onC.close(), v.close()]);
  });

  it('a chat to a group is offered to its online members on other processes; the first accept wins', async () => {
    const col = keep(await online(B, columbia));
    const end = keep(await online(C, endeavour));
    const { c: v } = await visitor(A, w.uuid);
    keep(v);
    v.send({ mt: 'ChatStart', dest: 'team', dn: 'Group Visitor' });
    const chat = (await v.next('ChatInfo')).chat;
    await Promise.all([col.next('ChatOffer'), end.next('ChatOffer')]);
    end.send({ mt: 'ChatAccept', chat });
    col.send({ mt: 'ChatAccept', chat });
    // Two processes race for it: storage decides (compare-and-set), so exactly one wins, either one.
    const [e, c] = await Promise.all([end.next('ChatInfo'), col.next('ChatInfo')]);
    const outcome = [e.state, c.state].sort();
    expect(outcome).toEqual(['accepted', 'taken']);
    const winner = e.state === 'accepted' ? end : col;
    expect((e.state === 'accepted' ? e : c).agent).toBe(e.state === 'accepted' ? 'endeavour' : 'columbia');
    expect(await v.next('ChatInfo')).toMatchObject({ chat, state: 'accepted' });
    v.send({ mt: 'ChatEnd', chat });
    await winner.next((m) => m.mt === 'ChatInfo' && m.state === 'closed');
    await Promise.all([col.close(), end.close(), v.close()]);
  });

  it('presence from a console on C, from the API on B, a flag on A and an admin save on C reach visitors on every process', async () => {
    await allOffline();
    const { c: vA } = await visitor(A, w.uuid);
    const { c: vB } = await visitor(B, w.uuid);
    keep(vA);
    keep(vB);
    const con = keep((await agent(C, columbia.token)).c);
    await setPresence(con, 'online');
    // columbia online → the group "team" is online on both processes' widgets.
    for (const v of [vA, vB]) expect(await v.next((m) => m.mt === 'Info' && m.id === 'team')).toMatchObject({ presence: 'online' });

    const apiB = new Api(B.url, { token: boss.token });
    expect((await apiB.put('/api/presence/atlantis', { presence: 'away' })).status).toBe(200);
    for (const v of [vA, vB]) expect(await v.next((m) => m.mt === 'Info' && m.id === 'atlantis')).toMatchObject({ presence: 'busy' });
    expect(C.app.realtime.presence.presence(atlantis.user.id)).toBe('away');

    const apiA = new Api(A.url, { token: boss.token });
    const flag = (await apiA.get('/api/flags')).body[0];
    expect((await apiA.put(`/api/flags/${flag.id}`, { value: true })).status).toBe(200);
    for (const v of [vA, vB]) expect(await v.next((m) => m.mt === 'Info' && m.id === 'hotline')).toMatchObject({ presence: 'online' });

    const apiC = new Api(C.url, { token: boss.token });
    const cur = (await apiC.get(`/api/widgets/${w.uuid}`)).body;
    const t0 = Date.now();
    expect((await apiC.put(`/api/widgets/${w.uuid}`, { ...stripRead(cur), name: 'Sales (renamed on C)' })).status).toBe(200);
    for (const v of [vA, vB]) expect(await v.next('Session', 1000)).toMatchObject({ name: 'Sales (renamed on C)' });
    expect(Date.now() - t0).toBeLessThan(1000 + 500);
    await Promise.all([vA.close(), vB.close(), con.close()]);
    expect((await apiB.put('/api/presence/atlantis', { presence: 'offline' })).status).toBe(200);
  });

  it("a user's presence falls to offline once their last console anywhere is gone, after the grace period", async () => {
    await allOffline();
    const { c: v } = await visitor(A, w.uuid);
    keep(v);
    const onB = keep(await online(B, endeavour));
    const onC = keep((await agent(C, endeavour.token)).c);
    expect(await v.next((m) => m.mt === 'Info' && m.id === 'endeavour')).toMatchObject({ presence: 'online' });
    const graceKey = `${cl.prefix}grace:${endeavour.user.id}`;
    const redis = A.app.deps.cluster!.redis;
    await expect.poll(async () => (await A.app.realtime.presence.consoleRefs(endeavour.user.id)).length).toBe(2);
    // One console goes: the other (on another process) keeps the user online, no grace period starts.
    await onB.close();
    await expect.poll(async () => (await A.app.realtime.presence.consoleRefs(endeavour.user.id)).length).toBe(1);
    expect(await redis.exists(graceKey)).toBe(0);
    // The last one goes: the grace period starts, and a console reconnecting on another process ends it.
    await onC.close();
    await expect.poll(() => redis.exists(graceKey)).toBe(1);
    const back = keep((await agent(A, endeavour.token)).c);
    await expect.poll(() => redis.exists(graceKey)).toBe(0);
    expect(A.app.realtime.presence.presence(endeavour.user.id)).toBe('online');
    // Gone for good: offline everywhere, not before the grace period.
    const gone = Date.now();
    await back.close();
    expect(await v.next((m) => m.mt === 'Info' && m.id === 'endeavour', GRACE_S * 1000 + 10_000)).toMatchObject({ presence: 'offline' });
    expect(Date.now() - gone).toBeGreaterThanOrEqual(GRACE_S * 1000 - 100);
    expect(await A.storage.presence.get(endeavour.user.id)).toMatchObject({ presence: 'offline', source: 'console' });
    await expect.poll(() => cl.nodes.map((n) => n.app.realtime.presence.presence(endeavour.user.id))).toEqual(['offline', 'offline', 'offline']);
    await v.close();
  });

  it('sign-in throttling holds across processes (a guesser cannot multiply attempts by the number of processes)', async () => {
    await makeUser(A, { sipId: 'victim' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const node = cl.nodes[i % 3]!;
      const r = await fetch(`${node.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'victim', password: `wrong-${i}` }) });
      statuses.push(r.status);
    }
    // LOGIN_MAX_PER_USER=4 for the whole installation: the fifth and sixth attempt are throttled, whichever process gets them.
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual([429, 429]);
  });
});

/** A widget as GET returns it, minus what PUT does not take. */
function stripRead(w: Record<string, unknown>): Record<string, unknown> {
  const { uuid: _u, createdAt: _c, updatedAt: _up, ...rest } = w;
  return rest;
}
