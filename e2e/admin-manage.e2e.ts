/**
 * The admin app's guard rails and management pages, through the UI: an agent
 * account is refused, unsaved changes are not lost silently, server
 * validation errors show at their field, users, groups and flags are
 * managed, widgets deleted with a confirmation, and it works at tablet width.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { need } from '@cw/testkit';
import { apiAs, axeViolations, createUser, newAdminPage, openSection, openWidget, signIn, startAdminWorld, type AdminWorld } from './support/admin-world.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

describe.skipIf(!ok)('admin app: access, guards and management', () => {
  let w: AdminWorld;

  beforeAll(async () => {
    w = await startAdminWorld();
    await createUser(w.api, { username: 'carla', displayName: 'Carla Agent', sipId: 'carla', roles: ['agent'] });
  });
  afterAll(async () => {
    await w?.close();
  });

  it('refuses a wrong password and an agent account with a clear message', async () => {
    const { ctx, page, errors } = await newAdminPage(w.browser);
    await signIn(page, w.server, 'carla', 'wrong-password');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username or password');
    await signIn(page, w.server, 'carla', 'pw-carla-12345');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This account has no admin rights');
    expect(await page.getByRole('button', { name: 'Add new sidebar widget' }).count()).toBe(0);
    // No session was kept: a reload shows the sign-in form again.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('asks before unsaved changes are lost, and shows server validation errors at the field', async () => {
    await w.api('POST', '/api/widgets', { type: 'sidebar', name: 'Support', lang: 'en', agents: [] });
    const { ctx, page } = await newAdminPage(w.browser);
    await signIn(page, w.server);
    const region = await openWidget(page, 'Support');
    await openSection(region, 'Advanced');
    await region.getByLabel('Notes').fill('draft notes');
    await expect.poll(() => region.getByRole('button', { name: 'Save' }).getAttribute('aria-describedby').then((id) => page.locator(`[id="${id}"]`).textContent())).toBe('Unsaved changes');

    // In-app navigation asks; "Stay" keeps the draft.
    await page.getByRole('link', { name: 'Users' }).click();
    const ask = page.getByRole('dialog', { name: 'Discard unsaved changes?' });
    await ask.waitFor();
    await ask.getByRole('button', { name: 'Stay' }).click();
    expect(await region.getByLabel('Notes').inputValue()).toBe('draft notes');
    expect(new URL(page.url()).pathname).toBe('/admin/');

    // Closing the page asks too (beforeunload).
    const dialog = new Promise<import('playwright-core').Dialog>((r) => page.once('dialog', r));
    await page.close({ runBeforeUnload: true });
    const d = await dialog;
    expect(d.type()).toBe('beforeunload');
    await d.dismiss();
    expect(page.isClosed()).toBe(false);

    // Origins are checked when the field is left, and the error goes once fixed.
    const origins = region.getByLabel('Allowed origins');
    await origins.fill('https://shop.example.com\nshop.example.com');
    await origins.press('Tab');
    await expect.poll(() => origins.getAttribute('aria-invalid')).toBe('true');
    await region.getByText('Line 2 (“shop.example.com”) is not an origin', { exact: false }).waitFor();
    await origins.fill('https://shop.example.com\nhttps://*.example.com');
    await expect.poll(() => origins.getAttribute('aria-invalid')).toBe(null);

    // A name longer than the server allows is cut at the limit in the field itself, with a counter (issue 15).
    await region.getByLabel('Name', { exact: true }).fill('S'.repeat(201));
    const long = page.getByRole('region', { name: 'S'.repeat(200) });
    const name = long.getByLabel('Name', { exact: true });
    expect(await name.inputValue()).toHaveLength(200);
    const countId = (await name.getAttribute('aria-describedby'))!.split(' ').pop()!;
    expect(await page.locator(`[id="${countId}"]`).textContent()).toBe('200 / 200');
    // The server's own message still shows at the field when a client skips the form's limit.
    await name.evaluate((el) => el.removeAttribute('maxlength'));
    await name.fill('S'.repeat(201));
    await page.getByRole('region', { name: 'S'.repeat(201) }).getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    const errId = (await name.getAttribute('aria-describedby'))!.split(' ').filter((id) => id.endsWith('-err'))[0]!;
    expect(await page.locator(`[id="${errId}"]`).textContent()).toContain('at most 200');
    await expect.poll(() => name.evaluate((el) => el === document.activeElement)).toBe(true);

    // Leaving on purpose drops the draft.
    await page.getByRole('link', { name: 'Flags' }).click();
    await page.getByRole('dialog', { name: 'Discard unsaved changes?' }).getByRole('button', { name: 'Leave without saving' }).click();
    await page.getByRole('heading', { name: 'Flags' }).waitFor();
    const stored = await w.api<{ name: string; notes: string }[]>('GET', '/api/widgets');
    expect(stored.find((x) => x.name === 'Support')?.notes).toBe('');
    await ctx.close();
  });

  it('manages users, groups and flags', async () => {
    const { ctx, page, errors } = await newAdminPage(w.browser);
    await signIn(page, w.server);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Add user' }).click();
    let dlg = page.getByRole('dialog', { name: 'Add user' });
    await dlg.getByLabel('Username').fill('dora');
    await dlg.getByLabel('Password').fill('dora-password-1');
    await dlg.getByLabel('Display name').fill('Dora Desk');
    await dlg.getByLabel('SIP-ID').fill('dora');
    await dlg.getByLabel('Department').fill('Support');
    await dlg.getByRole('button', { name: 'Create user' }).click();
    const row = page.getByRole('row').filter({ hasText: 'dora' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Dora Desk');

    await row.getByRole('button', { name: 'Edit dora' }).click();
    dlg = page.getByRole('dialog', { name: 'Edit user dora' });
    await dlg.getByLabel('Display name').fill('Dora Helpdesk');
    await dlg.getByRole('checkbox', { name: 'Admin' }).check();
    await dlg.getByRole('button', { name: 'Save user' }).click();
    await expect.poll(() => row.textContent()).toContain('Dora Helpdesk');
    expect(await row.textContent()).toContain('Admin, Agent');

    await row.getByRole('button', { name: 'Reset password of dora' }).click();
    dlg = page.getByRole('dialog', { name: 'Reset password of dora' });
    await dlg.getByLabel('New password').fill('brand-new-pass-2');
    await dlg.getByRole('button', { name: 'Set password' }).click();
    await dlg.waitFor({ state: 'detached' });
    await apiAs(w.server, 'dora', 'brand-new-pass-2'); // signs in with the new password

    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('button', { name: 'Add group' }).click();
    dlg = page.getByRole('dialog', { name: 'Add group' });
    await dlg.getByLabel('Group name').fill('Hotline');
    await dlg.getByLabel('SIP-ID').fill('hotline');
    await dlg.getByRole('checkbox', { name: /Dora Helpdesk/ }).check();
    await dlg.getByRole('checkbox', { name: /Carla Agent/ }).check();
    await dlg.getByRole('button', { name: 'Create group' }).click();
    const grow = page.getByRole('row').filter({ hasText: 'hotline' });
    await expect.poll(() => grow.textContent()).toContain('Dora Helpdesk, Carla Agent');
    // Groups are found by the directory search of the agent dialog.
    const hits = await w.api<{ sipId: string; kind: string }[]>('GET', '/api/directory?q=Hotl');
    expect(hits.some((h) => h.sipId === 'hotline')).toBe(true);

    await page.getByRole('link', { name: 'Flags' }).click();
    await page.getByLabel('New flag').fill('Holiday');
    await page.getByRole('button', { name: 'Create flag' }).click();
    await page.getByRole('button', { name: 'Rename Holiday' }).click();
    await page.getByLabel('New name for Holiday').fill('Closed for holidays');
    await page.getByRole('button', { name: 'Save name' }).click();
    const sw = page.getByRole('switch', { name: 'Closed for holidays' });
    await sw.click();
    await expect.poll(() => sw.getAttribute('aria-checked')).toBe('true');
    const flags = await w.api<{ name: string; value: boolean }[]>('GET', '/api/flags');
    expect(flags).toEqual([expect.objectContaining({ name: 'Closed for holidays', value: true })]);
    await page.getByRole('button', { name: 'Delete Closed for holidays' }).click();
    await page.getByRole('dialog', { name: 'Delete flag Closed for holidays?' }).getByRole('button', { name: 'Delete flag' }).click();
    await expect.poll(() => page.getByRole('switch').count()).toBe(0);

    // Delete the user, confirmed.
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Delete dora' }).click();
    await page.getByRole('dialog', { name: 'Delete user dora?' }).getByRole('button', { name: 'Delete user' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'dora' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  async function noHorizontalScroll(page: Page): Promise<number> {
    return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  }

  it('works by keyboard on a tablet: creates, reorders, and deletes a widget after confirming', async () => {
    await createUser(w.api, { username: 'eve', displayName: 'Eve Early', sipId: 'eve', roles: ['agent'] });
    const { ctx, page, errors } = await newAdminPage(w.browser, { width: 768, height: 1024 });
    await signIn(page, w.server);
    const add = page.getByRole('button', { name: 'Add new business cards widget' });
    await add.focus();
    await page.keyboard.press('Enter');
    const region = page.getByRole('region', { name: 'New Business Cards Widget' });
    await region.getByLabel('Name', { exact: true }).waitFor();
    // Focus lands in the Name field of the new widget.
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute('data-field'))).toBe('name');
    expect(await noHorizontalScroll(page)).toBeLessThanOrEqual(0);

    for (const who of ['carla', 'eve']) {
      await region.getByRole('button', { name: 'Add agent' }).click();
      const dlg = page.getByRole('dialog', { name: 'Add agent' });
      // The dialog opens with focus in SIP-ID.
      await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute('data-field'))).toBe('sipId');
      const box = await dlg.boundingBox();
      expect(box!.width).toBeLessThanOrEqual(768);
      await page.keyboard.type(who);
      await dlg.getByRole('listbox', { name: 'Directory matches' }).getByRole('option').first().waitFor();
      if (who === 'carla') {
        // Pick the match with the arrow keys and Enter, then OK.
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        expect(await dlg.getByLabel('Display name').inputValue()).toBe('Carla Agent');
        await dlg.getByRole('button', { name: 'OK' }).press('Enter');
      } else {
        // A typed SIP-ID and Enter submit the dialog at once.
        await page.keyboard.press('Enter');
      }
      await dlg.waitFor({ state: 'detached' });
    }
    const names = () => region.locator('.agent-name').allTextContents();
    await expect.poll(names).toEqual(['Carla Agent', 'Eve Early']);
    await region.getByRole('button', { name: 'Move up: Eve Early' }).press('Enter');
    await expect.poll(names).toEqual(['Eve Early', 'Carla Agent']);
    expect(await noHorizontalScroll(page)).toBeLessThanOrEqual(0);
    await region.getByRole('button', { name: 'Save' }).press('Enter');
    // What counts is what the server stored; the "Saved." note is transient (the next edit clears it).
    const storedOrder = async () => {
      const all = await w.api<{ name: string; agents: { sipId: string }[] }[]>('GET', '/api/widgets');
      return all.find((x) => x.name === 'New Business Cards Widget')?.agents.map((a) => a.sipId);
    };
    await expect.poll(storedOrder, { timeout: 20_000 }).toEqual(['eve', 'carla']);

    // Every DELETE the page sends, in order: Cancel must send none.
    const deletes: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'DELETE') deletes.push(new URL(r.url()).pathname);
    });
    const { uuid } = (await w.api<{ name: string; uuid: string }[]>('GET', '/api/widgets')).find((x) => x.name === 'New Business Cards Widget')!;
    await region.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete widget “New Business Cards Widget”?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await region.count()).toBe(1);
    expect((await w.api<{ uuid: string }[]>('GET', '/api/widgets')).some((x) => x.uuid === uuid)).toBe(true);
    await region.getByRole('button', { name: 'Delete' }).click();
    const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE' && new URL(r.url()).pathname === `/api/widgets/${uuid}`);
    await confirm.getByRole('button', { name: 'Delete widget' }).click();
    expect((await deleted).status()).toBe(204);
    await expect.poll(() => region.count()).toBe(0);
    // Requests leave in order: had Cancel sent a DELETE, it would be listed before this one.
    expect(deletes).toEqual([`/api/widgets/${uuid}`]);
    const stored = await w.api<{ name: string }[]>('GET', '/api/widgets');
    expect(stored.some((x) => x.name === 'New Business Cards Widget')).toBe(false);

    // Sign out ends the session.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('passes axe (WCAG A/AA) on sign-in, widgets, the agent dialog, the code popup and the other pages', async () => {
    await w.api('POST', '/api/widgets', { type: 'sidebar', name: 'Axe check', lang: 'en', appearance: { alwaysShow: true }, agents: [{ sipId: 'carla', media: ['voice', 'chat'], availability: 'always' }] });
    const { ctx, page } = await newAdminPage(w.browser, { width: 1280, height: 900 });
    await page.goto(`${w.server.url}/admin/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await signIn(page, w.server);
    const region = await openWidget(page, 'Axe check');
    await openSection(region, 'Appearance');
    await openSection(region, 'Advanced');
    await region.getByLabel('Notes').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await region.getByRole('button', { name: 'Add agent' }).click();
    await page.getByRole('dialog', { name: 'Add agent' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await region.getByRole('button', { name: 'Code' }).click();
    await expect.poll(() => page.getByLabel('Embed code').inputValue()).toContain('<script');
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    for (const name of ['Users', 'Groups', 'Flags']) {
      await page.getByRole('link', { name }).click();
      await page.getByRole('heading', { name }).waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      expect(await axeViolations(page), name).toEqual([]);
    }
    await ctx.close();
  });

  it('shows a server error about one agent at that agent and in its dialog', async () => {
    const flag = await w.api<{ id: string }>('POST', '/api/flags', { name: 'Temporary' });
    await w.api('POST', '/api/widgets', { type: 'cards', name: 'Ops', lang: 'en', agents: [{ sipId: 'carla', media: ['chat'], availability: 'always' }] });
    const { ctx, page } = await newAdminPage(w.browser);
    await signIn(page, w.server);
    const region = await openWidget(page, 'Ops');
    await region.getByRole('button', { name: 'Edit Carla Agent' }).click();
    let dlg = page.getByRole('dialog', { name: /Edit agent/ });
    await dlg.getByLabel('Availability').selectOption('boolean');
    await dlg.getByLabel('Flag', { exact: true }).selectOption('Temporary');
    await dlg.getByRole('button', { name: 'OK' }).click();
    await dlg.waitFor({ state: 'detached' });
    // Meanwhile the flag goes away; the server refuses the save and names the agent's field.
    await w.api('DELETE', `/api/flags/${flag.id}`);
    await region.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => region.getByRole('alert').textContent()).toContain('Carla Agent: The flag names no existing flag');
    const row = region.getByRole('listitem').filter({ hasText: 'Carla Agent' });
    expect(await row.textContent()).toContain('The flag names no existing flag');
    await expect.poll(() => row.getByRole('button', { name: 'Edit Carla Agent' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await row.getByRole('button', { name: 'Edit Carla Agent' }).click();
    dlg = page.getByRole('dialog', { name: /Edit agent/ });
    expect(await dlg.getByLabel('Flag', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await dlg.getByLabel('Availability').selectOption('always');
    await dlg.getByRole('button', { name: 'OK' }).click();
    await region.getByRole('button', { name: 'Save' }).click();
    await region.getByText('Saved.', { exact: false }).waitFor();
    await ctx.close();
  });

  it('keeps unsaved changes when the session ends mid-edit, and saves them after signing in again (Ctrl+S)', async () => {
    await w.api('POST', '/api/widgets', { type: 'sidebar', name: 'Kept', lang: 'en', agents: [] });
    const { ctx, page, errors } = await newAdminPage(w.browser);
    await signIn(page, w.server);
    const region = await openWidget(page, 'Kept');
    await openSection(region, 'Advanced');
    await region.getByLabel('Notes').fill('kept notes');
    await ctx.clearCookies(); // the session ends (expired, or signed out elsewhere)
    await region.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'session has ended' }).count()).toBe(1);
    await page.getByLabel('Username').fill(w.server.adminUsername);
    await page.getByLabel('Password').fill(w.server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const notes = page.getByRole('region', { name: 'Kept' }).getByLabel('Notes');
    await expect.poll(() => notes.inputValue()).toBe('kept notes');
    await page.getByText('Your unsaved changes from before the session ended are back', { exact: false }).waitFor();
    await notes.focus();
    await page.keyboard.press('Control+s');
    await page.getByRole('region', { name: 'Kept' }).getByText('Saved.', { exact: false }).waitFor();
    const stored = await w.api<{ name: string; notes: string }[]>('GET', '/api/widgets');
    expect(stored.find((x) => x.name === 'Kept')?.notes).toBe('kept notes');
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await ctx.close();
  });

  it('asks before overwriting a version someone else saved meanwhile', async () => {
    const created = await w.api<{ uuid: string }>('POST', '/api/widgets', { type: 'sidebar', name: 'Shared', lang: 'en', agents: [] });
    const { ctx, page } = await newAdminPage(w.browser);
    await signIn(page, w.server);
    const region = await openWidget(page, 'Shared');
    // Every write the page sends for this widget, in order.
    const writes: string[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET' && new URL(r.url()).pathname === `/api/widgets/${created.uuid}`) writes.push(r.method());
    });
    await openSection(region, 'Advanced');
    await region.getByLabel('Notes').fill('mine');
    await w.api('PUT', `/api/widgets/${created.uuid}`, { type: 'sidebar', name: 'Shared', notes: 'theirs', lang: 'en', agents: [] });
    await region.getByRole('button', { name: 'Save' }).click();
    const ask = page.getByRole('dialog', { name: 'Overwrite changes made elsewhere?' });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => region.getByRole('alert').textContent()).toContain('Not saved');
    const notes = async () => (await w.api<{ notes: string }>('GET', `/api/widgets/${created.uuid}`)).notes;
    expect(await notes()).toBe('theirs');
    await region.getByRole('button', { name: 'Save' }).click();
    await region.getByText('Saved.', { exact: false }).waitFor();
    expect(await notes()).toBe('mine');
    // Requests leave in order: Cancel sent no write, so the second save's PUT is the only one.
    expect(writes).toEqual(['PUT']);
    await ctx.close();
  });
});
