/**
 * The widget's chat end to end: a visitor in real Chromium on a page of
 * another origin, a test agent on the agent channel (WsClient). Round trip
 * both ways, typing both ways, delivery state, a reload mid-chat that resumes
 * with the history, and an admin save that changes the open widget live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { launchChromium, need, startSite, startTestServer, type TestServer, type WsClient } from '@cw/testkit';
import { adminApi, agentWithToken, createWidget, hostPage, onlineAgent, widgetBody, type Api, type TestAgent } from './support/widget-env.js';
import { collectErrors } from './support/widget-browser.js';

const ready = await need('chromium');

describe.skipIf(!ready)('widget: chat', () => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  let api: Api;
  let ann: TestAgent;
  let agentWs: WsClient;
  let uuid: string;
  const agentBody = (sipId: string) => ({ sipId, media: ['chat', 'voice', 'video', 'email'] as ('chat' | 'voice' | 'video' | 'email')[], availability: 'presence' as const, email: `${sipId}@example.com` });

  beforeAll(async () => {
    server = await startTestServer();
    api = await adminApi(server);
    ann = await agentWithToken(server, api, 'ann', 'Ann Agent');
    agentWs = await onlineAgent(server, ann.token);
    const w = await createWidget(api, widgetBody({ name: 'Sales', texts: { title: 'Sales' }, agents: [agentBody('ann')] }));
    uuid = w.uuid;
    site = await startSite({ '/': hostPage('Shop', [w.embed]) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await agentWs?.close();
    await site?.close();
    await server?.close();
  });

  async function openChat(page: Page): Promise<void> {
    await page.goto(site.url + '/');
    const tab = page.getByRole('button', { name: 'Contact us' });
    await tab.click();
    await expect.poll(() => tab.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Vera Visitor');
    await page.getByRole('textbox', { name: 'Your name' }).press('Enter');
  }

  it('round trip both ways with typing and delivery state; a reload resumes the chat with its history', async () => {
    const ctx = await browser.newContext({ locale: 'en-US' });
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    await openChat(page);

    const offer = await agentWs.next('ChatOffer', 10_000);
    expect(offer.from.dn).toBe('Vera Visitor');
    agentWs.send({ mt: 'ChatAccept', chat: offer.chat });
    await page.getByText('Ann Agent joined the chat.').waitFor();

    // visitor → agent, with the delivery state shown
    const field = page.getByRole('textbox', { name: 'Message' });
    await field.fill('Hello, I need help with my order');
    const typingOn = await agentWs.next((m) => m.mt === 'Typing' && m.chat === offer.chat && m.typing === true);
    expect(typingOn.typing).toBe(true);
    await page.getByRole('button', { name: 'Send' }).click();
    const got = await agentWs.next((m) => m.mt === 'ChatMessage' && m.from === 'visitor');
    expect(got.text).toBe('Hello, I need help with my order');
    await page.getByRole('log').getByText('Sent').waitFor();

    // agent → visitor: typing indicator, then a message that looks like HTML stays text
    agentWs.send({ mt: 'Typing', chat: offer.chat, typing: true });
    await page.getByText('Ann Agent is typing…').waitFor();
    agentWs.send({ mt: 'ChatMessage', chat: offer.chat, cid: 'a1', text: 'Hi Vera! <b>Which</b> order?' });
    await page.getByRole('log').getByText('Hi Vera! <b>Which</b> order?').waitFor();
    expect(await page.locator('contact-widget').evaluate((el) => el.shadowRoot!.querySelectorAll('b').length)).toBe(0);
    await page.getByText('Ann Agent is typing…').waitFor({ state: 'detached' });

    // Closed sidebar: a new message shows as a count on the tab (its name stays exactly "Contact us").
    const tab = page.getByRole('button', { name: 'Contact us', exact: true });
    await tab.click();
    agentWs.send({ mt: 'ChatMessage', chat: offer.chat, cid: 'a2', text: 'Are you still there?' });
    await page.locator('contact-widget .badge').getByText('1').waitFor();
    expect(await page.getByRole('status').filter({ hasText: '1 new message' }).count()).toBe(1);
    await tab.click();
    await page.getByRole('log').getByText('Are you still there?').waitFor();
    await page.locator('contact-widget .badge').waitFor({ state: 'detached' });

    // a reload in the middle of the chat: it comes back with the history
    await page.reload();
    await page.getByRole('log').getByText('Hello, I need help with my order').waitFor();
    await page.getByRole('log').getByText('Hi Vera! <b>Which</b> order?').waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('Order 4711');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    const after = await agentWs.next((m) => m.mt === 'ChatMessage' && m.from === 'visitor' && m.text === 'Order 4711');
    expect(after.chat).toBe(offer.chat);

    await page.getByRole('button', { name: 'End chat' }).click();
    // Ending asks once (issue 15).
    await page.getByRole('alertdialog').getByRole('button', { name: 'End chat' }).click();
    const closed = await agentWs.next((m) => m.mt === 'ChatInfo' && m.chat === offer.chat && m.state === 'closed');
    expect(closed.by).toBe('visitor');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('an admin save changes what an open widget shows within a second', async () => {
    const ctx = await browser.newContext({ locale: 'en-US' });
    const page = await ctx.newPage();
    await page.goto(site.url + '/');
    await page.getByRole('button', { name: 'Contact us' }).click();
    await page.getByRole('heading', { name: 'Sales' }).waitFor();
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).waitFor();

    await api('PUT', `/api/widgets/${uuid}`, widgetBody({ name: 'Support', texts: { title: 'Support' }, appearance: { position: 'left', alwaysShow: true }, agents: [{ ...agentBody('ann'), displayName: 'Ann from Support', media: ['voice'] }] }));
    // Within a second of the save answering (the spec's bound).
    const t0 = Date.now();
    await page.getByRole('heading', { name: 'Support' }).waitFor({ timeout: 1000 });
    await page.getByRole('button', { name: 'Voice call Ann from Support' }).waitFor({ timeout: 1000 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await page.getByRole('button', { name: 'Chat with Ann from Support' }).count()).toBe(0);
    await ctx.close();
  });

  it('a network drop loses nothing: messages typed offline (even across a reload) are delivered once after reconnecting', async () => {
    await api('PUT', `/api/widgets/${uuid}`, widgetBody({ name: 'Sales', agents: [agentBody('ann')] }));
    const ctx = await browser.newContext({ locale: 'en-US' });
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    // The visitor's network, under the test's control: while "offline" every socket is cut at once.
    let offline = false;
    const live = new Set<WebSocketRoute>();
    await page.routeWebSocket(/\/ws\/widget/, (ws) => {
      if (offline) return ws.close({ code: 4000, reason: 'offline' });
      const up = ws.connectToServer();
      live.add(ws);
      ws.onClose(() => (live.delete(ws), up.close()));
    });
    const goOffline = async () => {
      offline = true;
      for (const ws of live) await ws.close({ code: 4000, reason: 'offline' });
    };

    await openChat(page);
    const offer = await agentWs.next((m) => m.mt === 'ChatOffer' && m.from.dn === 'Vera Visitor', 10_000);
    agentWs.send({ mt: 'ChatAccept', chat: offer.chat });
    await page.getByText('Ann Agent joined the chat.').waitFor();

    await goOffline();
    await page.getByText('Connection lost. Reconnecting…').waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('typed while offline');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('log').getByText('Sending…').waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('an unsent draft');

    // A reload while still offline: the chat, the pending message and the draft are all still there.
    await page.reload();
    await page.getByRole('log').getByText('typed while offline').waitFor();
    expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('an unsent draft');

    offline = false;
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    const got = await agentWs.next((m) => m.mt === 'ChatMessage' && m.from === 'visitor' && m.chat === offer.chat, 20_000);
    expect(got.text).toBe('typed while offline');
    await page.getByRole('log').getByText('Sent').waitFor({ timeout: 20_000 });
    // Delivered exactly once.
    agentWs.send({ mt: 'ChatMessage', chat: offer.chat, cid: 'after', text: 'got it' });
    await page.getByRole('log').getByText('got it').waitFor();
    expect(agentWs.received.filter((m) => m.mt === 'ChatMessage' && m.text === 'typed while offline')).toHaveLength(1);
    expect(await page.getByRole('log').getByText('typed while offline').count()).toBe(1);
    expect(errors.filter((e) => !e.includes('WebSocket'))).toEqual([]);
    await page.getByRole('button', { name: 'End chat' }).click();
    await ctx.close();
  });
});
