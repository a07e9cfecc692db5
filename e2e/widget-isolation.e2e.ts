/**
 * The widget on pages that fight it: two widgets (sidebar + cards) on a
 * hostile page (global `*` rules with !important, odd fonts, a sibling with a
 * huge z-index, the script included twice), and a page with a strict CSP (no
 * 'unsafe-inline', no 'unsafe-eval'). It renders, works, logs no errors, and
 * adds nothing to the global scope but the custom element.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, need, startSite, startTestServer, type TestServer, type WsClient } from '@cw/testkit';
import { adminApi, agentWithToken, createWidget, hostPage, onlineAgent, widgetBody } from './support/widget-env.js';
import { collectErrors } from './support/widget-browser.js';

const ready = await need('chromium');

const HOSTILE_CSS = `<style>
* { font-family: "Comic Sans MS", fantasy, cursive !important; font-size: 31px !important; line-height: 0.6 !important;
    color: #ff00ff !important; background: #ffff00 !important; letter-spacing: 6px !important; text-transform: uppercase !important;
    margin: 7px !important; padding: 9px !important; border: 3px dashed red !important; box-sizing: content-box !important;
    opacity: 0.97 !important; visibility: visible !important; cursor: wait !important; }
button, input, textarea { all: unset !important; display: none !important; }
div { display: inline !important; width: 3px !important; }
ul, ol, li { list-style: square !important; float: left !important; }
video, img { display: none !important; }
</style>`;
const BIG_Z = '<div id="overlay" style="position:fixed;left:0;right:0;bottom:0;height:90px;z-index:999999">cookie banner</div>';

describe.skipIf(!ready)('widget: isolation', () => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  let agent: WsClient;

  beforeAll(async () => {
    server = await startTestServer();
    const api = await adminApi(server);
    const ann = await agentWithToken(server, api, 'ann', 'Ann Agent');
    await agentWithToken(server, api, 'carl', 'Carl Cards');
    agent = await onlineAgent(server, ann.token);
    const side = await createWidget(api, widgetBody({ name: 'Sales', appearance: { position: 'right', colors: { primary: '#0a7d5c' } }, agents: [{ sipId: 'ann', media: ['chat', 'voice'], availability: 'presence' }] }));
    const cards = await createWidget(api, widgetBody({ type: 'cards', name: 'Team', agents: [{ sipId: 'carl', department: 'Support', media: ['chat', 'email'], email: 'carl@example.com', availability: 'always' }] }));
    const locked = await createWidget(api, widgetBody({ name: 'Locked', allowedOrigins: ['https://shop.example.com'], agents: [{ sipId: 'ann', media: ['chat'], availability: 'presence' }] }));
    const base = server.url;
    const csp = [
      "default-src 'none'",
      `script-src ${base}`,
      `connect-src ${server.wsUrl}`,
      'img-src data:',
      "style-src 'self'",
      "base-uri 'none'",
    ].join('; ');
    site = await startSite({
      '/blank': hostPage('Shop', [], HOSTILE_CSS, BIG_Z),
      // The overlay comes first: the widget must still be above a sibling with a huge z-index.
      '/hostile': hostPage('Shop', [BIG_Z, side.embed, cards.embed], HOSTILE_CSS),
      // Without a server attribute the widget talks to the origin its script came from.
      '/noserver': hostPage('Shop', [`<script src="${base}/widget.js" async></script><contact-widget uuid="${cards.uuid}"></contact-widget>`]),
      '/refused': hostPage('Refused', [locked.embed, `<contact-widget uuid="00000000000000000000000000000000" server="${base}"></contact-widget>`]),
      '/csp': { body: hostPage('Strict', [side.embed, cards.embed]), headers: { 'content-security-policy': csp } },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await site?.close();
    await server?.close();
  });

  it('two widgets work side by side on a hostile page', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    const errors = collectErrors(page);
    await page.goto(site.url + '/hostile');
    const tab = page.getByRole('button', { name: 'Contact us' });
    await tab.click(); // a real click: fails if anything covers the tab
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Hal Hostile');
    await page.getByRole('button', { name: 'Start' }).click();
    const offer = await agent.next('ChatOffer', 10_000);
    agent.send({ mt: 'ChatAccept', chat: offer.chat });
    await page.getByRole('textbox', { name: 'Message' }).fill('still works');
    await page.getByRole('button', { name: 'Send' }).click();
    expect((await agent.next((m) => m.mt === 'ChatMessage' && m.from === 'visitor')).text).toBe('still works');

    // The cards widget beside it is untouched by the page's rules.
    const card = page.getByRole('button', { name: 'Chat with Carl Cards' });
    await card.waitFor();
    const style = await card.evaluate((el) => {
      const s = getComputedStyle(el);
      return { display: s.display, letterSpacing: s.letterSpacing, textTransform: s.textTransform, border: s.borderTopStyle, width: el.getBoundingClientRect().width };
    });
    // At least the 44 px touch target; wider since actions carry a visible label (issue 15), which the page's rules leave alone.
    expect({ ...style, width: style.width >= 44 }).toEqual({ display: 'flex', letterSpacing: 'normal', textTransform: 'none', border: 'none', width: true });
    expect(await card.textContent()).toBe('Chat');
    expect(await page.getByRole('link', { name: 'E-mail Carl Cards' }).getAttribute('href')).toBe('mailto:carl@example.com');
    // Included twice: defined once, no error.
    expect(await page.locator('script[src$="/widget.js"]').count()).toBe(2);
    expect(errors).toEqual([]);
    await agent.send({ mt: 'ChatEnd', chat: offer.chat });
    await page.close();
  });

  it('the global scope gains only the custom element', async () => {
    const page = await browser.newPage();
    await page.goto(site.url + '/blank');
    const before: string[] = await page.evaluate(() => Object.getOwnPropertyNames(window));
    await page.goto(site.url + '/hostile');
    await page.getByRole('button', { name: 'Contact us' }).waitFor();
    const after: string[] = await page.evaluate(() => Object.getOwnPropertyNames(window));
    expect(after.filter((n) => !before.includes(n))).toEqual([]);
    expect(await page.evaluate(() => typeof customElements.get('contact-widget'))).toBe('function');
    await page.close();
  });

  it('works under a strict Content-Security-Policy without unsafe-inline or unsafe-eval', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    const errors = collectErrors(page);
    await page.goto(site.url + '/csp');
    await page.getByRole('button', { name: 'Contact us' }).click();
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).waitFor();
    await page.getByRole('button', { name: 'Chat with Carl Cards' }).waitFor();
    // Styles applied (constructable stylesheet + CSSOM custom properties).
    const bg = await page.getByRole('button', { name: 'Contact us' }).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).toBe('rgb(10, 125, 92)');
    // The chat/call code loads on first use (an ES module from the server), allowed by script-src.
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it("speaks the visitor's language (Start.lang = navigator.language)", async () => {
    const page = await browser.newPage({ locale: 'de-CH' });
    await page.goto(site.url + '/csp');
    await page.getByRole('button', { name: 'Kontakt' }).click();
    await page.getByRole('button', { name: 'Chat mit Ann Agent' }).waitFor();
    await page.getByRole('link', { name: 'E-Mail an Carl Cards' }).waitFor();
    expect(await page.locator('contact-widget').first().evaluate((el) => el.shadowRoot!.querySelector('.root')!.getAttribute('lang'))).toBe('de');
    await page.close();
  });

  it('a widget that may not run here (origin not allowed, unknown uuid) stays out of the way: nothing shown, a warning for the site owner, no error', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    const errors = collectErrors(page);
    const warnings: string[] = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await page.goto(site.url + '/refused');
    await expect.poll(() => warnings.length).toBe(2);
    expect(warnings.join('\n')).toMatch(/origin-not-allowed/);
    expect(warnings.join('\n')).toMatch(/unknown-widget/);
    expect(await page.getByRole('button').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('without a server attribute, uses the origin the script was loaded from', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(site.url + '/noserver');
    await page.getByRole('button', { name: 'Chat with Carl Cards' }).waitFor();
    await page.close();
  });
});
