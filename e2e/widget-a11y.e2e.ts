/**
 * Accessibility of the widget (WCAG 2.2 AA): an axe-core scan, into the open
 * shadow roots, of every state (collapsed, expanded, cards, name prompt,
 * chat open, call ended); keyboard use; reduced motion; 360 px width.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, need, startSite, startTestServer, type TestServer, type WsClient } from '@cw/testkit';
import { adminApi, agentWithToken, createWidget, hostPage, onlineAgent, widgetBody } from './support/widget-env.js';
import { axeViolations, collectErrors } from './support/widget-browser.js';

const ready = await need('chromium');

describe.skipIf(!ready)('widget: accessibility', () => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  let agent: WsClient;

  beforeAll(async () => {
    server = await startTestServer();
    const api = await adminApi(server);
    const ann = await agentWithToken(server, api, 'ann', 'Ann Agent');
    await agentWithToken(server, api, 'olga', 'Olga Offline');
    agent = await onlineAgent(server, ann.token);
    const agents = [
      { sipId: 'ann', department: 'Sales', phone: '+1 555 0101', email: 'ann@example.com', media: ['chat', 'voice', 'video', 'email'] as any, availability: 'presence' as const, link: 'https://example.com/hours' },
      { sipId: 'olga', department: 'Support', media: ['chat', 'voice'] as any, availability: 'presence' as const },
    ];
    const side = await createWidget(api, widgetBody({ name: 'Sales', appearance: { position: 'right', alwaysShow: true }, agents }));
    const cards = await createWidget(api, widgetBody({ type: 'cards', name: 'Team', appearance: { colors: { primary: '#ffd400' } }, agents }));
    site = await startSite({ '/': hostPage('Shop', [side.embed, cards.embed]), '/side': hostPage('Shop', [side.embed]) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await site?.close();
    await server?.close();
  });

  /** Whether the element has focus inside its shadow root (the widget's). */
  const hasFocus = (l: Locator) => l.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el).catch(() => false);

  async function expectClean(page: Page, state: string): Promise<void> {
    const v = await axeViolations(page);
    expect(v, `${state}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
  }

  it('has no axe violations in any state', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    const errors = collectErrors(page);
    await page.goto(site.url + '/');
    await page.locator('.side').getByRole('button', { name: 'Contact us' }).waitFor();
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).first().waitFor();
    await expectClean(page, 'collapsed sidebar + cards');

    await page.getByRole('button', { name: 'Contact us' }).click();
    await page.locator('.panel').getByRole('button', { name: 'Chat with Ann Agent' }).waitFor();
    await expectClean(page, 'expanded sidebar');

    await page.locator('.panel').getByRole('button', { name: 'Chat with Ann Agent' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).waitFor();
    await expectClean(page, 'name prompt');
    // An empty name is refused with a message tied to the field.
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText('Please enter your name.').waitFor();
    await expectClean(page, 'name prompt with error');

    await page.getByRole('textbox', { name: 'Your name' }).fill('Ada');
    await page.getByRole('textbox', { name: 'Your e-mail (optional)' }).fill('not-an-address');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText('Please enter a valid e-mail address, or leave the field empty.').waitFor();
    await expectClean(page, 'name prompt with e-mail error');
    await page.getByRole('textbox', { name: 'Your e-mail (optional)' }).fill('ada@example.org');
    await page.getByRole('textbox', { name: 'Your name' }).press('Enter');
    const offer = await agent.next('ChatOffer', 10_000);
    expect(offer.from).toEqual({ dn: 'Ada', email: 'ada@example.org' });
    agent.send({ mt: 'ChatAccept', chat: offer.chat });
    await page.getByRole('textbox', { name: 'Message' }).fill('Hello');
    await page.getByRole('button', { name: 'Send' }).click();
    agent.send({ mt: 'ChatMessage', chat: offer.chat, cid: 'a1', text: 'Hi Ada' });
    agent.send({ mt: 'Typing', chat: offer.chat, typing: true });
    await page.getByText('Hi Ada').waitFor();
    await expectClean(page, 'chat open');

    agent.send({ mt: 'ChatEnd', chat: offer.chat });
    await page.getByText('Ann Agent ended the chat.').waitFor();
    await expectClean(page, 'chat ended');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('works with the keyboard alone, with visible focus', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(site.url + '/side');
    const tab = page.getByRole('button', { name: 'Contact us' });
    await tab.waitFor();
    await page.keyboard.press('Tab');
    await expect.poll(() => hasFocus(tab)).toBe(true);
    expect(await tab.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
    await page.keyboard.press('Enter');
    await expect.poll(() => tab.getAttribute('aria-expanded')).toBe('true');
    // Tab goes from the tab into the panel: the first agent's link, then its first action.
    await page.keyboard.press('Tab');
    const link = page.getByRole('link', { name: 'Opening hours of Ann Agent' });
    await expect.poll(() => hasFocus(link)).toBe(true);
    await page.keyboard.press('Tab');
    const chat = page.getByRole('button', { name: 'Chat with Ann Agent' });
    await expect.poll(() => hasFocus(chat)).toBe(true);
    await page.keyboard.press('Enter');
    const name = page.getByRole('textbox', { name: 'Your name' });
    await expect.poll(() => hasFocus(name)).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).focus();
    await page.keyboard.press('Enter');
    // Back in the list, focus returns to the agent the visitor came from; Escape closes the sidebar.
    await expect.poll(() => hasFocus(chat)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => tab.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => hasFocus(tab)).toBe(true);
    await page.close();
  });

  it('respects reduced motion and fits a 360 px wide screen', async () => {
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 360, height: 640 }, reducedMotion: 'reduce' });
    await page.goto(site.url + '/side');
    const tab = page.getByRole('button', { name: 'Contact us' });
    await tab.click();
    const panel = page.locator('.panel');
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).waitFor();
    expect(await page.locator('.side').evaluate((el) => getComputedStyle(el).transitionDuration)).toBe('0s');
    const box = (await panel.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.close();
  });
});
