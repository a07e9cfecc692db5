/** Chat (spec 2.3, 3, 8) over real WebSockets, including a server restart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@cw/testkit';
import { agent, entry, makeCrew, makeUser, makeWidget, online, visitor, dbOptions, type AgentUser } from './protocol-fixtures.js';
import type { WidgetRecord } from '../src/storage/types.js';

let s: TestServer;
let atlantis: AgentUser;
let columbia: AgentUser;
let endeavour: AgentUser;
let w: WidgetRecord;

beforeAll(async () => {
  s = await startTestServer(dbOptions());
  ({ atlantis, columbia, endeavour } = await makeCrew(s));
  w = await makeWidget(s, [entry('atlantis'), entry('team'), entry('voiceonly', { media: ['voice'] })]);
});
afterAll(async () => {
  await s?.close();
});

describe('chat', () => {
  it('offers, accepts, acks, relays messages and typing, ends', async () => {
    const a1 = await online(s, atlantis);
    const { c: a2 } = await agent(s, atlantis.token);
    const { c: v } = await visitor(s, w.uuid);
    v.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Mein Name', email: 'me@example.org' });
    const waiting = await v.next('ChatInfo');
    expect(waiting).toMatchObject({ state: 'waiting' });
    const chat = waiting.chat as string;
    for (const a of [a1, a2])
      expect(await a.next('ChatOffer')).toEqual({ mt: 'ChatOffer', chat, from: { dn: 'Mein Name', email: 'me@example.org' }, widget: { uuid: w.uuid, name: 'Sales' }, dest: 'atlantis' });

    // Written before anyone accepts: stored, acked, delivered with the accept.
    v.send({ mt: 'ChatMessage', chat, cid: 'k1', text: 'Hello' });
    const ack1 = await v.next('ChatAck');
    expect(ack1).toMatchObject({ chat, cid: 'k1' });
    expect(typeof ack1.id).toBe('string');

    a1.send({ mt: 'ChatAccept', chat });
    expect(await a1.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'accepted', agent: 'atlantis', agentDn: 'Atlantis' });
    const hist = await a1.next('ChatHistory');
    expect(hist).toMatchObject({ chat, state: 'accepted', from: { dn: 'Mein Name' }, widget: { uuid: w.uuid } });
    expect(hist.messages).toEqual([{ mt: 'ChatMessage', chat, id: ack1.id, from: 'visitor', dn: 'Mein Name', text: 'Hello', ts: ack1.ts }]);
    expect(await a2.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'taken' });
    expect(await v.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'accepted', agent: 'atlantis', agentDn: 'Atlantis' });

    a1.send({ mt: 'ChatMessage', chat, cid: 'a1', text: 'Hi!' });
    const [ack2] = await a1.exactly('ChatAck');
    expect(await v.exactly({ mt: 'ChatMessage', chat, id: ack2!.id, from: 'agent', dn: 'Atlantis', text: 'Hi!', ts: ack2!.ts })).toHaveLength(1);
    expect((await a2.exactly('ChatMessage'))[0]).toMatchObject({ id: ack2!.id, cid: 'a1', from: 'agent' });

    v.send({ mt: 'Typing', chat, typing: true });
    expect(await a1.next('Typing')).toEqual({ mt: 'Typing', chat, typing: true });
    a1.send({ mt: 'Typing', chat, typing: false });
    expect(await v.next('Typing')).toEqual({ mt: 'Typing', chat, typing: false });

    v.send({ mt: 'ChatMessage', chat, cid: 'k2', text: '<b>not html</b>' });
    const [ack3] = await v.exactly('ChatAck');
    expect((await a1.exactly('ChatMessage'))[0]).toMatchObject({ id: ack3!.id, text: '<b>not html</b>', from: 'visitor' });
    // A retried cid is acked with the same id and not stored twice.
    v.send({ mt: 'ChatMessage', chat, cid: 'k2', text: '<b>not html</b>' });
    expect((await v.exactly('ChatAck'))[0]).toMatchObject({ id: ack3!.id, cid: 'k2' });
    expect(await s.storage.chats.listMessages(chat)).toHaveLength(3);

    // Nor relayed twice: the next thing each side gets is the end of the chat (a second copy would come first).
    v.send({ mt: 'ChatEnd', chat });
    await v.exactly({ mt: 'ChatInfo', chat, state: 'closed', by: 'visitor' });
    await a1.exactly({ mt: 'ChatInfo', chat, state: 'closed', by: 'visitor' });
    await a2.exactly({ mt: 'Typing', chat, typing: true }, { mt: 'ChatMessage', chat, id: ack3!.id }, { mt: 'ChatInfo', chat, state: 'closed', by: 'visitor' });
    v.send({ mt: 'ChatMessage', chat, cid: 'k3', text: 'late' });
    expect(await v.next('Error')).toMatchObject({ code: 'unknown-chat', ref: 'ChatMessage' });
    await Promise.all([v.close(), a1.close(), a2.close()]);
  });

  it('a group: every online member is offered, the first accept wins, a late accept gets taken', async () => {
    const c = await online(s, columbia);
    const e = await online(s, endeavour);
    const { c: v } = await visitor(s, w.uuid);
    v.send({ mt: 'ChatStart', dest: 'team', dn: 'Visitor' });
    const chat = (await v.next('ChatInfo')).chat;
    await c.next('ChatOffer');
    await e.next('ChatOffer');
    e.send({ mt: 'ChatAccept', chat });
    c.send({ mt: 'ChatAccept', chat });
    expect(await e.next('ChatInfo')).toMatchObject({ state: 'accepted', agent: 'endeavour' });
    expect(await c.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'taken' });
    // Agent ends: both sides get closed by agent.
    e.send({ mt: 'ChatEnd', chat });
    expect(await e.next((m) => m.mt === 'ChatInfo' && m.state === 'closed')).toMatchObject({ by: 'agent' });
    expect(await v.next((m) => m.mt === 'ChatInfo' && m.state === 'closed')).toMatchObject({ by: 'agent' });
    await Promise.all([v.close(), c.close(), e.close()]);
  });

  it('two tabs of one visitor session share the chat', async () => {
    const a = await online(s, atlantis);
    const tabA = await visitor(s, w.uuid);
    const tabB = await visitor(s, w.uuid, { session: tabA.session.session });
    tabA.c.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Two Tabs' });
    const chat = (await tabA.c.next('ChatInfo')).chat;
    expect(await tabB.c.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'waiting' });
    a.send({ mt: 'ChatAccept', chat: (await a.next('ChatOffer')).chat });
    tabA.c.send({ mt: 'ChatMessage', chat, cid: 't1', text: 'from tab A' });
    const ack = await tabA.c.next('ChatAck');
    expect(await tabB.c.next('ChatMessage')).toMatchObject({ id: ack.id, cid: 't1', text: 'from tab A' });
    a.send({ mt: 'ChatMessage', chat, cid: 'x', text: 'to both' });
    for (const t of [tabA, tabB]) expect(await t.c.next('ChatMessage')).toMatchObject({ text: 'to both', from: 'agent' });
    tabB.c.send({ mt: 'ChatEnd', chat });
    for (const t of [tabA, tabB]) expect(await t.c.next((m) => m.mt === 'ChatInfo' && m.state === 'closed')).toMatchObject({ by: 'visitor' });
    await Promise.all([tabA.c.close(), tabB.c.close(), a.close()]);
  });

  it('refuses chats that are not yours and agents without chat', async () => {
    const a = await online(s, atlantis);
    const { c: v } = await visitor(s, w.uuid);
    v.send({ mt: 'ChatStart', dest: 'voiceonly', dn: 'V' });
    expect(await v.next('Error')).toMatchObject({ code: 'media-not-allowed', ref: 'ChatStart' });
    v.send({ mt: 'ChatStart', dest: 'nobody', dn: 'V' });
    expect(await v.next('Error')).toMatchObject({ code: 'unknown-agent' });
    v.send({ mt: 'ChatMessage', chat: 'nope', cid: 'x', text: 'hi' });
    expect(await v.next('Error')).toMatchObject({ code: 'unknown-chat' });
    v.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'V' });
    const chat = (await v.next('ChatInfo')).chat;
    await a.next('ChatOffer');
    // Not accepted yet: the agent may not write.
    a.send({ mt: 'ChatMessage', chat, cid: 'x', text: 'hi' });
    expect(await a.next('Error')).toMatchObject({ code: 'unknown-chat' });
    // Another visitor session cannot touch it; another agent cannot accept it.
    const { c: v2 } = await visitor(s, w.uuid);
    v2.send({ mt: 'ChatEnd', chat });
    expect(await v2.next('Error')).toMatchObject({ code: 'unknown-chat' });
    const col = await online(s, columbia);
    col.send({ mt: 'ChatAccept', chat });
    expect(await col.next('Error')).toMatchObject({ code: 'unknown-chat' });
    v.send({ mt: 'ChatEnd', chat });
    expect(await a.next('ChatInfo')).toMatchObject({ chat, state: 'closed', by: 'visitor' });
    await Promise.all([v.close(), v2.close(), a.close(), col.close()]);
  });

  it('survives a server restart: drain closes 1012, acked messages come back, the agent gets its chat back, waiting offers are re-sent', async () => {
    const a = await online(s, atlantis);
    const { c: v, session } = await visitor(s, w.uuid);
    v.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Resumer' });
    const chat = (await v.next('ChatInfo')).chat;
    a.send({ mt: 'ChatAccept', chat });
    await v.next((m) => m.mt === 'ChatInfo' && m.state === 'accepted');
    v.send({ mt: 'ChatMessage', chat, cid: 'r1', text: 'before restart' });
    const ack = await v.next('ChatAck');
    // A second visitor waits for an answer across the restart.
    const { c: v2 } = await visitor(s, w.uuid);
    v2.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Waiter' });
    const waitingChat = (await v2.next('ChatInfo')).chat;

    await s.restart();
    expect((await v.closed).code).toBe(1012);
    expect((await a.closed).code).toBe(1012);
    await v2.closed;

    const back = await visitor(s, w.uuid, { session: session.session });
    expect(back.session.session).toBe(session.session);
    const h = await back.c.next('ChatHistory');
    expect(h).toMatchObject({ chat, state: 'accepted', agent: 'atlantis', agentDn: 'Atlantis' });
    expect(h.messages).toEqual([{ mt: 'ChatMessage', chat, id: ack.id, from: 'visitor', dn: 'Resumer', text: 'before restart', ts: ack.ts }]);

    const { c: a2 } = await agent(s, atlantis.token);
    const restored = await a2.next('ChatHistory');
    expect(restored).toMatchObject({ chat, state: 'accepted', from: { dn: 'Resumer' }, widget: { uuid: w.uuid, name: 'Sales' }, agent: 'atlantis' });
    expect(restored.messages).toHaveLength(1);
    expect(await a2.next('ChatOffer')).toMatchObject({ chat: waitingChat, from: { dn: 'Waiter' } });

    a2.send({ mt: 'ChatMessage', chat, cid: 'a9', text: 'still here' });
    expect(await back.c.next('ChatMessage')).toMatchObject({ text: 'still here', from: 'agent' });
    await Promise.all([back.c.close(), a2.close()]);
  });
});

describe('chat wait timeout', () => {
  let t: TestServer;
  afterAll(async () => {
    await t?.close();
  });
  it('closes an unanswered request by system', async () => {
    t = await startTestServer({ ...dbOptions(), env: { CHAT_WAIT_TIMEOUT_S: '0.3' } });
    const u = await makeUser(t, { sipId: 'solo' });
    const w2 = await makeWidget(t, [entry('solo')]);
    const { c: a } = await agent(t, u.token);
    const { c: v } = await visitor(t, w2.uuid);
    v.send({ mt: 'ChatStart', dest: 'solo', dn: 'Patient' });
    const chat = (await v.next('ChatInfo')).chat;
    await a.next('ChatOffer');
    expect(await v.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'closed', by: 'system' });
    expect(await a.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'closed', by: 'system' });
    await Promise.all([v.close(), a.close()]);
  });
});
