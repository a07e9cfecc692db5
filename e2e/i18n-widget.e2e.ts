/**
 * The widget in twelve languages (issue 16, spec 13): Arabic on a
 * right-to-left page (dir="rtl" on the root in the shadow root, mirrored
 * layout, axe clean), Polish plural forms of the unread count (1, 2, 5, 22)
 * read from the accessibility tree's polite live region, the browser's
 * languages matched with fallbacks (pt-BR → pt), an agent going offline
 * announced once, reflow at 320 CSS px, forced-colors mode, and a
 * screenshot of every language kept in test-results/i18n/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, need, startSite, startTestServer, type TestServer, type WsClient } from '@cw/testkit';
import { LANGUAGES } from '@cw/i18n';
import { widgetStrings } from '@cw/i18n/widget';
import { adminApi, agentWithToken, createWidget, hostPage, onlineAgent, widgetBody } from './support/widget-env.js';
import { axeViolations, collectErrors } from './support/widget-browser.js';
import { liveRegions, politeTexts } from './support/live-regions.js';

const ready = await need('chromium');
const SHOTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../test-results/i18n');

/** The embed code with a `lang` attribute on the element. */
const withLang = (embed: string, lang: string) => embed.replace('<contact-widget ', `<contact-widget lang="${lang}" `);
/** A text as the widget shows it: placeholders filled, values isolated (U+2068…U+2069) as in RTL languages. */
const isoFree = (s: string | null) => (s ?? '').replace(/[\u2068\u2069]/g, '');

describe.skipIf(!ready)('widget: languages and right to left', () => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  let agent: WsClient;
  let embed: string;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer();
    const api = await adminApi(server);
    const ann = await agentWithToken(server, api, 'ann', 'Ann Agent');
    await agentWithToken(server, api, 'olga', 'Olga Offline');
    agent = await onlineAgent(server, ann.token);
    const agents = [
      { sipId: 'ann', department: 'Sales', phone: '+1 555 0101', email: 'ann@example.com', media: ['chat', 'voice', 'video', 'email'] as any, availability: 'presence' as const },
      { sipId: 'olga', department: 'Support', media: ['chat', 'voice'] as any, availability: 'presence' as const },
    ];
    const side = await createWidget(api, widgetBody({ name: 'Sales', appearance: { position: 'right', alwaysShow: true }, agents }));
    embed = side.embed;
    const pages: Record<string, string> = {
      '/': hostPage('Shop', [embed]),
      '/ar': hostPage('متجر', [withLang(embed, 'ar')]).replace('<html lang="en">', '<html lang="ar" dir="rtl">'),
    };
    for (const l of LANGUAGES) pages[`/lang/${l}`] = hostPage('Shop', [withLang(embed, l)]);
    site = await startSite(pages);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await site?.close();
    await server?.close();
  });

  const root = (page: Page) => page.locator('contact-widget .root');

  it('Arabic on a right-to-left page: dir="rtl" on the root, Arabic names, mirrored layout, no axe violations', async () => {
    const ar = widgetStrings('ar');
    const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1024, height: 760 } });
    const errors = collectErrors(page);
    await page.goto(site.url + '/ar');
    const tab = page.getByRole('button', { name: ar.contactUs, exact: true });
    await tab.waitFor();
    // The element's lang attribute wins over the browser's German.
    expect(await root(page).getAttribute('dir')).toBe('rtl');
    expect(await root(page).getAttribute('lang')).toBe('ar');
    expect(await root(page).evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    expect(await axeViolations(page)).toEqual([]);
    await tab.click();
    const chat = page.getByRole('button', { name: /^دردشة مع/ }).first();
    await chat.waitFor();
    // The agent's Latin name sits inside the Arabic name, isolated.
    expect(isoFree(await chat.getAttribute('aria-label'))).toBe('دردشة مع Ann Agent');
    expect(await chat.getAttribute('aria-label')).toContain('\u2068Ann Agent\u2069');
    // Right to left: text starts at the right edge of a card; the name is a <bdi>.
    const card = page.locator('contact-widget .card').first();
    const [cardBox, nameBox] = [await card.boundingBox(), await card.locator('.name bdi').boundingBox()];
    expect(nameBox!.x + nameBox!.width).toBeGreaterThan(cardBox!.x + cardBox!.width / 2);
    expect(await card.locator('.acts').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'widget-ar-rtl-page.png') });

    // The name prompt and the chat in Arabic, axe clean.
    await chat.click();
    await page.getByRole('textbox', { name: ar.yourName }).fill('سارة');
    await page.getByRole('textbox', { name: ar.yourName }).press('Enter');
    const offer = await agent.next('ChatOffer', 10_000);
    agent.send({ mt: 'ChatAccept', chat: offer.chat });
    await page.getByRole('textbox', { name: ar.message }).waitFor();
    agent.send({ mt: 'ChatMessage', chat: offer.chat, cid: 'ar1', text: 'Hello — مرحبًا 42' });
    await page.getByRole('log').getByText('Hello — مرحبًا 42').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // The chat state is a polite live region in Arabic.
    await expect.poll(async () => (await politeTexts(page)).some((t) => isoFree(t) === 'انضم Ann Agent إلى الدردشة.')).toBe(true);
    // The log announces additions only (a message turning from "sending" to "sent" is not read again).
    expect((await liveRegions(page)).find((r) => r.role === 'log')).toMatchObject({ live: 'polite', relevant: 'additions' });
    await page.screenshot({ path: path.join(SHOTS, 'widget-ar-chat.png') });
    await page.getByRole('button', { name: ar.endChat }).click();
    // Ending asks once (issue 15), in Arabic too.
    expect(isoFree(await page.getByRole('alertdialog').textContent())).toContain(ar.endChatAsk.replace('{name}', 'Ann Agent'));
    await page.getByRole('alertdialog').getByRole('button', { name: ar.endChat }).click();
    await agent.next((m) => m.mt === 'ChatInfo' && m.state === 'closed', 10_000);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Polish: the unread count with its plural forms (1, 2, 5, 22), announced politely without repeats', async () => {
    const pl = widgetStrings('pl');
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(site.url + '/lang/pl');
    const tab = page.getByRole('button', { name: pl.contactUs, exact: true });
    await tab.click();
    await page.getByRole('button', { name: 'Czat z: Ann Agent' }).first().click();
    await page.getByRole('textbox', { name: pl.yourName }).fill('Zofia');
    await page.getByRole('textbox', { name: pl.yourName }).press('Enter');
    const offer = await agent.next('ChatOffer', 10_000);
    agent.send({ mt: 'ChatAccept', chat: offer.chat });
    await page.getByRole('textbox', { name: pl.message }).waitFor();
    // Out of sight: the sidebar closed, messages are counted on the tab.
    await page.getByRole('button', { name: pl.back }).click();
    await tab.click();
    const expected: Record<number, string> = { 1: '1 nowa wiadomość', 2: '2 nowe wiadomości', 5: '5 nowych wiadomości', 22: '22 nowe wiadomości' };
    let sent = 0;
    for (const n of [1, 2, 5, 22]) {
      while (sent < n) agent.send({ mt: 'ChatMessage', chat: offer.chat, cid: `p${++sent}`, text: `Wiadomość ${sent}` });
      await page.locator('contact-widget .badge').getByText(String(n), { exact: true }).waitFor();
      // One polite status region holds the count — replaced, not appended, so it is never read twice.
      await expect.poll(async () => (await liveRegions(page)).filter((r) => r.role === 'status' && r.text.includes('wiadomo'))).toEqual([
        { role: 'status', live: 'polite', relevant: 'additions text', text: expected[n] },
      ]);
      // The tab keeps its name; the count describes it.
      expect(await tab.getAttribute('aria-describedby')).toBeTruthy();
      await page.screenshot({ path: path.join(SHOTS, `widget-pl-unread-${n}.png`) });
    }
    agent.send({ mt: 'ChatEnd', chat: offer.chat });
    await agent.next((m) => m.mt === 'ChatInfo' && m.state === 'closed', 10_000);
    await page.close();
  });

  it('the browser’s languages pick the language with fallbacks (pt-BR → pt), else the widget’s default', async () => {
    for (const [locale, text] of [['pt-BR', widgetStrings('pt').contactUs], ['sv-FI', widgetStrings('sv').contactUs], ['ja-JP', 'Contact us']] as const) {
      const ctx = await browser.newContext({ locale });
      const page = await ctx.newPage();
      await page.goto(site.url + '/');
      await page.getByRole('button', { name: text, exact: true }).waitFor();
      expect(await root(page).getAttribute('dir')).toBe('ltr');
      await ctx.close();
    }
  });

  it('an agent going offline is announced once, in the polite live region', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(site.url + '/');
    await page.getByRole('button', { name: 'Contact us', exact: true }).click();
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).first().waitFor();
    expect(await politeTexts(page)).not.toContain('Ann Agent is no longer available.');
    agent.send({ mt: 'SetPresence', presence: 'offline' });
    await expect.poll(() => politeTexts(page)).toContain('Ann Agent is no longer available.');
    expect((await politeTexts(page)).filter((t) => t === 'Ann Agent is no longer available.')).toHaveLength(1);
    agent.send({ mt: 'SetPresence', presence: 'online' });
    await page.locator('contact-widget .dot.online').first().waitFor({ state: 'attached' });
    await page.close();
  });

  it('reflows at 320 CSS px (400 % zoom) in Arabic and Polish, and works in forced-colors mode', async () => {
    for (const l of ['ar', 'pl']) {
      const page = await browser.newPage({ locale: 'en-US', viewport: { width: 320, height: 640 } });
      await page.goto(`${site.url}/lang/${l}`);
      await page.getByRole('button', { name: widgetStrings(l).contactUs, exact: true }).click();
      await page.locator('contact-widget .panel .card').first().waitFor();
      const box = await page.locator('contact-widget .panel').boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(320);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      await page.screenshot({ path: path.join(SHOTS, `widget-${l}-320px.png`) });
      await page.emulateMedia({ forcedColors: 'active' });
      const border = await page.locator('contact-widget .panel .act').first().evaluate((el) => getComputedStyle(el).borderTopStyle);
      expect(border).toBe('solid');
      await page.screenshot({ path: path.join(SHOTS, `widget-${l}-forced-colors.png`) });
      await page.close();
    }
  });

  it('every language: complete texts, the right direction, a screenshot kept', async () => {
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 800, height: 700 } });
    for (const l of LANGUAGES) {
      const s = widgetStrings(l);
      await page.goto(`${site.url}/lang/${l}`);
      const tab = page.getByRole('button', { name: s.contactUs, exact: true });
      await tab.click();
      await page.locator('contact-widget .panel .card').first().waitFor();
      expect(await root(page).getAttribute('lang')).toBe(l);
      expect(await root(page).getAttribute('dir')).toBe(l === 'ar' || l === 'he' ? 'rtl' : 'ltr');
      expect(isoFree(await page.locator('contact-widget .panel .card .state').first().textContent())).toBe(s.online);
      await page.screenshot({ path: path.join(SHOTS, `widget-${l}.png`) });
    }
    await page.close();
  });
});
