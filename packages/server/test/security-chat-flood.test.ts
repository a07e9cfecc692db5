/**
 * Issue 11 finding 5, as the attack was run: 10 visitor sockets × 45
 * `ChatStart` put 450 waiting chats on one agent's screen in 3 s. Now a
 * visitor session has at most one open chat per destination (a unique index:
 * it holds across processes and concurrent sockets), and new chats and calls
 * per address are limited (CONTACTS_PER_IP in CONTACTS_WINDOW_S, counted in
 * the CounterStore); beyond, `try-later` and the socket stays.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, WsClient, type TestServer } from '@cw/testkit';
import { entry, makeUser, makeWidget, online, visitor } from './protocol-fixtures.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function setup(env: Record<string, string> = {}) {
  const s = await startTestServer({ env });
  servers.push(s);
  const atlantis = await makeUser(s, { sipId: 'atlantis', displayName: 'Atlantis' });
  const w = await makeWidget(s, [entry('atlantis')]);
  const console_ = await online(s, atlantis);
  return { s, w, console_ };
}

/** Visitors on one widget, started, each from `from`. */
async function visitors(s: TestServer, uuid: string, n: number, from = '127.0.0.2'): Promise<WsClient[]> {
  const out: WsClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = await WsClient.connect(`${s.wsUrl}/ws/widget`, { localAddress: from });
    c.send({ mt: 'Start', uuid });
    await c.next('IceConfig');
    out.push(c);
  }
  return out;
}

describe('chat floods', () => {
  it('10 sockets × 45 ChatStart reach the agent as 10 chats, one per visitor session', async () => {
    const { s, w, console_ } = await setup();
    const socks = await visitors(s, w.uuid, 10);
    const t0 = performance.now();
    for (const c of socks) for (let i = 0; i < 45; i++) c.send({ mt: 'ChatStart', dest: 'atlantis', dn: `Flood ${i}` });
    // Every request is answered: the first with a new chat, the other 44 with that same chat again.
    const answers = await Promise.all(
      socks.map(async (c) => {
        const infos = [];
        for (let i = 0; i < 45; i++) infos.push(await c.next((m) => m.mt === 'ChatInfo' || m.mt === 'Error'));
        return infos;
      }),
    );
    const ids = new Set(answers.flat().map((m) => m.chat));
    const waiting = (await s.storage.chats.listWaiting()).length;
    // The console's view: offers received.
    await expect.poll(() => console_.received.filter((m) => m.mt === 'ChatOffer').length).toBe(10);
    console.log(
      `[security] 10 sockets × 45 ChatStart in ${(performance.now() - t0).toFixed(0)} ms: ${waiting} waiting chats, ${ids.size} distinct chat ids, ` +
        `${console_.received.filter((m) => m.mt === 'ChatOffer').length} offers on the agent's console (before the fix: 450)`,
    );
    expect(waiting).toBe(10);
    expect(ids.size).toBe(10);
    for (const a of answers) expect(new Set(a.map((m) => m.chat)).size).toBe(1);
    expect(answers.flat().every((m) => m.mt === 'ChatInfo' && m.state === 'waiting')).toBe(true);
  });

  it('two sockets of one session asking at the same moment still get one chat', async () => {
    const { s, w } = await setup();
    const first = await visitor(s, w.uuid);
    const token = first.session.session as string;
    const second = await visitor(s, w.uuid, { session: token });
    first.c.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Me' });
    second.c.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Me' });
    await first.c.next('ChatInfo');
    await second.c.next('ChatInfo');
    expect(await s.storage.chats.listOpenForVisitor(token)).toHaveLength(1);
  });

  it('new chats and calls per address stop at CONTACTS_PER_IP with try-later; the socket stays; other addresses are unaffected', async () => {
    const { s, w, console_ } = await setup({ CONTACTS_PER_IP: '5' });
    const socks = await visitors(s, w.uuid, 7);
    const outcomes = [];
    for (const c of socks) {
      c.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Someone' });
      outcomes.push(await c.next((m) => m.mt === 'ChatInfo' || m.mt === 'Error'));
    }
    expect(outcomes.slice(0, 5).every((m) => m.mt === 'ChatInfo')).toBe(true);
    expect(outcomes.slice(5).map((m) => m.code)).toEqual(['try-later', 'try-later']);
    expect(outcomes[5]).toMatchObject({ ref: 'ChatStart', text: expect.stringMatching(/try again in \d+ min/) });
    // A call counts in the same budget.
    socks[0]!.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Someone' });
    expect(await socks[0]!.next('Error')).toMatchObject({ code: 'try-later', ref: 'CreateCall' });
    // The refused socket stays usable.
    socks[6]!.send({ mt: 'GetPicture', id: 'atlantis' });
    await socks[6]!.next('Picture');
    // A visitor from another address is not affected.
    const [other] = await visitors(s, w.uuid, 1, '127.0.0.3');
    other!.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Other' });
    expect(await other!.next((m) => m.mt === 'ChatInfo' || m.mt === 'Error')).toMatchObject({ mt: 'ChatInfo', state: 'waiting' });
    await expect.poll(() => console_.received.filter((m) => m.mt === 'ChatOffer').length).toBe(6);
  });
});
