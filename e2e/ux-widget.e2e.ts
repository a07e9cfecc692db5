/**
 * Issue 15, the widget's last parts, in Chromium: a sidebar with 1,000 agents
 * (10 available) lists the available ones first and finds anyone by name or
 * department; "Leave a message" after a chat nobody took and after a declined
 * call opens the offline form, filled in with what the visitor already said,
 * and sends it; a business card shows its agent's own address, else the
 * widget's (set in the admin agent dialog with a counter). Axe-clean at
 * desktop width and at 360 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, need, startSite, startTestServer, type TestServer, type WsClient } from '@cw/testkit';
import { adminApi, agentWithToken, createWidget, hostPage, onlineAgent, widgetBody, type Api } from './support/widget-env.js';
import { axeViolations, collectErrors } from './support/widget-browser.js';
import { axeViolations as pageAxe, newAdminPage, openWidget, previewTexts, signIn } from './support/admin-world.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

/** The names of the cards the widget lists, in order. */
function cardNames(page: Page): Promise<string[]> {
  return page.locator('contact-widget').evaluate((h) => [...h.shadowRoot!.querySelectorAll('.card .name')].map((e) => e.textContent ?? ''));
}

describe.skipIf(!ok)('issue 15: the widget with many agents, the last next step, addresses on cards', () => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  let api: Api;
  let annWs: WsClient;

  beforeAll(async () => {
    // A chat nobody accepts closes after 2 s; the offline form may be sent 1 s after it opened.
    server = await startTestServer({ env: { CHAT_WAIT_TIMEOUT_S: '2', OFFLINE_MIN_FILL_S: '1' } });
    api = await adminApi(server);
    const ann = await agentWithToken(server, api, 'ann', 'Ann Agent');
    await agentWithToken(server, api, 'bob', 'Bob Builder');
    annWs = await onlineAgent(server, ann.token);
    await annWs.next((m) => m.mt === 'Presence' && m.presence === 'online');

    // 1,000 agents: 10 available (every hundredth, from the 51st on, so that the admin's order does not put them first).
    const agents = Array.from({ length: 1000 }, (_, i) => ({
      sipId: `a${String(i).padStart(4, '0')}`,
      displayName: i === 777 ? 'Zoë Lindqvist' : `Agent ${i}`,
      department: i === 777 ? 'Returns' : i % 2 ? 'Sales' : 'Support',
      media: ['chat' as const],
      availability: (i % 100 === 50 ? 'always' : 'inactive') as 'always' | 'inactive',
    }));
    const big = await createWidget(api, widgetBody({ name: 'Big shop', appearance: { alwaysShow: true }, agents }));
    const plain = await createWidget(api, widgetBody({ name: 'Big plain', agents }));
    const talk = await createWidget(
      api,
      widgetBody({ name: 'Talk', agents: [{ sipId: 'ann', media: ['chat', 'voice'], availability: 'presence' }] }),
    );
    const cards = await createWidget(
      api,
      widgetBody({
        type: 'cards',
        name: 'Team cards',
        agents: [
          { sipId: 'ann', media: ['chat'], availability: 'presence', address: 'Harbour Office\n2 Quay St, Portsmouth' },
          { sipId: 'bob', media: ['chat'], availability: 'presence' },
        ],
      }),
    );
    site = await startSite({ '/big': hostPage('Big shop', [big.embed]), '/plain': hostPage('Big plain', [plain.embed]), '/talk': hostPage('Talk', [talk.embed]), '/team': hostPage('Our team', [cards.embed]) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await annWs?.close();
    await site?.close();
    await server?.close();
  });

  async function visit(path: string, viewport = { width: 1280, height: 900 }): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
    const ctx = await browser.newContext({ locale: 'en-US', viewport, ...(viewport.width <= 480 ? { isMobile: true, hasTouch: true } : {}) });
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    await page.goto(site.url + path);
    return { ctx, page, errors };
  }

  async function openSidebar(page: Page): Promise<void> {
    const tab = page.getByRole('button', { name: 'Contact us' });
    await tab.click();
    await expect.poll(() => tab.getAttribute('aria-expanded')).toBe('true');
  }

  const online = Array.from({ length: 10 }, (_, k) => `Agent ${k * 100 + 50}`);

  for (const viewport of [
    { width: 1280, height: 900 },
    { width: 360, height: 740 },
  ]) {
    it(`1,000 agents, 10 available: the available first, a search by name and department, a no-match message (${viewport.width} px)`, async () => {
      const { ctx, page, errors } = await visit('/big', viewport);
      await openSidebar(page);
      await page.getByRole('button', { name: 'Chat with Agent 950' }).waitFor();
      // At most 20 cards: the 10 available first (in the admin's order), then the others; the rest behind Show all.
      await expect.poll(() => cardNames(page)).toHaveLength(20);
      const names = await cardNames(page);
      expect(names.slice(0, 10)).toEqual(online);
      expect(names.slice(10)).toEqual(['Agent 0', 'Agent 1', 'Agent 2', 'Agent 3', 'Agent 4', 'Agent 5', 'Agent 6', 'Agent 7', 'Agent 8', 'Agent 9']);
      await page.getByRole('button', { name: 'Show all (1,000)' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);

      // The search field, by its fixed name; an offline agent by part of the name, without the accent.
      const search = page.getByRole('searchbox', { name: 'Search agents' });
      await search.fill('zoe lind');
      await expect.poll(() => cardNames(page)).toEqual(['Zoë Lindqvist']);
      await page.getByText('Matches: 1').waitFor();
      const zoe = page.getByRole('listitem', { name: 'Zoë Lindqvist' });
      await zoe.getByText('Not available', { exact: true }).waitFor();
      expect(await zoe.getByRole('button', { name: 'Chat with Zoë Lindqvist' }).getAttribute('aria-disabled')).toBe('true');
      // …and by department.
      await search.fill('returns');
      await expect.poll(() => cardNames(page)).toEqual(['Zoë Lindqvist']);
      // Many matches: the available ones first, at most 20, Show all for the rest.
      await search.fill('support');
      await page.getByText('Matches: 500').waitFor();
      await expect.poll(() => cardNames(page)).toHaveLength(20);
      expect((await cardNames(page)).slice(0, 11)).toEqual([...online, 'Agent 0']);
      const all = page.getByRole('button', { name: 'Show all (500)' });
      await all.click();
      await expect.poll(() => cardNames(page)).toHaveLength(500);
      // Focus moved on to the first card that was not shown before.
      const focused = await page.locator('contact-widget').evaluate((h) => h.shadowRoot!.activeElement?.closest('.card')?.querySelector('.name')?.textContent ?? null);
      expect(focused).toBe((await cardNames(page))[20]);
      // Nobody by that name: said so, in a status message.
      await search.fill('xyzzy');
      await page.getByRole('status').filter({ hasText: 'No one matches “xyzzy”.' }).waitFor();
      expect(await cardNames(page)).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      // Escape empties the field (the panel stays open) and brings back the available ones first; the next Escape closes.
      await search.press('Escape');
      await expect.poll(() => search.inputValue()).toBe('');
      await expect.poll(async () => (await cardNames(page)).slice(0, 10)).toEqual(online);
      expect(await page.getByRole('button', { name: 'Contact us' }).getAttribute('aria-expanded')).toBe('true');
      // The pictures of 500 cards were asked for at a pace the server allows: the widget was never cut off.
      expect(await page.getByText('Connection lost. Reconnecting…').count()).toBe(0);
      await search.press('Escape');
      await expect.poll(() => page.getByRole('button', { name: 'Contact us' }).getAttribute('aria-expanded')).toBe('false');
      expect(errors).toEqual([]);
      await ctx.close();
    });
  }

  it('1,000 agents, 10 available, a sidebar that lists the available only: those 10, and anyone else by search', async () => {
    const { ctx, page, errors } = await visit('/plain');
    await openSidebar(page);
    await expect.poll(() => cardNames(page)).toEqual(online);
    expect(await page.getByRole('button', { name: /^Show all/ }).count()).toBe(0);
    const search = page.getByRole('searchbox', { name: 'Search agents' });
    await search.fill('agent 123');
    await page.getByText('Matches: 1', { exact: true }).waitFor();
    expect(await cardNames(page)).toEqual(['Agent 123']);
    await page.getByRole('listitem', { name: 'Agent 123' }).getByText('Not available', { exact: true }).waitFor();
    await search.fill('');
    await expect.poll(() => cardNames(page)).toEqual(online);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('after a chat nobody takes: Leave a message opens the offline form with the name and e-mail given, and sends it', async () => {
    const { ctx, page, errors } = await visit('/talk');
    await openSidebar(page);
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Vera Visitor');
    await page.getByRole('textbox', { name: 'Your e-mail (optional)' }).fill('vera@example.com');
    await page.getByRole('textbox', { name: 'Your name' }).press('Enter');
    await annWs.next('ChatOffer', 10_000);
    // Nobody accepts: the server closes the chat; the next steps include Leave a message.
    const leave = page.getByRole('button', { name: 'Leave a message' });
    await leave.waitFor({ timeout: 15_000 });
    await page.getByText('What you can do now:').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await leave.click();
    await page.getByRole('heading', { name: 'Leave us a message' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Your name' }).inputValue()).toBe('Vera Visitor');
    expect(await page.getByRole('textbox', { name: 'Your e-mail' }).inputValue()).toBe('vera@example.com');
    await page.getByRole('textbox', { name: 'Message' }).fill('Please call me back about the blue planters.');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.getByText('Thank you! Your message has been sent.').waitFor({ timeout: 10_000 });
    const missed = await api<{ kind: string; name: string; email: string; text: string }[]>('GET', '/api/missed?state=open');
    expect(missed.filter((m) => m.kind === 'offline').map(({ name, email, text }) => ({ name, email, text }))).toContainEqual({ name: 'Vera Visitor', email: 'vera@example.com', text: 'Please call me back about the blue planters.' });
    // Close goes back to the list.
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('button', { name: 'Chat with Ann Agent' }).waitFor();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('after a declined call at 360 px: Leave a message opens the offline form with the name given, and sends it', async () => {
    const { ctx, page, errors } = await visit('/talk', { width: 360, height: 740 });
    await openSidebar(page);
    const call = page.getByRole('button', { name: 'Voice call Ann Agent' });
    await expect.poll(async () => (await call.getAttribute('aria-disabled')) !== 'true').toBe(true);
    await call.click();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Carl Caller');
    await page.getByRole('button', { name: 'Start' }).click();
    const ring = await annWs.next('IncomingCall', 15_000);
    annWs.send({ mt: 'RejectCall', call: ring.call });
    await page.getByText('Ann Agent could not take the call.').waitFor();
    const leave = page.getByRole('button', { name: 'Leave a message' });
    await leave.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await leave.click();
    await page.getByRole('heading', { name: 'Leave us a message' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Your name' }).inputValue()).toBe('Carl Caller');
    await page.getByRole('textbox', { name: 'Your e-mail' }).fill('carl@example.com');
    await page.getByRole('textbox', { name: 'Message' }).fill('Tried to call: when are you free?');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.getByText('Thank you! Your message has been sent.').waitFor({ timeout: 10_000 });
    const missed = await api<{ kind: string; name: string; email: string; text: string }[]>('GET', '/api/missed?state=open');
    expect(missed.some((m) => m.kind === 'offline' && m.name === 'Carl Caller' && m.email === 'carl@example.com' && m.text === 'Tried to call: when are you free?')).toBe(true);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  for (const viewport of [
    { width: 1280, height: 900 },
    { width: 360, height: 740 },
  ]) {
    it(`business cards: the agent's own address on that card, the widget's on the others (${viewport.width} px)`, async () => {
      const { ctx, page, errors } = await visit('/team', viewport);
      const ann = page.getByRole('listitem', { name: 'Ann Agent' });
      const bob = page.getByRole('listitem', { name: 'Bob Builder' });
      await ann.waitFor();
      await bob.waitFor();
      const address = (card: typeof ann) => card.locator('address').innerText();
      expect(await address(ann)).toBe('Harbour Office\n2 Quay St, Portsmouth');
      expect(await address(bob)).toBe('1 Main St, Springfield');
      // The rest of the widget's contact details once, below the cards (its address is on the cards already).
      const contact = page.locator('contact-widget address.contact');
      expect(await contact.innerText()).toContain('Example Ltd');
      expect(await contact.innerText()).not.toContain('1 Main St');
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await ctx.close();
    });
  }

  it('the admin agent dialog sets the address shown on the card, with a counter; the preview shows it', async () => {
    const { ctx, page, errors } = await newAdminPage(browser, { width: 1280, height: 900 });
    await signIn(page, server);
    const region = await openWidget(page, 'Team cards');
    await region.getByRole('button', { name: 'Edit Bob Builder' }).click();
    const dlg = page.getByRole('dialog', { name: /Edit agent/ });
    const field = dlg.getByRole('textbox', { name: 'Address shown on the card' });
    expect(await field.getAttribute('maxlength')).toBe('500');
    // Empty: the widget's address is shown (and suggested).
    expect(await field.getAttribute('placeholder')).toBe('1 Main St, Springfield');
    await dlg.getByText('Empty: the widget’s address is shown.').waitFor();
    await field.fill('Workshop, 9 Mill Lane');
    await dlg.getByText('21 / 500').waitFor();
    expect(await pageAxe(page)).toEqual([]);
    await dlg.getByRole('button', { name: 'OK' }).click();
    await dlg.waitFor({ state: 'detached' });
    await expect.poll(() => previewTexts(page, 'Team cards', '.card .addr')).toEqual(['Harbour Office\n2 Quay St, Portsmouth', 'Workshop, 9 Mill Lane']);
    await region.getByRole('button', { name: 'Save' }).click();
    await region.getByText('Saved.', { exact: false }).waitFor();
    const stored = await api<{ name: string; agents: { sipId: string; address: string }[] }[]>('GET', '/api/widgets');
    expect(stored.find((w) => w.name === 'Team cards')!.agents.map((a) => a.address)).toEqual(['Harbour Office\n2 Quay St, Portsmouth', 'Workshop, 9 Mill Lane']);
    // The live card follows.
    const v = await visit('/team');
    await v.page.getByRole('listitem', { name: 'Bob Builder' }).locator('address').getByText('Workshop, 9 Mill Lane').waitFor();
    await v.ctx.close();
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
