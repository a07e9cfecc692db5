/**
 * The admin app end to end, through its UI alone (test data only via the
 * API): sign in, create widgets, add agents found in the directory (one with
 * a dropped picture), reorder, save, copy the embed code into a page of
 * another origin, and see saves and flag toggles reach the open widget live.
 *
 * Each test also runs alone (`-t`): what the earlier tests would have left —
 * the signed-in page, the Sales widget with its agents, the visitor's page —
 * is then made through the API first. In a full run those helpers find it
 * there and do nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { Widget, WidgetAgent } from '@cw/protocol';
import { need } from '@cw/testkit';
import { createUser, dropFile, hostPage, makePng, newAdminPage, openSection, openWidget, previewTexts, signIn, startAdminWorld, type AdminWorld } from './support/admin-world.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

describe.skipIf(!ok)('admin app: widgets from sign-in to a live website', () => {
  let w: AdminWorld;
  let ctx: BrowserContext;
  let page: Page;
  let errors: string[];
  let visitorCtx: BrowserContext;
  let visitor: Page;
  const sales = () => page.getByRole('region', { name: 'Sales' });

  /** The admin page signed in (as the first test leaves it). */
  async function givenSignedIn(): Promise<void> {
    if (!page.url().startsWith(`${w.server.url}/admin`)) await signIn(page, w.server);
    // Exact: the sign-in page's own heading is "Contact Widgets".
    await page.getByRole('heading', { name: 'Widgets', exact: true }).waitFor();
  }

  /** Bob, then Ann with a picture and no video, both always available (as the second test saves them). */
  const twoAgents = (): WidgetAgent[] => [
    { sipId: 'bob', displayName: 'Bob Builder', media: ['voice', 'video', 'chat', 'email'], availability: 'always' },
    { sipId: 'ann', displayName: 'Ann Example', department: 'Sales', picture: `data:image/png;base64,${makePng(64, 48, [200, 40, 40]).toString('base64')}`, media: ['voice', 'chat', 'email'], availability: 'always' },
  ];

  /**
   * The saved Sales widget with the agents `sipIds` (made or changed through
   * the API only when it is not so, e.g. when a test runs alone), open in the
   * signed-in admin page.
   */
  async function givenSales(sipIds: string[]): Promise<Widget> {
    await givenSignedIn();
    const body = { type: 'sidebar' as const, name: 'Sales', lang: 'en' as const, notes: 'used on the shop', appearance: { alwaysShow: true }, agents: twoAgents().filter((a) => sipIds.includes(a.sipId)) };
    let widget = (await w.api<Widget[]>('GET', '/api/widgets')).find((x) => x.name === 'Sales');
    if (!widget || widget.agents.map((a) => a.sipId).join() !== sipIds.join()) {
      widget = widget ? await w.api<Widget>('PUT', `/api/widgets/${widget.uuid}`, body) : await w.api<Widget>('POST', '/api/widgets', body);
      await page.reload();
    }
    await openWidget(page, 'Sales');
    return widget;
  }

  /** The customer's page with the Sales widget's code, open in the visitor's browser (as the third test leaves it). */
  async function givenVisitor(): Promise<Page> {
    if (visitor) return visitor;
    const widget = await givenSales(['bob', 'ann']);
    const { html } = await w.api<{ html: string }>('GET', `/api/widgets/${widget.uuid}/embed`);
    w.site.set('/shop', hostPage('Shop', html));
    visitorCtx = await w.browser.newContext({ locale: 'en-US' });
    visitor = await visitorCtx.newPage();
    await visitor.goto(`${w.site.url}/shop`);
    await visitor.getByRole('button', { name: 'Contact us' }).click();
    await expect.poll(() => visitor.locator('.card .name').allTextContents()).toEqual(['Bob Builder', 'Ann Example']);
    return visitor;
  }

  beforeAll(async () => {
    w = await startAdminWorld();
    await createUser(w.api, { username: 'ann', displayName: 'Ann Example', sipId: 'ann', department: 'Sales', roles: ['agent'] });
    await createUser(w.api, { username: 'bob', displayName: 'Bob Builder', sipId: 'bob', roles: ['agent'] });
    ({ ctx, page, errors } = await newAdminPage(w.browser, { clipboard: true }));
  });
  afterAll(async () => {
    await visitorCtx?.close();
    await ctx?.close();
    await w?.close();
  });

  it('signs in and creates a sidebar and a business cards widget, named with the pen', async () => {
    await signIn(page, w.server);
    await page.getByRole('heading', { name: 'Widgets' }).waitFor();

    await page.getByRole('button', { name: 'Add new sidebar widget' }).click();
    const fresh = page.getByRole('region', { name: 'New Sidebar Widget' });
    await fresh.getByRole('button', { name: 'New Sidebar Widget' }).waitFor();
    expect(await fresh.getByRole('button', { name: 'New Sidebar Widget' }).getAttribute('aria-expanded')).toBe('true');
    // The pen control focuses the Name field.
    await fresh.getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('New Sidebar Widget');
    await page.keyboard.type('Sales');
    await openSection(sales(), 'Advanced');
    await sales().getByLabel('Notes').fill('used on the shop');
    await openSection(sales(), 'Appearance');
    await sales().getByRole('checkbox', { name: 'Always show' }).check();
    // Unsaved changes mark Save (described for screen readers) until saved.
    await expect.poll(() => sales().getByRole('button', { name: 'Save' }).getAttribute('class')).toContain('dirty');
    expect(await sales().getByText('Unsaved changes').isVisible()).toBe(true);
    await sales().getByRole('button', { name: 'Save' }).click();
    await sales().getByText('Saved.', { exact: false }).waitFor();
    expect(await sales().getByRole('button', { name: 'Save' }).getAttribute('class')).not.toContain('dirty');

    await page.getByRole('button', { name: 'Add new business cards widget' }).click();
    const cards = page.getByRole('region', { name: 'New Business Cards Widget' });
    await cards.getByLabel('Name', { exact: true }).waitFor();
    // The new widget opens; the saved one closes, so page-wide names stay unique.
    await expect.poll(() => page.getByRole('button', { name: 'Save' }).count()).toBe(1);
    expect(await sales().getByRole('button', { name: 'Sales' }).getAttribute('aria-expanded')).toBe('false');
    await cards.getByLabel('Name', { exact: true }).fill('Team cards');
    await page.getByRole('region', { name: 'Team cards' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('region', { name: 'Team cards' }).getByText('Saved.', { exact: false }).waitFor();

    // Collapse and expand by the header.
    const head = page.getByRole('region', { name: 'Team cards' }).getByRole('button', { name: 'Team cards' });
    await head.click();
    expect(await head.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('region', { name: 'Team cards' }).getByLabel('Notes').count()).toBe(0);
    await head.click();
    expect(await head.getAttribute('aria-expanded')).toBe('true');

    const list = await w.api<{ name: string; type: string; notes: string; appearance: { alwaysShow?: boolean } }[]>('GET', '/api/widgets');
    expect(list.map((x) => [x.name, x.type])).toEqual([
      ['Sales', 'sidebar'],
      ['Team cards', 'cards'],
    ]);
    expect(list[0]!.notes).toBe('used on the shop');
    expect(list[0]!.appearance.alwaysShow).toBe(true);
  });

  async function addAgentBySearch(query: string, pick: string, picture?: Buffer): Promise<Locator> {
    await sales().getByRole('button', { name: 'Add agent' }).click();
    const dlg = page.getByRole('dialog', { name: 'Add agent' });
    await dlg.waitFor();
    const sip = dlg.getByLabel('SIP-ID');
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute('data-field'))).toBe('sipId');
    await sip.pressSequentially(query);
    await dlg.getByRole('option', { name: pick }).waitFor();
    return dlg;
  }

  it('adds two agents found by directory search, one with a dropped picture, and reorders them', async () => {
    await givenSales([]);
    // First agent: picked with the mouse, picture dropped in.
    let dlg = await addAgentBySearch('Ann', 'Ann Example');
    await dlg.getByRole('option', { name: 'Ann Example' }).click();
    expect(await dlg.getByLabel('SIP-ID').inputValue()).toBe('ann');
    expect(await dlg.getByLabel('Display name').inputValue()).toBe('Ann Example');
    // SVG is refused with a reason, at the picture.
    await dropFile(page, dlg.getByRole('button', { name: 'Choose picture' }), { name: 'x.svg', type: 'image/svg+xml', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
    await expect.poll(() => dlg.getByRole('alert').textContent()).toContain('SVG pictures are not accepted');
    const png = makePng(64, 48, [200, 40, 40]);
    await dropFile(page, dlg.getByRole('button', { name: 'Choose picture' }), { name: 'ann.png', type: 'image/png', data: png });
    await dlg.getByRole('button', { name: 'Remove picture' }).waitFor();
    // Shown cropped (object-fit: cover in a square frame, one round).
    const crops = dlg.locator('img.crop-img');
    expect(await crops.count()).toBe(2);
    expect(await crops.first().evaluate((el) => getComputedStyle(el).objectFit)).toBe('cover');
    for (const m of ['Voice', 'Video', 'Chat', 'E-mail']) expect(await dlg.getByRole('checkbox', { name: m, exact: true }).isChecked()).toBe(true);
    await dlg.getByRole('checkbox', { name: 'Video', exact: true }).uncheck();
    await dlg.getByLabel('Availability').selectOption('always');
    await dlg.getByText('Always shown as available', { exact: false }).waitFor();
    await dlg.getByRole('button', { name: 'OK' }).click();
    await dlg.waitFor({ state: 'detached' });

    // Second agent: picked with the keyboard.
    dlg = await addAgentBySearch('bo', 'Bob Builder');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await dlg.getByLabel('SIP-ID').inputValue()).toBe('bob');
    await dlg.getByLabel('Availability').selectOption('always');
    await dlg.getByRole('button', { name: 'OK' }).click();
    await dlg.waitFor({ state: 'detached' });

    const rows = sales().getByRole('list', { name: 'Agents of Sales' }).getByRole('listitem');
    await expect.poll(() => rows.locator('.agent-name').allTextContents()).toEqual(['Ann Example', 'Bob Builder']);
    // The live preview shows both, before saving.
    const preview = () => previewTexts(page, 'Sales', '.card .name');
    await expect.poll(preview).toEqual(['Ann Example', 'Bob Builder']);

    // Reorder by drag and drop: Bob onto Ann.
    await rows.nth(1).dragTo(rows.nth(0));
    await expect.poll(() => rows.locator('.agent-name').allTextContents()).toEqual(['Bob Builder', 'Ann Example']);
    await expect.poll(preview).toEqual(['Bob Builder', 'Ann Example']);
    // And by keyboard: Alt+Arrow moves, announced; Move down button moves back.
    await rows.nth(0).getByRole('button', { name: 'Edit Bob Builder' }).focus();
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => rows.locator('.agent-name').allTextContents()).toEqual(['Ann Example', 'Bob Builder']);
    await sales().getByText('Bob Builder moved to position 2 of 2.').waitFor();
    await rows.nth(0).getByRole('button', { name: 'Move down: Ann Example' }).click();
    await expect.poll(() => rows.locator('.agent-name').allTextContents()).toEqual(['Bob Builder', 'Ann Example']);

    await sales().getByRole('button', { name: 'Save' }).click();
    await sales().getByText('Saved.', { exact: false }).waitFor();
    const saved = (await w.api<{ name: string; agents: { sipId: string; picture: string; media: string[] }[] }[]>('GET', '/api/widgets')).find((x) => x.name === 'Sales')!;
    expect(saved.agents.map((a) => a.sipId)).toEqual(['bob', 'ann']);
    expect(saved.agents[1]!.picture).toMatch(/^data:image\//);
    expect(saved.agents[1]!.media).toEqual(['voice', 'chat', 'email']);
  });

  it('copies the code; pasted into a page of another origin the widget shows both agents in order', async () => {
    await givenSales(['bob', 'ann']);
    await sales().getByRole('button', { name: 'Code' }).click();
    const dlg = page.getByRole('dialog', { name: 'Code for Sales' });
    const code = dlg.getByLabel('Embed code');
    await expect.poll(() => code.inputValue()).toContain('<script');
    await dlg.getByRole('button', { name: 'Copy' }).click();
    await dlg.getByText('Copied').waitFor();
    const pasted = await page.evaluate(() => navigator.clipboard.readText());
    expect(pasted).toBe(await code.inputValue());
    expect(await code.textContent()).toBe(pasted);
    expect(await dlg.getByLabel('Content-Security-Policy entries').inputValue()).toContain(`connect-src ws://127.0.0.1:${w.server.port}`);

    // Download saves the test page as a file.
    const [download] = await Promise.all([page.waitForEvent('download'), dlg.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('Sales.html');
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached' });

    w.site.set('/shop', hostPage('Shop', pasted));
    visitorCtx = await w.browser.newContext({ locale: 'en-US' });
    visitor = await visitorCtx.newPage();
    await visitor.goto(`${w.site.url}/shop`);
    await visitor.getByRole('button', { name: 'Contact us' }).click();
    await expect.poll(() => visitor.locator('.card .name').allTextContents()).toEqual(['Bob Builder', 'Ann Example']);
    // Ann's picture arrived; Ann has no video.
    await expect.poll(() => visitor.locator('.card').nth(1).locator('img.pic').getAttribute('src')).toMatch(/^data:image\//);
    expect(await visitor.getByRole('button', { name: 'Video call Ann Example' }).count()).toBe(0);
    expect(await visitor.getByRole('button', { name: 'Video call Bob Builder' }).count()).toBe(1);
  });

  it('a new colour and an agent’s new name reach the open widget on save, without reload', async () => {
    await givenVisitor();
    await givenSales(['bob', 'ann']);
    const tab = visitor.getByRole('button', { name: 'Contact us' });
    await openSection(sales(), 'Appearance');
    const colourField = sales().getByLabel('Primary colour', { exact: true });
    await colourField.fill('#aa2200');
    await sales().getByRole('button', { name: 'Edit Ann Example' }).click();
    const dlg = page.getByRole('dialog', { name: /Edit agent/ });
    await dlg.getByLabel('Display name').fill('Ann Smith');
    await dlg.getByRole('button', { name: 'OK' }).click();
    await dlg.waitFor({ state: 'detached' });
    // The preview follows at once; the website only after saving.
    await expect.poll(() => previewTexts(page, 'Sales', '.card .name')).toEqual(['Bob Builder', 'Ann Smith']);
    expect(await visitor.locator('.card .name').allTextContents()).toEqual(['Bob Builder', 'Ann Example']);

    await visitor.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await sales().getByRole('button', { name: 'Save' }).click();
    await sales().getByText('Saved.', { exact: false }).waitFor();
    await expect.poll(() => visitor.locator('.card .name').allTextContents()).toEqual(['Bob Builder', 'Ann Smith']);
    await expect.poll(() => tab.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(170, 34, 0)');
    expect(await visitor.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  });

  it('a flag created here switches an agent’s availability in the open widget', async () => {
    await givenVisitor();
    await givenSignedIn();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Flags' }).click();
    await page.getByLabel('New flag').fill('Hotline open');
    await page.getByRole('button', { name: 'Create flag' }).click();
    const sw = page.getByRole('switch', { name: 'Hotline open' });
    await sw.waitFor();
    expect(await sw.getAttribute('aria-checked')).toBe('false');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Widgets' }).click();
    await openWidget(page, 'Sales');
    await sales().getByRole('button', { name: 'Edit Bob Builder' }).click();
    const dlg = page.getByRole('dialog', { name: /Edit agent/ });
    await dlg.getByLabel('Availability').selectOption('boolean');
    await dlg.getByLabel('Flag', { exact: true }).selectOption('Hotline open');
    await dlg.getByRole('button', { name: 'OK' }).click();
    await dlg.waitFor({ state: 'detached' });
    await sales().getByRole('button', { name: 'Save' }).click();
    await sales().getByText('Saved.', { exact: false }).waitFor();

    const bobState = visitor.locator('.card').filter({ hasText: 'Bob Builder' }).locator('.state');
    await expect.poll(() => bobState.textContent()).toBe('Not available');

    await page.getByRole('link', { name: 'Flags' }).click();
    await page.getByText('Used by Sales (Bob Builder)').waitFor();
    await page.getByRole('switch', { name: 'Hotline open' }).click();
    await expect.poll(() => page.getByRole('switch', { name: 'Hotline open' }).getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => bobState.textContent()).toBe('Available');
    await page.getByRole('switch', { name: 'Hotline open' }).click();
    await expect.poll(() => bobState.textContent()).toBe('Not available');
    expect(errors).toEqual([]);
  });
});
