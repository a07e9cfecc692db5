/**
 * Resilience: the server restarts in the middle of a chat (same port and
 * data). Console and widget reconnect by themselves and continue; nothing
 * that was acknowledged is lost, and presence is restored by the console.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { need } from '@cw/testkit';
import { newContext, useWorld } from './support/console-world.js';
import { openConsole, openVisitorSeeing, sendText, visitorStartChat } from './support/console-page.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

const linkStatus = (p: Page) => p.locator('.link').textContent();
const transcript = (con: Page) => con.locator('.chat .lines');
const widgetLog = (v: Page) => v.getByRole('log', { name: 'Messages' });

describe.skipIf(!ok)('agent console: server restart mid-chat', () => {
  const env = useWorld(1);

  it('reconnects console and widget, keeps every acked message and continues', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const errors: string[] = [];
    const actx = await newContext(browser);
    const con = await openConsole(actx, world, agent, 'Online', errors);
    const { ctx: vctx, page: v } = await openVisitorSeeing(browser, world, agent.displayName);
    await visitorStartChat(v, agent.displayName, 'Vera Visitor');
    await con.getByRole('button', { name: 'Accept chat' }).click();
    await v.getByText(`${agent.displayName} joined the chat.`).waitFor({ timeout: 10_000 });

    const before = ['v1 before restart', 'a1 before restart', 'v2 before restart', 'a2 before restart'];
    for (const text of before) {
      const page = text.startsWith('v') ? v : con;
      await sendText(page, text);
      await expect.poll(() => transcript(con).textContent()).toContain(text);
      await expect.poll(() => widgetLog(v).textContent()).toContain(text);
    }
    // Every agent message is acknowledged before the restart.
    await expect.poll(() => transcript(con).locator('.delivery.sending').count()).toBe(0);

    // Restart; while the server is away the agent writes one more message.
    const restarted = world.server.restart();
    await expect.poll(() => linkStatus(con), { timeout: 10_000 }).not.toBe('Connected');
    await sendText(con, 'a3 while away');
    await restarted;

    await expect.poll(() => linkStatus(con), { timeout: 20_000 }).toBe('Connected');
    // Presence is restored by the console (SetPresence from localStorage).
    await expect.poll(() => con.locator('#presence-status').textContent(), { timeout: 10_000 }).toBe('Online');
    // The pending message is resent with the same cid and acknowledged once.
    await expect.poll(() => transcript(con).locator('.delivery.sending').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => widgetLog(v).textContent(), { timeout: 20_000 }).toContain('a3 while away');

    // Continue both ways after the restart.
    await expect.poll(() => v.getByRole('textbox', { name: 'Message', exact: true }).isEditable(), { timeout: 20_000 }).toBe(true);
    await sendText(v, 'v3 after restart');
    await expect.poll(() => transcript(con).textContent(), { timeout: 20_000 }).toContain('v3 after restart');
    await sendText(con, 'a4 after restart');
    await expect.poll(() => widgetLog(v).textContent(), { timeout: 20_000 }).toContain('a4 after restart');

    // Nothing acked is lost and nothing is doubled, on either side and in storage.
    const all = [...before, 'a3 while away', 'v3 after restart', 'a4 after restart'];
    const conText = (await transcript(con).textContent()) ?? '';
    const visText = (await widgetLog(v).textContent()) ?? '';
    for (const text of all) {
      expect(conText.split(text).length - 1, `console shows "${text}" once`).toBe(1);
      expect(visText.split(text).length - 1, `widget shows "${text}" once`).toBe(1);
    }
    const [open] = await world.server.storage.chats.listOpenForAgent(agent.id);
    const stored = (await world.server.storage.chats.listMessages(open!.id)).map((m) => m.text);
    expect(stored.filter((t) => all.includes(t)).sort()).toEqual([...all].sort());

    // A reload of the console restores the open chat with every message (ChatHistory).
    await con.reload();
    await expect.poll(() => linkStatus(con), { timeout: 10_000 }).toBe('Connected');
    await expect.poll(() => transcript(con).textContent(), { timeout: 10_000 }).toContain('a4 after restart');
    const reloaded = (await transcript(con).textContent()) ?? '';
    for (const text of all) expect(reloaded.split(text).length - 1, `after reload the console shows "${text}" once`).toBe(1);
    await sendText(con, 'a5 after reload');
    await expect.poll(() => widgetLog(v).textContent(), { timeout: 10_000 }).toContain('a5 after reload');

    await actx.close();
    await vctx.close();
    expect(errors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
  });
});
