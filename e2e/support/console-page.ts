/**
 * Driving the agent console and the visitor widget from Playwright, by the
 * accessible names of spec section 7.
 */
import { expect } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { newContext, watchErrors, type AgentCreds, type World } from './console-world.js';

/**
 * Opens /agent?test=1 in the context, signs in and waits for the connection.
 * With `errors`, the page's errors are collected from before it loads (so sign-in errors count too).
 */
export async function openConsole(ctx: BrowserContext, world: World, agent: AgentCreds, presence: 'Online' | 'Away' | 'Busy' | 'Offline' | null = 'Online', errors?: string[]): Promise<Page> {
  const page = await ctx.newPage();
  // Before sign-in the console asks /api/me whether a session exists; Chromium logs the 401 answer.
  let signingIn = true;
  if (errors) watchErrors(page, 'console', errors, (e) => signingIn && /401 \(Unauthorized\) \S+\/api\/me$/.test(e));
  await page.goto(`${world.server.url}/agent/?test=1`);
  await page.getByLabel('Username').fill(agent.username);
  await page.getByLabel('Password').fill(agent.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Connected' }).count(), { timeout: 10_000 }).toBe(1);
  signingIn = false;
  if (presence) await setPresence(page, presence);
  return page;
}

export function presenceControl(page: Page): Locator {
  return page.getByLabel('Presence', { exact: true });
}

/** Picks a presence and waits for the server to confirm it in the status line. */
export async function setPresence(page: Page, p: 'Online' | 'Away' | 'Busy' | 'Offline'): Promise<void> {
  await presenceControl(page).selectOption({ label: p });
  await expect.poll(() => page.locator('#presence-status').textContent()).toBe(p);
}

/** The visitor's widget page (its own context) on the customer website. */
export async function openVisitor(ctx: BrowserContext, world: World): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(world.site.url + '/');
  return page;
}

/** A visitor in a fresh context on the customer website, once its widget shows the agent (un)reachable. */
export async function openVisitorSeeing(browser: Browser, world: World, agentDn: string, online = true): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await newContext(browser);
  const page = await openVisitor(ctx, world);
  await waitAgentOnline(page, agentDn, online);
  return { ctx, page };
}

/** Opens the sidebar ("Contact us") if it is closed. */
export async function openWidget(visitor: Page): Promise<void> {
  const tab = visitor.getByRole('button', { name: 'Contact us' });
  await tab.waitFor({ timeout: 15_000 });
  if ((await tab.getAttribute('aria-expanded')) !== 'true') await tab.click();
}

/** Waits until the widget offers the agent as reachable (its buttons are not aria-disabled). */
export async function waitAgentOnline(visitor: Page, agentDn: string, online = true): Promise<void> {
  await openWidget(visitor);
  const btn = visitor.getByRole('button', { name: `Chat with ${agentDn}` });
  await expect.poll(async () => (await btn.count()) > 0 && (await btn.getAttribute('aria-disabled')) !== 'true', { timeout: 15_000 }).toBe(online);
}

/** Starts a chat from the widget: "Chat with Name", "Your name", "Start". */
export async function visitorStartChat(visitor: Page, agentDn: string, dn: string, email?: string): Promise<void> {
  await visitor.getByRole('button', { name: `Chat with ${agentDn}` }).click();
  await visitor.getByLabel('Your name').fill(dn);
  if (email) await visitor.getByLabel(/e-mail/i).fill(email);
  await visitor.getByRole('button', { name: 'Start' }).click();
}

/** Starts a call from the widget (one click rings the agent). */
export async function visitorCall(visitor: Page, agentDn: string, dn: string, video: boolean): Promise<void> {
  await visitor.getByRole('button', { name: `${video ? 'Video' : 'Voice'} call ${agentDn}` }).click();
  await visitor.getByLabel('Your name').fill(dn);
  await visitor.getByRole('button', { name: 'Start', exact: true }).click();
}

/** Sends a chat message from a page that has one "Message" field. */
export async function sendText(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

/** inbound-rtp bytes of the console's call, through the ?test=1 hook. */
export function consoleInbound(page: Page): Promise<{ audio: number; video: number } | null> {
  return page.evaluate(() => window.__cwConsoleTest?.inboundBytes() ?? null);
}

/** inbound-rtp bytes of the widget's call, through its symbol-keyed peer getter. */
export function widgetInbound(page: Page): Promise<{ audio: number; video: number } | null> {
  return page.evaluate(async () => {
    const el = document.querySelector('contact-widget') as (HTMLElement & Record<symbol, RTCPeerConnection | null>) | null;
    const pc = el?.[Symbol.for('contact-widget.peer')];
    if (!pc) return null;
    const out = { audio: 0, video: 0 };
    (await pc.getStats()).forEach((r: { type: string; kind?: string; bytesReceived?: number }) => {
      if (r.type === 'inbound-rtp' && (r.kind === 'audio' || r.kind === 'video')) out[r.kind] += r.bytesReceived ?? 0;
    });
    return out;
  });
}

/** Reads inbound bytes twice and expects audio (and video, unless `audioOnly`) to grow. */
export async function expectMediaFlowing(read: () => Promise<{ audio: number; video: number } | null>, audioOnly = false): Promise<void> {
  let first: { audio: number; video: number } | null = null;
  await expect.poll(async () => {
    first = await read();
    return !!first && first.audio > 0 && (audioOnly || first.video > 0);
  }, { timeout: 15_000 }).toBe(true);
  await expect.poll(async () => {
    const again = await read();
    return !!again && again.audio > first!.audio && (audioOnly ? again.video === 0 : again.video > first!.video);
  }, { timeout: 15_000 }).toBe(true);
}
