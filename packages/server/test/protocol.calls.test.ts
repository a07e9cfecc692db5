/** Calls (spec 2.2, 3, 8) over real WebSockets: the whole flow and every cause. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type WsClient } from '@cw/testkit';
import { agent, entry, makeCrew, makeUser, makeWidget, online, setPresence, visitor, dbOptions, type AgentUser } from './protocol-fixtures.js';
import type { WidgetRecord } from '../src/storage/types.js';

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n';
const ANSWER = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n';

let s: TestServer;
let atlantis: AgentUser;
let columbia: AgentUser;
let endeavour: AgentUser;
let w: WidgetRecord;

beforeAll(async () => {
  s = await startTestServer(dbOptions());
  ({ atlantis, columbia, endeavour } = await makeCrew(s));
  w = await makeWidget(s, [
    entry('atlantis'),
    entry('team'),
    entry('chatonly', { media: ['chat'] }),
    entry('voiceonly', { media: ['voice'] }),
    entry('always-columbia', { availability: 'always' }),
    entry('inactive', { availability: 'inactive' }),
  ]);
  // Entries whose sipId differs from the user's: point them at real users by sipId alias.
  await s.storage.widgets.replace(w.uuid, {
    ...w,
    agents: [entry('atlantis'), entry('team'), entry('columbia', { availability: 'always' }), entry('endeavour', { availability: 'inactive' }), entry('chatonly', { media: ['chat'] }), entry('voiceonly', { media: ['voice'] })],
  });
  w = (await s.storage.widgets.get(w.uuid))!;
});
afterAll(async () => {
  await s?.close();
});

/** Starts a call up to ringing; returns the IncomingCall seen by `consoles[0]`. */
async function ring(v: WsClient, dest: string, consoles: WsClient[], video = false) {
  v.send({ mt: 'CreateCall', dest, dn: 'Mein Name', video });
  v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
  const incoming = await Promise.all(consoles.map((c) => c.next('IncomingCall')));
  expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'alerting' });
  return incoming[0]!;
}

describe('calls', () => {
  it('connects, signals SDP both ways and hangs up from the visitor', async () => {
    const a = await online(s, atlantis);
    const { c: v } = await visitor(s, w.uuid);
    const inc = await ring(v, 'atlantis', [a], true);
    expect(inc).toMatchObject({ mt: 'IncomingCall', from: { dn: 'Mein Name' }, widget: { uuid: w.uuid, name: 'Sales' }, video: true, sdp: OFFER, dest: 'atlantis' });
    a.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'connected', cmd: 'SELECT', sdp: ANSWER });
    expect(await a.next('CallInfo')).toEqual({ mt: 'CallInfo', call: inc.call, state: 'connected' });
    // In a call the agent shows busy to visitors and to their own consoles.
    expect(await v.next('Info')).toMatchObject({ id: 'atlantis', presence: 'busy' });
    expect(await a.next('Presence')).toMatchObject({ presence: 'online', visible: 'busy' });
    v.send({ mt: 'ClearCall' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated' });
    expect(await a.next('CallInfo')).toEqual({ mt: 'CallInfo', call: inc.call, state: 'terminated', cause: 'remote-hangup' });
    expect(await v.next('Info')).toMatchObject({ id: 'atlantis', presence: 'online' });
    // The call log is written after the messages went out.
    await expect
      .poll(async () => (await s.storage.calls.list(10)).find((l) => l.dest === 'atlantis' && l.answeredAt))
      .toMatchObject({ agentUserId: atlantis.user.id, video: true, cause: 'visitor-hangup', endedAt: expect.any(Number) });
    await v.close();
    await a.close();
  });

  it('agent hangs up: agent gets hangup, visitor remote-hangup', async () => {
    const a = await online(s, atlantis);
    const { c: v } = await visitor(s, w.uuid);
    const inc = await ring(v, 'atlantis', [a]);
    a.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
    a.send({ mt: 'ClearCall', call: inc.call });
    expect(await a.next((m) => m.mt === 'CallInfo' && m.state === 'terminated')).toMatchObject({ cause: 'hangup' });
    expect(await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated')).toMatchObject({ cause: 'remote-hangup' });
    // The call is gone for both.
    a.send({ mt: 'ClearCall', call: inc.call });
    expect(await a.next('Error')).toMatchObject({ code: 'no-call', ref: 'ClearCall' });
    v.send({ mt: 'ClearCall' });
    expect(await v.next('Error')).toMatchObject({ code: 'no-call' });
    await v.close();
    await a.close();
  });

  it('two consoles ring; the first AcceptCall wins, the other gets answered-elsewhere', async () => {
    const a1 = await online(s, atlantis);
    const { c: a2 } = await agent(s, atlantis.token);
    const { c: v } = await visitor(s, w.uuid);
    const inc = await ring(v, 'atlantis', [a1, a2]);
    a2.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    expect(await a1.next('CallInfo')).toEqual({ mt: 'CallInfo', call: inc.call, state: 'terminated', cause: 'answered-elsewhere' });
    expect(await a2.next('CallInfo')).toMatchObject({ state: 'connected' });
    a1.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    expect(await a1.next('Error')).toMatchObject({ code: 'no-call' });
    // The agent's console going away ends the call for the visitor.
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
    await a2.close();
    expect(await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated')).toMatchObject({ cause: 'remote-hangup' });
    await v.close();
    await a1.close();
  });

  it('a group rings its online free members; first accept wins', async () => {
    const c = await online(s, columbia);
    const e = await online(s, endeavour);
    const { c: v } = await visitor(s, w.uuid);
    const inc = await ring(v, 'team', [c, e]);
    expect(inc.dest).toBe('team');
    e.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    expect(await c.next('CallInfo')).toMatchObject({ state: 'terminated', cause: 'answered-elsewhere' });
    expect(await v.next('CallInfo')).toMatchObject({ state: 'connected', sdp: ANSWER });
    v.send({ mt: 'ClearCall' });
    expect(await e.next((m) => m.mt === 'CallInfo' && m.state === 'terminated')).toMatchObject({ cause: 'remote-hangup' });
    await Promise.all([v.close(), c.close(), e.close()]);
  });

  it('rejected by every ringing console → visitor rejected; each console gets rejected', async () => {
    const a1 = await online(s, atlantis);
    const { c: a2 } = await agent(s, atlantis.token);
    const { c: v } = await visitor(s, w.uuid);
    const inc = await ring(v, 'atlantis', [a1, a2]);
    a1.send({ mt: 'RejectCall', call: inc.call });
    expect(await a1.next('CallInfo')).toMatchObject({ state: 'terminated', cause: 'rejected' });
    a2.send({ mt: 'RejectCall', call: inc.call });
    expect(await a2.next('CallInfo')).toMatchObject({ state: 'terminated', cause: 'rejected' });
    expect(await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'rejected' });
    await Promise.all([v.close(), a1.close(), a2.close()]);
  });

  it('nobody answers within the ring timeout → no-answer on both sides', async () => {
    const t = await startTestServer({ ...dbOptions(), env: { RING_TIMEOUT_S: '0.3' } });
    try {
      const u = await makeUser(t, { sipId: 'sleepy' });
      const w2 = await makeWidget(t, [entry('sleepy')]);
      const { c: a } = await agent(t, u.token);
      await setPresence(a, 'online');
      const { c: v } = await visitor(t, w2.uuid);
      v.send({ mt: 'CreateCall', dest: 'sleepy', dn: 'Caller' });
      v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
      await a.next('IncomingCall');
      expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'alerting' });
      expect(await a.next('CallInfo')).toMatchObject({ state: 'terminated', cause: 'no-answer' });
      expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'no-answer' });
      await Promise.all([v.close(), a.close()]);
    } finally {
      await t.close();
    }
  });

  it('the caller hangs up or goes away while it rings → consoles get cancelled', async () => {
    const a = await online(s, atlantis);
    let { c: v } = await visitor(s, w.uuid);
    await ring(v, 'atlantis', [a]);
    v.send({ mt: 'ClearCall' });
    expect(await a.next('CallInfo')).toMatchObject({ state: 'terminated', cause: 'cancelled' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated' });
    await v.close();
    ({ c: v } = await visitor(s, w.uuid));
    await ring(v, 'atlantis', [a]);
    await v.close();
    expect(await a.next('CallInfo')).toMatchObject({ state: 'terminated', cause: 'cancelled' });
    await a.close();
  });

  it('busy and offline agents end the call at once; always rings whatever presence; inactive is unavailable', async () => {
    const { c: v } = await visitor(s, w.uuid);
    const a = await online(s, atlantis);
    await setPresence(a, 'offline');
    // offline: no Channels needed
    v.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Me' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    await setPresence(a, 'busy');
    v.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Me' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'busy' });
    v.send({ mt: 'CreateCall', dest: 'endeavour', dn: 'Me' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    v.send({ mt: 'CreateCall', dest: 'chatonly', dn: 'Me' });
    expect(await v.next('Error')).toMatchObject({ code: 'media-not-allowed', ref: 'CreateCall' });
    v.send({ mt: 'CreateCall', dest: 'voiceonly', dn: 'Me', video: true });
    expect(await v.next('Error')).toMatchObject({ code: 'media-not-allowed', ref: 'CreateCall' });
    // "always" rings columbia's console although columbia is offline.
    const { c: col } = await agent(s, columbia.token);
    await ring(v, 'columbia', [col]);
    v.send({ mt: 'ClearCall' });
    await col.next('CallInfo');
    await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated');
    await col.close();
    // "always" with no console to ring → unavailable after Channels.
    v.send({ mt: 'CreateCall', dest: 'columbia', dn: 'Me' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    await Promise.all([v.close(), a.close()]);
  });

  it('API-set online with no console → unavailable after Channels', async () => {
    await s.app.realtime.presence.handleSetPresence(endeavour.user.id, 'online', 'api');
    const w2 = await makeWidget(s, [entry('endeavour')]);
    const { c: v, infos } = await visitor(s, w2.uuid);
    expect(infos[0]).toMatchObject({ presence: 'online' });
    v.send({ mt: 'CreateCall', dest: 'endeavour', dn: 'Me' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    await s.app.realtime.presence.handleSetPresence(endeavour.user.id, 'offline', 'api');
    await v.close();
  });

  it('refuses what does not fit the state', async () => {
    const a = await online(s, atlantis);
    const { c: v } = await visitor(s, w.uuid);
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    expect(await v.next('Error')).toMatchObject({ code: 'no-call', ref: 'Channels' });
    v.send({ mt: 'CreateCall', dest: 'nobody', dn: 'Me' });
    expect(await v.next('Error')).toMatchObject({ code: 'unknown-agent', ref: 'CreateCall' });
    v.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Me' });
    v.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Me' });
    expect(await v.next('Error')).toMatchObject({ code: 'call-in-progress', ref: 'CreateCall' });
    a.send({ mt: 'AcceptCall', call: 'not-a-call', sdp: ANSWER });
    expect(await a.next('Error')).toMatchObject({ code: 'no-call', ref: 'AcceptCall' });
    a.send({ mt: 'RejectCall', call: 'not-a-call' });
    expect(await a.next('Error')).toMatchObject({ code: 'no-call', ref: 'RejectCall' });
    v.send({ mt: 'ClearCall' });
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated' });
    await Promise.all([v.close(), a.close()]);
  });
});
