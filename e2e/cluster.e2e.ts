/**
 * Cluster mode in real Chromium (spec 10): three server processes behind
 * HAProxy, a private PostgreSQL and Redis. The visitor's widget and the
 * agent's console are pinned to different processes. A call (media both
 * ways), a chat and an admin's save cross processes; then a process is
 * killed with kill -9 while a visitor is mid-chat and the agent mid-call,
 * and Redis and PostgreSQL restart mid-chat — nothing acked is lost or doubled.
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { need } from '@cw/testkit';
import { newContext, watchErrors } from './support/console-world.js';
import { consoleInbound, expectMediaFlowing, openConsole, openVisitorSeeing, sendText, visitorCall, visitorStartChat, waitAgentOnline, widgetInbound } from './support/console-page.js';
import { useClusterWorld } from './support/cluster-world.js';

const ok =
  (await need('chromium')) &&
  (await need('netns', 'browser tests run inside a private network namespace')) &&
  (await need('cluster-parts', 'a private PostgreSQL (run as the postgres user), redis-server and haproxy'));

const accept = (p: Page) => p.getByRole('button', { name: 'Accept', exact: true });
const hangUp = (p: Page) => p.getByRole('button', { name: 'Hang up', exact: true });
const status = (p: Page) => p.locator('#presence-status').textContent();
const transcript = (con: Page) => con.locator('.chat .lines');
const widgetLog = (v: Page) => v.getByRole('log', { name: 'Messages' });
/** How often `text` appears in a page region (0, 1 or more). */
const times = async (text: string, region: { textContent(): Promise<string | null> }) => ((await region.textContent()) ?? '').split(text).length - 1;
/** Errors a page may log while its process is killed or restarts (the socket and its reconnect attempts). */
const outage = (e: string) => /WebSocket|ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|Failed to load resource|503/.test(e);

describe.skipIf(!ok)('cluster mode in the browser: three processes behind HAProxy', { timeout: 240_000 }, () => {
  const env = useClusterWorld(2, { PRESENCE_GRACE_S: '5' });

  it('visitor on process 1, agent on process 2: a chat, a video call with media both ways, and an admin save on process 3 reach each other', async () => {
    const { world, browser } = env;
    const ann = world.agents[0]!;
    const errors: string[] = [];
    const actx = await newContext(browser);
    const con = await openConsole(actx, world.via(1), ann, 'Online', errors);
    const { ctx: vctx, page: v } = await openVisitorSeeing(browser, world.via(0), ann.displayName);
    watchErrors(v, 'visitor', errors);

    await visitorStartChat(v, ann.displayName, 'Vera Visitor');
    await con.getByRole('button', { name: 'Accept chat' }).click();
    await v.getByText(`${ann.displayName} joined the chat.`).waitFor({ timeout: 15_000 });
    await sendText(v, 'Hello from process 1');
    await expect.poll(() => transcript(con).textContent(), { timeout: 15_000 }).toContain('Hello from process 1');
    await sendText(con, 'Hello from process 2');
    await expect.poll(() => widgetLog(v).textContent(), { timeout: 15_000 }).toContain('Hello from process 2');

    // A video call from a visitor on process 3 to the console on process 2.
    const { ctx: v2ctx, page: v2 } = await openVisitorSeeing(browser, world.via(2), ann.displayName);
    await visitorCall(v2, ann.displayName, 'Walt Caller', true);
    await accept(con).waitFor({ timeout: 20_000 });
    await accept(con).click();
    await hangUp(con).waitFor();
    await expectMediaFlowing(() => consoleInbound(con));
    await expectMediaFlowing(() => widgetInbound(v2));
    await expect.poll(() => status(con), { timeout: 15_000 }).toBe('Online · in a call');
    // The chatting visitor on process 1 sees the agent busy.
    await waitAgentOnline(v, ann.displayName, false);
    await hangUp(v2).click();
    await expect.poll(() => hangUp(con).count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => status(con), { timeout: 15_000 }).toBe('Online');

    // An admin saves the widget on process 3: open widgets on processes 1 and 2 show it without a reload.
    const watchers = [await openVisitorSeeing(browser, world.via(0), ann.displayName), await openVisitorSeeing(browser, world.via(1), ann.displayName)];
    for (const wch of watchers) await wch.page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const p3 = world.cluster.nodes[2]!.url;
    const cur = await world.api('GET', `/api/widgets/${world.widgetUuid}`, undefined, p3);
    const { uuid: _u, createdAt: _c, updatedAt: _up, ...body } = cur;
    const renamed = { ...body, agents: body.agents.map((a: { sipId: string }) => (a.sipId === ann.sipId ? { ...a, displayName: 'Ann Renamed' } : a)) };
    await world.api('PUT', `/api/widgets/${world.widgetUuid}`, renamed, p3);
    for (const wch of watchers) {
      await wch.page.getByRole('button', { name: 'Voice call Ann Renamed' }).waitFor({ timeout: 5000 });
      expect(await wch.page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
      await wch.ctx.close();
    }
    // The name goes back for the next test.
    await world.api('PUT', `/api/widgets/${world.widgetUuid}`, body, p3);

    await con.getByRole('button', { name: 'End chat', exact: true }).click();
    for (const c of [actx, vctx, v2ctx]) await c.close();
    expect(errors).toEqual([]);
  });

  it('kill -9 of the process of a visitor mid-chat and of an agent\'s call: the call ends, the chat resumes through the balancer, every acked message is there once', async () => {
    const { world, browser } = env;
    const ben = world.agents[1]!;
    const errors: string[] = [];
    const actx = await newContext(browser);
    const con = await openConsole(actx, world.via(1), ben, 'Online', errors);
    // Both visitors talk to process 1, which will die.
    const { ctx: vctx, page: v } = await openVisitorSeeing(browser, world.via(0), ben.displayName);
    const { ctx: cctx, page: caller } = await openVisitorSeeing(browser, world.via(0), ben.displayName);
    watchErrors(v, 'visitor', errors, outage);

    await visitorStartChat(v, ben.displayName, 'Mia Visitor');
    await con.getByRole('button', { name: 'Accept chat' }).click();
    await v.getByText(`${ben.displayName} joined the chat.`).waitFor({ timeout: 15_000 });
    const before = ['v1 before', 'a1 before', 'v2 before', 'a2 before'];
    for (const text of before) {
      await sendText(text.startsWith('v') ? v : con, text);
      await expect.poll(() => transcript(con).textContent(), { timeout: 15_000 }).toContain(text);
      await expect.poll(() => widgetLog(v).textContent(), { timeout: 15_000 }).toContain(text);
    }
    // Every message acked on both sides before the crash.
    await expect.poll(() => transcript(con).locator('.delivery.sending').count()).toBe(0);
    await expect.poll(() => widgetLog(v).getByText('Sending…').count()).toBe(0);

    await visitorCall(caller, ben.displayName, 'Carl Caller', false);
    await accept(con).waitFor({ timeout: 20_000 });
    await accept(con).click();
    await expectMediaFlowing(() => consoleInbound(con), true);
    await expect.poll(() => status(con), { timeout: 15_000 }).toBe('Online · in a call');

    const p1 = world.cluster.nodes[0]!;
    await p1.kill();
    const killed = Date.now();
    // Written while process 1 is dead: the widget keeps it and sends it once it has reconnected elsewhere.
    await sendText(v, 'v3 during the crash');
    // The call through the dead process ends on the agent's side within 10 s, and the agent is free again.
    await expect.poll(() => hangUp(con).count(), { timeout: 15_000 }).toBe(0);
    expect(Date.now() - killed).toBeLessThan(10_000);
    expect(await con.getByRole('list', { name: 'Notices' }).textContent()).toMatch(/connection to the caller was lost/);
    await expect.poll(() => status(con), { timeout: 15_000 }).toBe('Online');

    // The chat goes on through the balancer (process 1's frontend falls back to the others).
    await expect.poll(() => widgetLog(v).textContent(), { timeout: 30_000 }).toContain('v3 during the crash');
    await expect.poll(() => transcript(con).textContent(), { timeout: 30_000 }).toContain('v3 during the crash');
    await expect.poll(() => widgetLog(v).getByText('Sending…').count(), { timeout: 30_000 }).toBe(0);
    await sendText(con, 'a3 after the crash');
    await expect.poll(() => widgetLog(v).textContent(), { timeout: 15_000 }).toContain('a3 after the crash');
    await sendText(v, 'v4 after the crash');
    await expect.poll(() => transcript(con).textContent(), { timeout: 15_000 }).toContain('v4 after the crash');

    const all = [...before, 'v3 during the crash', 'a3 after the crash', 'v4 after the crash'];
    for (const text of all) {
      expect(await times(text, transcript(con)), `console shows "${text}" once`).toBe(1);
      expect(await times(text, widgetLog(v)), `widget shows "${text}" once`).toBe(1);
    }
    const db = new pg.Client({ connectionString: world.cluster.pg.url });
    await db.connect();
    const rows = await db.query<{ text: string }>("select m.text from chat_messages m join chats c on c.id = m.chat_id where c.visitor_dn = 'Mia Visitor' order by m.seq");
    await db.end();
    expect(rows.rows.map((r) => r.text)).toEqual(all);

    await con.getByRole('button', { name: 'End chat', exact: true }).click();
    for (const c of [actx, vctx, cctx]) await c.close();
    await p1.start();
    expect(errors.filter((e) => !outage(e))).toEqual([]);
  });

  it('Redis, then PostgreSQL, restart mid-chat: the chat goes on, nothing acked is lost or doubled', async () => {
    const { world, browser } = env;
    const ann = world.agents[0]!;
    const errors: string[] = [];
    const actx = await newContext(browser);
    const con = await openConsole(actx, world.via(1), ann, 'Online', errors);
    const { ctx: vctx, page: v } = await openVisitorSeeing(browser, world.via(2), ann.displayName);
    watchErrors(v, 'visitor', errors, outage);
    await visitorStartChat(v, ann.displayName, 'Rosa Visitor');
    await con.getByRole('button', { name: 'Accept chat' }).click();
    await v.getByText(`${ann.displayName} joined the chat.`).waitFor({ timeout: 15_000 });
    await sendText(v, 'v1 before the restarts');
    await expect.poll(() => transcript(con).textContent(), { timeout: 15_000 }).toContain('v1 before the restarts');

    await world.cluster.redis.restart();
    // Written right after Redis came back: stored and acked; relayed or caught up.
    await sendText(v, 'v2 after Redis');
    await sendText(con, 'a1 after Redis');
    await expect.poll(() => transcript(con).textContent(), { timeout: 30_000 }).toContain('v2 after Redis');
    await expect.poll(() => widgetLog(v).textContent(), { timeout: 30_000 }).toContain('a1 after Redis');

    await world.cluster.pg.stop();
    // Written while PostgreSQL is away: refused (not acked), kept by the widget, resent when it is back.
    await sendText(v, 'v3 while PostgreSQL was away');
    await world.cluster.pg.start();
    await expect.poll(() => transcript(con).textContent(), { timeout: 45_000 }).toContain('v3 while PostgreSQL was away');
    await expect.poll(() => widgetLog(v).getByText('Sending…').count(), { timeout: 30_000 }).toBe(0);
    await sendText(con, 'a2 after PostgreSQL');
    await expect.poll(() => widgetLog(v).textContent(), { timeout: 15_000 }).toContain('a2 after PostgreSQL');

    const all = ['v1 before the restarts', 'v2 after Redis', 'a1 after Redis', 'v3 while PostgreSQL was away', 'a2 after PostgreSQL'];
    for (const text of all) {
      expect(await times(text, transcript(con)), `console shows "${text}" once`).toBe(1);
      expect(await times(text, widgetLog(v)), `widget shows "${text}" once`).toBe(1);
    }
    const db = new pg.Client({ connectionString: world.cluster.pg.url });
    await db.connect();
    const rows = await db.query<{ text: string }>("select m.text from chat_messages m join chats c on c.id = m.chat_id where c.visitor_dn = 'Rosa Visitor' order by m.seq");
    await db.end();
    expect(rows.rows.map((r) => r.text).sort()).toEqual([...all].sort());
    for (const n of world.cluster.nodes) expect(n.running).toBe(true);
    await con.getByRole('button', { name: 'End chat', exact: true }).click();
    for (const c of [actx, vctx]) await c.close();
    expect(errors.filter((e) => !outage(e))).toEqual([]);
  });
});
