/** The name a visitor sees in a chat is the one on the card (widget entry), not the directory's. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@cw/testkit';
import { agent, entry, makeUser, makeWidget, setPresence, visitor, dbOptions, type AgentUser } from './protocol-fixtures.js';
import type { WidgetRecord } from '../src/storage/types.js';

let s: TestServer;
let bob: AgentUser;
let w: WidgetRecord;

beforeAll(async () => {
  s = await startTestServer(dbOptions());
  bob = await makeUser(s, { sipId: 'bob', displayName: 'Bob' });
  w = await makeWidget(s, [entry('bob', { displayName: 'Bobby' })]);
});
afterAll(async () => {
  await s?.close();
});

it('agentDn and the agent’s messages carry the widget entry’s display name', async () => {
  const { c: a } = await agent(s, bob.token);
  await setPresence(a, 'online');
  const { c: v } = await visitor(s, w.uuid);
  const info = v.received.find((m) => m.mt === 'Info' && m.id === 'bob');
  expect(info?.dn).toBe('Bobby');
  v.send({ mt: 'ChatStart', dest: 'bob', dn: 'Vera' });
  const chat = (await v.next('ChatInfo')).chat as string;
  await a.next('ChatOffer');
  a.send({ mt: 'ChatAccept', chat });
  expect(await v.next((m) => m.mt === 'ChatInfo' && m.state === 'accepted')).toMatchObject({ agent: 'bob', agentDn: 'Bobby' });
  a.send({ mt: 'ChatMessage', chat, cid: 'x1', text: 'Hello' });
  expect(await v.next('ChatMessage')).toMatchObject({ from: 'agent', dn: 'Bobby', text: 'Hello' });
  await Promise.all([v.close(), a.close()]);
});
