/**
 * A visitor calls an agent from the widget (business cards) in real Chromium:
 * the agent is a minimal test page in a second browser context that answers
 * with a complete SDP. Audio and video bytes must flow both ways (getStats()
 * read twice on each side); hang-up from either side ends both. Runs inside
 * the private network namespace (media stays on loopback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { launchChromium, need, startSite, startTestServer, type TestServer } from '@cw/testkit';
import { adminApi, agentWithToken, createWidget, hostPage, widgetBody } from './support/widget-env.js';
import { axeViolations, collectErrors, inboundBytes } from './support/widget-browser.js';
import { agentPageHtml } from './support/widget-agent-page.js';

// A real (tiny) PNG: the server re-encodes pictures.
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const ready = (await need('chromium')) && (await need('netns', 'media tests run inside `unshare -n`'));

describe.skipIf(!ready)('widget: calls', () => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  let agentCtx: BrowserContext;
  let agentPage: Page;
  let visitorCtx: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    server = await startTestServer();
    const api = await adminApi(server);
    const bob = await agentWithToken(server, api, 'bob', 'Bob Builder');
    await agentWithToken(server, api, 'olga', 'Olga Offline');
    const w = await createWidget(
      api,
      widgetBody({
        type: 'cards',
        name: 'Team',
        agents: [
          { sipId: 'bob', picture: PNG, department: 'Sales', phone: '+1 555 0101', email: 'bob@example.com', media: ['voice', 'video', 'chat', 'email'], availability: 'presence', link: 'https://example.com/hours' },
          { sipId: 'olga', media: ['voice', 'video', 'chat'], availability: 'presence' },
        ],
      }),
    );
    const side = await createWidget(api, widgetBody({ name: 'Sales', agents: [{ sipId: 'bob', media: ['voice', 'video'], availability: 'presence' }] }));
    site = await startSite({ '/': hostPage('Team', [w.embed]), '/side': hostPage('Sales', [side.embed]), '/agent': agentPageHtml(server.wsUrl, bob.token) });
    browser = await launchChromium();
    agentCtx = await browser.newContext();
    agentPage = await agentCtx.newPage();
    await agentPage.goto(site.url + '/agent');
    await agentPage.waitForFunction(() => (window as any).agent.state === 'online');
    visitorCtx = await browser.newContext({ locale: 'en-US' });
    page = await visitorCtx.newPage();
    errors = collectErrors(page);
    await page.goto(site.url + '/');
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  /** Waits until the test agent is in one of `states` (it may pass through one quickly). */
  const agentState = (...states: string[]) => agentPage.waitForFunction((want) => want.includes((window as any).agent.state), states);

  async function growth(who: 'agent' | 'contact-widget', kinds: ('audio' | 'video')[], visitorPage: Page = page): Promise<void> {
    const p = who === 'agent' ? agentPage : visitorPage;
    const first = await inboundBytes(p, who);
    for (const k of kinds) {
      await expect.poll(async () => (await inboundBytes(p, who))[k], { timeout: 15_000, interval: 200 }).toBeGreaterThan(first[k]);
    }
  }

  it('cards show availability in text, and calls to an offline agent are disabled with a reason', async () => {
    await page.getByText('Bob Builder', { exact: true }).waitFor();
    await page.getByText('Sales', { exact: true }).waitFor();
    await page.getByText('Available', { exact: true }).waitFor();
    await page.getByText('Not available', { exact: true }).waitFor();
    const video = page.getByRole('button', { name: 'Video call Bob Builder' });
    await expect.poll(() => video.getAttribute('aria-disabled')).toBe(null);
    const olga = page.getByRole('button', { name: 'Video call Olga Offline' });
    await expect.poll(() => olga.getAttribute('aria-disabled')).toBe('true');
    const reasonId = (await olga.getAttribute('aria-describedby'))!;
    expect(await page.locator(`contact-widget >> #${reasonId}`).textContent()).toContain('Olga Offline is not available');
    expect(await page.getByRole('link', { name: 'E-mail Bob Builder' }).getAttribute('href')).toBe('mailto:bob@example.com');
    expect(await page.getByRole('link', { name: 'Phone Bob Builder' }).getAttribute('href')).toBe('tel:+15550101');
    // The picture arrived (GetPicture → Picture) as a data: URL.
    await expect.poll(() => page.locator('contact-widget img.pic').getAttribute('src')).toMatch(/^data:image\//);
  });

  it('presence changes show live: busy disables calls with the reason, online enables them again', async () => {
    const video = page.getByRole('button', { name: 'Video call Bob Builder' });
    await agentPage.evaluate(() => (window as any).agent.setPresence('busy'));
    await expect.poll(() => video.getAttribute('aria-disabled')).toBe('true');
    await page.getByText('Busy', { exact: true }).waitFor();
    expect(await video.getAttribute('title')).toContain('Bob Builder is busy right now.');
    await agentPage.evaluate(() => (window as any).agent.setPresence('online'));
    await expect.poll(() => video.getAttribute('aria-disabled')).toBe(null);
  });

  it('video call: audio and video flow both ways, the visitor hangs up, both end', async () => {
    await page.getByRole('button', { name: 'Video call Bob Builder' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Vic Visitor');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await agentState('answered', 'connected');
    await page.getByText('Connected with Bob Builder').waitFor({ timeout: 15_000 });
    expect(await agentPage.evaluate(() => (window as any).agent.log.find((m: any) => m.mt === 'IncomingCall').from.dn)).toBe('Vic Visitor');

    await growth('contact-widget', ['audio', 'video']);
    await growth('agent', ['audio', 'video']);
    await page.locator('contact-widget video.self').waitFor();
    await page.getByRole('timer').waitFor();
    const v = await axeViolations(page);
    expect(v, JSON.stringify(v, null, 1)).toEqual([]);

    const mute = page.getByRole('button', { name: 'Mute' });
    await mute.click();
    await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('true');

    await page.getByRole('button', { name: 'Hang up' }).click();
    await agentState('terminated');
    await page.getByText('The call has ended.').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('voice call: audio flows both ways, the agent hangs up, the visitor is told; the name is asked once per tab', async () => {
    // A tab of its own, so the test does not depend on the name given in another test.
    const p = await visitorCtx.newPage();
    const tabErrors = collectErrors(p);
    await p.goto(site.url + '/');
    await p.getByRole('button', { name: 'Voice call Bob Builder' }).click();
    await p.getByRole('textbox', { name: 'Your name' }).fill('Val Voice');
    await p.getByRole('textbox', { name: 'Your name' }).press('Enter');
    await agentState('answered', 'connected');
    await p.getByText('Connected with Bob Builder').waitFor({ timeout: 15_000 });
    await growth('contact-widget', ['audio'], p);
    await growth('agent', ['audio']);
    await agentPage.evaluate(() => (window as any).agent.hangUp());
    await p.getByText('Bob Builder ended the call.').waitFor();
    await agentState('terminated');
    await p.getByRole('button', { name: 'Close' }).click();

    // The name is remembered for this tab: the next call goes out without asking.
    await p.getByRole('button', { name: 'Voice call Bob Builder' }).click();
    await agentState('answered', 'connected');
    expect(await p.getByRole('textbox', { name: 'Your name' }).count()).toBe(0);
    await p.getByText('Connected with Bob Builder').waitFor({ timeout: 15_000 });
    const incoming = await agentPage.evaluate(() => (window as any).agent.log.filter((m: any) => m.mt === 'IncomingCall').map((m: any) => m.from.dn));
    expect(incoming.slice(-2)).toEqual(['Val Voice', 'Val Voice']);
    await p.getByRole('button', { name: 'Hang up' }).click();
    await agentState('terminated');
    expect(tabErrors).toEqual([]);
    expect(errors).toEqual([]);
    await p.close();
  });

  it('a denied microphone or camera ends the call with a clear message', async () => {
    const ctx = await browser.newContext({ locale: 'en-US' });
    await ctx.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    const p = await ctx.newPage();
    await p.goto(site.url + '/');
    await p.getByRole('button', { name: 'Voice call Bob Builder' }).click();
    await p.getByRole('textbox', { name: 'Your name' }).fill('Denise');
    await p.getByRole('textbox', { name: 'Your name' }).press('Enter');
    await p.getByText('The call needs your microphone. Please allow access to it in your browser.').waitFor();
    await p.getByRole('button', { name: 'Close' }).click();
    await p.getByRole('button', { name: 'Video call Bob Builder' }).click();
    await p.getByText('The video call needs your camera. Please allow access to it in your browser.').waitFor();
    await ctx.close();
  });

  it('shows ringing; hanging up while it rings cancels the call at the agent', async () => {
    await agentPage.evaluate(() => ((window as any).agent.autoAnswer = false));
    // A tab of its own: it asks for the name, whatever other tests did.
    const p = await visitorCtx.newPage();
    try {
      await p.goto(site.url + '/');
      await p.getByRole('button', { name: 'Voice call Bob Builder' }).click();
      await p.getByRole('textbox', { name: 'Your name' }).fill('Rita Ring');
      await p.getByRole('textbox', { name: 'Your name' }).press('Enter');
      await p.getByText('Ringing…').waitFor({ timeout: 15_000 });
      await agentState('ringing');
      await p.getByRole('button', { name: 'Hang up' }).click();
      await agentState('terminated');
      expect(await agentPage.evaluate(() => (window as any).agent.cause)).toBe('cancelled');
      await p.getByRole('button', { name: 'Close' }).click();
    } finally {
      await p.close();
      await agentPage.evaluate(() => ((window as any).agent.autoAnswer = true));
    }
  });

  it('a lost connection ends the call on both sides and tells the visitor why', async () => {
    const ctx = await browser.newContext({ locale: 'en-US' });
    const p = await ctx.newPage();
    const routes = new Set<WebSocketRoute>();
    await p.routeWebSocket(/\/ws\/widget/, (ws) => {
      const up = ws.connectToServer();
      routes.add(ws);
      ws.onClose(() => up.close());
    });
    await p.goto(site.url + '/');
    await p.getByRole('button', { name: 'Voice call Bob Builder' }).click();
    await p.getByRole('textbox', { name: 'Your name' }).fill('Nora Network');
    await p.getByRole('button', { name: 'Start' }).click();
    await p.getByText('Connected with Bob Builder').waitFor({ timeout: 15_000 });
    await agentState('connected', 'answered');
    for (const r of routes) await r.close({ code: 4000, reason: 'network down' });
    await p.getByText('The connection was lost, so the call ended.').waitFor();
    await agentState('terminated');
    await ctx.close();
  });

  it('closing the sidebar during a call keeps the call and its sound', async () => {
    const p = await visitorCtx.newPage();
    await p.goto(site.url + '/side');
    const tab = p.getByRole('button', { name: 'Contact us' });
    await tab.click();
    await p.getByRole('button', { name: 'Voice call Bob Builder' }).click();
    await p.getByRole('textbox', { name: 'Your name' }).fill('Sid Sidebar');
    await p.getByRole('textbox', { name: 'Your name' }).press('Enter');
    await p.getByText('Connected with Bob Builder').waitFor({ timeout: 15_000 });
    await tab.click();
    await expect.poll(() => tab.getAttribute('aria-expanded')).toBe('false');
    const audio = p.locator('contact-widget audio');
    expect(await audio.evaluate((el: HTMLAudioElement) => !el.paused && el.srcObject !== null)).toBe(true);
    await growth('agent', ['audio']);
    await tab.click();
    await p.getByRole('button', { name: 'Hang up' }).click();
    await agentState('terminated');
    await p.close();
  });
});
