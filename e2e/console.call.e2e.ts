/**
 * Agent console calls in real Chromium (fake camera and microphone), inside
 * the private network namespace: visitor widget and console in separate
 * browser contexts, host page and server on different origins.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { need } from '@cw/testkit';
import { newContext, useWorld } from './support/console-world.js';
import { consoleA11y } from './support/console-a11y.js';
import { consoleInbound, expectMediaFlowing, openConsole, openVisitorSeeing, sendText, visitorCall, visitorStartChat, waitAgentOnline, widgetInbound } from './support/console-page.js';

const ok = (await need('chromium')) && (await need('netns', 'media tests run inside a private network namespace'));

const accept = (p: Page) => p.getByRole('button', { name: 'Accept', exact: true });
const hangUp = (p: Page) => p.getByRole('button', { name: 'Hang up', exact: true });
const ringing = (p: Page) => p.evaluate(() => window.__cwConsoleTest?.ringing() ?? false);
const status = (p: Page) => p.locator('#presence-status').textContent();

describe.skipIf(!ok)('agent console: calls', () => {
  const env = useWorld(1);

  it('takes a video call from the widget during a chat: media both ways, chat goes on, busy to others, hang-up from either side', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const errors: string[] = [];
    const actx = await newContext(browser);
    const con = await openConsole(actx, world, agent, 'Online', errors);
    const { ctx: v1ctx, page: v1 } = await openVisitorSeeing(browser, world, agent.displayName);
    const { ctx: v2ctx, page: v2 } = await openVisitorSeeing(browser, world, agent.displayName);
    // A chat is running when the call comes in: both at the same time.
    const { ctx: cctx, page: chatter } = await openVisitorSeeing(browser, world, agent.displayName);
    await visitorStartChat(chatter, agent.displayName, 'Chad Chatter');
    await con.getByRole('button', { name: 'Accept chat' }).click();
    await chatter.getByText(`${agent.displayName} joined the chat.`).waitFor({ timeout: 10_000 });

    await visitorCall(v1, agent.displayName, 'Vera Visitor', true);
    const card = con.getByRole('article').filter({ hasText: 'Vera Visitor' });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.textContent()).toContain('video call');
    expect(await card.textContent()).toContain(world.widgetName);
    expect(await ringing(con)).toBe(true);
    expect(await con.locator('[data-live="polite"]').textContent()).toContain('Vera Visitor');
    expect(await consoleA11y(con)).toEqual([]);

    await accept(con).click();
    await hangUp(con).waitFor();
    expect(await ringing(con)).toBe(false);
    await expectMediaFlowing(() => consoleInbound(con));
    await expectMediaFlowing(() => widgetInbound(v1));
    await expect.poll(() => status(con)).toBe('Online · in a call');
    // Issue 15: the agent can change the microphone during the call (sent at once, no new offer) and it is remembered.
    const mic = con.getByRole('combobox', { name: 'Microphone' });
    expect(await mic.evaluate((s: HTMLSelectElement) => [...s.options].map((o) => o.text))).toEqual(['Fake Default Audio Input', 'Fake Audio Input 1', 'Fake Audio Input 2']);
    expect(await con.getByRole('combobox', { name: 'Camera' }).count()).toBe(1);
    await mic.selectOption({ label: 'Fake Audio Input 1' });
    const sentAudio = () => con.evaluate(() => window.__cwConsoleTest?.peer()?.getSenders().find((x) => x.track?.kind === 'audio')?.track?.label);
    await expect.poll(sentAudio).toBe('Fake Audio Input 1');
    expect(await con.evaluate(() => JSON.parse(localStorage.getItem('cw-devices') ?? '{}').mic)).toBeTruthy();
    await expectMediaFlowing(() => widgetInbound(v1));
    expect(await consoleA11y(con)).toEqual([]);
    await expect.poll(() => con.getByRole('timer').textContent(), { timeout: 5000 }).not.toBe('00:00');
    // The second visitor sees the agent busy and cannot call.
    await waitAgentOnline(v2, agent.displayName, false);
    expect(await v2.getByText('Busy', { exact: true }).count()).toBeGreaterThan(0);

    // Chatting goes on during the call.
    await sendText(chatter, 'Are you still there?');
    await expect.poll(() => con.locator('.chat .lines').textContent()).toContain('Are you still there?');
    await sendText(con, 'Yes, on a call, but here.');
    await expect.poll(() => chatter.getByRole('log', { name: 'Messages' }).textContent()).toContain('Yes, on a call, but here.');
    expect(await hangUp(con).count()).toBe(1);

    // Mute toggles without renaming the control.
    await con.getByRole('button', { name: 'Mute', exact: true }).click();
    expect(await con.getByRole('button', { name: 'Mute', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await con.getByRole('button', { name: 'Camera off', exact: true }).click();
    expect(await con.getByRole('button', { name: 'Camera off', exact: true }).getAttribute('aria-pressed')).toBe('true');
    const sending = () => con.evaluate(() => window.__cwConsoleTest!.peer()!.getSenders().map((x) => `${x.track?.kind}:${x.track?.enabled}`).sort());
    expect(await sending()).toEqual(['audio:false', 'video:false']);
    await con.getByRole('button', { name: 'Mute', exact: true }).click();
    await con.getByRole('button', { name: 'Camera off', exact: true }).click();
    expect(await sending()).toEqual(['audio:true', 'video:true']);

    // Hang up in the console: both sides end.
    await hangUp(con).click();
    await expect.poll(() => hangUp(con).count()).toBe(0);
    await expect.poll(() => hangUp(v1).count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => status(con)).toBe('Online');
    await waitAgentOnline(v2, agent.displayName, true);

    // A second call; this time the visitor hangs up.
    await visitorCall(v2, agent.displayName, 'Walt Visitor', true);
    await con.getByRole('article').filter({ hasText: 'Walt Visitor' }).waitFor({ timeout: 15_000 });
    await accept(con).click();
    await expectMediaFlowing(() => consoleInbound(con));
    await hangUp(v2).click();
    await expect.poll(() => hangUp(con).count(), { timeout: 10_000 }).toBe(0);
    expect(await con.getByRole('list', { name: 'Notices' }).textContent()).toContain('the caller hung up');
    expect(await consoleInbound(con)).toBeNull();

    await con.getByRole('button', { name: 'End chat', exact: true }).click();
    await chatter.getByText(`${agent.displayName} ended the chat.`).waitFor({ timeout: 10_000 });
    for (const c of [actx, v1ctx, v2ctx, cctx]) await c.close();
    expect(errors).toEqual([]);
  });

  it('rings two consoles of one agent; the first to accept wins, the other stops at once', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const c1ctx = await newContext(browser);
    const c2ctx = await newContext(browser);
    const c1 = await openConsole(c1ctx, world, agent, 'Online');
    const c2 = await openConsole(c2ctx, world, agent, 'Online');
    const { ctx: vctx, page: v } = await openVisitorSeeing(browser, world, agent.displayName);

    await visitorCall(v, agent.displayName, 'Xena Visitor', false);
    await accept(c1).waitFor({ timeout: 15_000 });
    await accept(c2).waitFor({ timeout: 15_000 });
    expect(await ringing(c1)).toBe(true);
    expect(await ringing(c2)).toBe(true);

    await accept(c2).click();
    await hangUp(c2).waitFor();
    // A voice call: audio flows both ways, no video.
    await expectMediaFlowing(() => consoleInbound(c2), true);
    await expectMediaFlowing(() => widgetInbound(v), true);
    await expect.poll(() => accept(c1).count()).toBe(0);
    expect(await ringing(c1)).toBe(false);
    await expect.poll(() => c1.getByRole('list', { name: 'Notices' }).textContent()).toContain('answered on another console');
    expect(await hangUp(c1).count()).toBe(0);
    // The other console shows the agent busy in a call as well (Presence.visible).
    await expect.poll(() => status(c1)).toBe('Online · in a call');

    await hangUp(v).click();
    await expect.poll(() => hangUp(c2).count(), { timeout: 10_000 }).toBe(0);
    for (const c of [c1ctx, c2ctx, vctx]) await c.close();
  });

  it('notifies while the tab is hidden, ends a call cleanly when the network connection is lost, declines', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const actx = await newContext(browser);
    // Record notifications and let the test hide the tab (headless tabs are always visible).
    await actx.addInitScript(() => {
      const w = window as unknown as { __shown: string[]; __hidden: boolean };
      w.__shown = [];
      w.__hidden = false;
      Object.defineProperty(document, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible') });
      const Real = window.Notification;
      class Recorder {
        static get permission() {
          return Real.permission;
        }
        static requestPermission() {
          return Real.requestPermission();
        }
        onclick: unknown = null;
        constructor(title: string, o?: NotificationOptions) {
          w.__shown.push(`${title}: ${o?.body ?? ''}`);
        }
        close() {}
      }
      (window as unknown as { Notification: unknown }).Notification = Recorder;
    });
    const con = await openConsole(actx, world, agent, 'Online');
    // Permission is asked politely, by a button, not on load.
    await con.getByRole('button', { name: 'Turn on notifications' }).click();
    await expect.poll(() => con.getByRole('button', { name: 'Turn on notifications' }).count()).toBe(0);
    // Headless Chromium has no permission dialog: grant it as the agent would have. Overrides
    // replace each other, so camera and microphone are granted with it (else WebRTC hides host candidates).
    await actx.grantPermissions(['notifications', 'camera', 'microphone'], { origin: world.server.url });
    await expect.poll(() => con.evaluate(() => Notification.permission)).toBe('granted');

    const { ctx: vctx, page: v } = await openVisitorSeeing(browser, world, agent.displayName);
    await con.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = true));
    await visitorCall(v, agent.displayName, 'Yara Visitor', true);
    await accept(con).waitFor({ timeout: 15_000 });
    expect(await con.evaluate(() => (window as unknown as { __shown: string[] }).__shown)).toEqual([`Incoming video call: Yara Visitor via ${world.widgetName}`]);
    await con.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = false));

    await accept(con).click();
    await expectMediaFlowing(() => consoleInbound(con));
    // The server goes away: the console says so and ends the call cleanly; so does the widget.
    await world.server.restart();
    await expect.poll(() => hangUp(con).count(), { timeout: 10_000 }).toBe(0);
    expect(await con.getByRole('list', { name: 'Notices' }).textContent()).toContain('connection to the server was lost');
    expect(await consoleInbound(con)).toBeNull();
    await expect.poll(() => hangUp(v).count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => con.locator('.link').textContent(), { timeout: 20_000 }).toBe('Connected');
    await expect.poll(() => status(con), { timeout: 10_000 }).toBe('Online');

    // Decline: the tone stops and the caller's call ends.
    const { ctx: v2ctx, page: v2 } = await openVisitorSeeing(browser, world, agent.displayName);
    await visitorCall(v2, agent.displayName, 'Zoe Visitor', false);
    await con.getByRole('button', { name: 'Decline', exact: true }).click();
    await expect.poll(() => accept(con).count()).toBe(0);
    expect(await ringing(con)).toBe(false);
    await v2.getByText(`${agent.displayName} could not take the call.`).waitFor({ timeout: 10_000 });
    await actx.close();
    await vctx.close();
    await v2ctx.close();
  });
});
