/**
 * Issue 15, second part, in Chromium: an open widget's Save and Code stay in
 * view below the sticky top bar while its form scrolls; Appearance and
 * Advanced are folded (open on an error inside, remembered per browser); in the widget, ending a
 * chat with a conversation asks once (one End chat, focus on Keep chatting,
 * Escape keeps), and a video call has Larger video and Full screen controls
 * and the shared call timer format (mm:ss).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, need, startSite, startTestServer, type TestServer, type WsClient } from '@cw/testkit';
import { adminApi, agentWithToken, createWidget, hostPage, onlineAgent, widgetBody } from './support/widget-env.js';
import { axeViolations as widgetAxe, collectErrors } from './support/widget-browser.js';
import { agentPageHtml } from './support/widget-agent-page.js';
import { axeViolations, createUser, newAdminPage, openWidget, signIn, startAdminWorld, type AdminWorld } from './support/admin-world.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

describe.skipIf(!ok)('issue 15: every screen (admin)', () => {
  let w: AdminWorld;
  let ctx: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    w = await startAdminWorld();
    await createUser(w.api, { username: 'ann', displayName: 'Ann Example', sipId: 'ann', roles: ['agent'] });
    await w.api('POST', '/api/widgets', { type: 'sidebar', name: 'Shop sidebar', agents: [{ sipId: 'ann', media: ['chat', 'voice'], availability: 'presence' }] });
    ({ ctx, page, errors } = await newAdminPage(w.browser, { width: 1024, height: 600 }));
  });
  afterAll(async () => {
    await ctx?.close();
    await w?.close();
  });

  it('keeps Save and Code in view, below the sticky top bar, after the page scrolls', async () => {
    await signIn(page, w.server);
    const region = await openWidget(page, 'Shop sidebar');
    const save = region.getByRole('button', { name: 'Save' });
    const code = region.getByRole('button', { name: 'Code' });
    // Scroll to the end of the open widget's form (the preview follows it on a window this narrow).
    await region.getByRole('button', { name: 'Add agent' }).scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, 150));
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(200);
    const bar = await page.locator('header.topbar').boundingBox();
    for (const b of [save, code]) {
      const box = await b.boundingBox();
      expect(box).not.toBeNull();
      // Below the bar, inside the window, and the element at its centre is the button itself (nothing covers it).
      expect(box!.y).toBeGreaterThanOrEqual(bar!.y + bar!.height - 1);
      expect(box!.y + box!.height).toBeLessThanOrEqual(600);
      const hit = await b.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !!top && (top === el || el.contains(top));
      });
      expect(hit).toBe(true);
    }
    await code.click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    await page.keyboard.press('Escape');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('folds Appearance and Advanced: everyday fields open, a field with an error opens its section, the choice is remembered', async () => {
    const region = await openWidget(page, 'Shop sidebar');
    const appearance = region.getByRole('button', { name: 'Appearance', exact: true });
    const advanced = region.getByRole('button', { name: 'Advanced', exact: true });
    const primary = region.getByRole('textbox', { name: 'Primary colour', exact: true });
    // Folded at first; the everyday fields and the agents are open.
    expect(await appearance.getAttribute('aria-expanded')).toBe('false');
    expect(await advanced.getAttribute('aria-expanded')).toBe('false');
    expect(await primary.isVisible()).toBe(false);
    expect(await region.getByLabel('Allowed origins').isVisible()).toBe(false);
    for (const label of ['Name', 'Heading', 'Company']) expect(await region.getByLabel(label, { exact: true }).isVisible()).toBe(true);
    expect(await region.getByRole('button', { name: 'Add agent' }).isVisible()).toBe(true);
    expect(await region.getByText('Position, font, colours, margins and z-index.').isVisible()).toBe(true);
    // Opened like a user; then closed again with a bad colour inside.
    await appearance.click();
    await expect.poll(() => appearance.getAttribute('aria-expanded')).toBe('true');
    await primary.fill('greenish');
    await appearance.click();
    await expect.poll(() => primary.isVisible()).toBe(false);
    // Save refuses, and the section with the field in error opens with the focus on it.
    await region.getByRole('button', { name: 'Save' }).click();
    await region.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    await expect.poll(() => appearance.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-field'))).toBe('appearance.colors.primary');
    expect(await axeViolations(page)).toEqual([]);
    // Back to the saved value (nothing unsaved); the user opens Advanced and closes Appearance.
    await primary.fill('');
    await expect.poll(() => region.getByText('Unsaved changes').count()).toBe(0);
    await advanced.click();
    await region.getByLabel('Allowed origins').waitFor();
    await appearance.click();
    // This browser remembers the choice after a reload.
    await page.reload();
    const again = await openWidget(page, 'Shop sidebar');
    await expect.poll(() => again.getByRole('button', { name: 'Advanced', exact: true }).getAttribute('aria-expanded')).toBe('true');
    expect(await again.getByRole('button', { name: 'Appearance', exact: true }).getAttribute('aria-expanded')).toBe('false');
    expect(await again.getByLabel('Allowed origins').isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe.skipIf(!ok)('issue 15: widget chat and call', () => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  let annWs: WsClient;
  let vid: { token: string };

  beforeAll(async () => {
    server = await startTestServer();
    const api = await adminApi(server);
    const ann = await agentWithToken(server, api, 'ann', 'Ann Agent');
    vid = await agentWithToken(server, api, 'vid', 'Vida Video');
    annWs = await onlineAgent(server, ann.token);
    const w = await createWidget(
      api,
      widgetBody({
        name: 'Sales',
        agents: [
          { sipId: 'ann', media: ['chat', 'voice'], availability: 'presence' },
          { sipId: 'vid', media: ['voice', 'video'], availability: 'presence' },
        ],
      }),
    );
    site = await startSite({ '/': hostPage('Shop', [w.embed]), '/agent': agentPageHtml(server.wsUrl, vid.token) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await annWs?.close();
    await site?.close();
    await server?.close();
  });

  async function visitor(): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
    const ctx = await browser.newContext({ locale: 'en-US' });
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    await page.goto(site.url + '/');
    const tab = page.getByRole('button', { name: 'Contact us' });
    await tab.click();
    await expect.poll(() => tab.getAttribute('aria-expanded')).toBe('true');
    return { ctx, page, errors };
  }

  const active = (page: Page) => page.evaluate(() => document.querySelector('contact-widget')!.shadowRoot!.activeElement?.textContent ?? null);

  it('ending a chat with a conversation asks once inside the widget: one End chat, focus on Keep chatting, Escape keeps', async () => {
    const { ctx, page, errors } = await visitor();
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Vera Visitor');
    await page.getByRole('textbox', { name: 'Your name' }).press('Enter');
    const offer = await annWs.next('ChatOffer', 10_000);
    annWs.send({ mt: 'ChatAccept', chat: offer.chat });
    await page.getByText('Ann Agent joined the chat.').waitFor();
    const field = page.getByRole('textbox', { name: 'Message' });
    await field.fill('Do you ship to Norway?');
    await page.getByRole('button', { name: 'Send' }).click();
    await annWs.next((m) => m.mt === 'ChatMessage' && m.from === 'visitor');

    const endChat = page.getByRole('button', { name: 'End chat' });
    const ask = page.getByRole('alertdialog', { name: 'End the chat with Ann Agent? You cannot continue it afterwards.' });
    // First press asks; while asking, the question's End chat is the only one, and focus is on Keep chatting.
    await endChat.click();
    await ask.waitFor();
    expect(await endChat.count()).toBe(1);
    expect(await ask.getByRole('button', { name: 'End chat' }).count()).toBe(1);
    await expect.poll(() => active(page)).toBe('Keep chatting');
    expect(await widgetAxe(page)).toEqual([]);
    // Escape keeps the chat; focus back in the message field.
    await page.keyboard.press('Escape');
    await ask.waitFor({ state: 'detached' });
    await expect.poll(() => field.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
    // Keep chatting keeps it too.
    await endChat.click();
    await ask.getByRole('button', { name: 'Keep chatting' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(await endChat.count()).toBe(1);
    expect(await page.getByText('You ended the chat.').count()).toBe(0);
    // Confirmed once, it ends.
    await endChat.click();
    await ask.getByRole('button', { name: 'End chat' }).click();
    await page.getByText('You ended the chat.').waitFor();
    const closed = await annWs.next((m) => m.mt === 'ChatInfo' && m.chat === offer.chat && m.state === 'closed');
    expect(closed.by).toBe('visitor');
    expect(annWs.received.filter((m) => m.mt === 'ChatInfo' && m.chat === offer.chat && m.state === 'closed')).toHaveLength(1);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a video call has Larger video (aria-pressed) and Full screen, and the timer reads mm:ss', async () => {
    const agentCtx = await browser.newContext();
    const agentPage = await agentCtx.newPage();
    await agentPage.goto(site.url + '/agent');
    await agentPage.waitForFunction(() => (window as any).agent.state === 'online');
    const { ctx, page, errors } = await visitor();
    await page.getByRole('button', { name: 'Video call Vida Video' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Vic Viewer');
    await page.getByRole('textbox', { name: 'Your name' }).press('Enter');
    await page.getByText('Connected with Vida Video').waitFor({ timeout: 15_000 });
    // In the call the head names the agent without their presence (it would say "Busy": busy with this visitor).
    await expect.poll(() => page.locator('contact-widget .peer .state').count()).toBe(0);
    expect(await page.locator('contact-widget .peer').textContent()).toContain('Vida Video');
    await expect.poll(() => page.getByRole('timer').textContent(), { timeout: 10_000 }).toMatch(/^00:0[1-9]$/);
    const videos = page.locator('contact-widget .videos');
    const before = (await videos.boundingBox())!;
    const larger = page.getByRole('button', { name: 'Larger video' });
    expect(await larger.getAttribute('aria-pressed')).toBe('false');
    await larger.click();
    await expect.poll(() => larger.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(async () => (await videos.boundingBox())!.height).toBeGreaterThan(before.height);
    const full = page.getByRole('button', { name: 'Full screen' });
    expect(await full.getAttribute('aria-pressed')).toBe('false');
    expect(await widgetAxe(page)).toEqual([]);
    await larger.click();
    await expect.poll(() => larger.getAttribute('aria-pressed')).toBe('false');
    await page.getByRole('button', { name: 'Hang up' }).click();
    await page.getByText('The call has ended.').waitFor();
    expect(errors).toEqual([]);
    await ctx.close();
    await agentCtx.close();
  });
});
