/**
 * The admin app's Phone system page and "Reached at" in the user and group
 * dialogs, in Chromium, against a real Kamailio (e2e/sip/kamailio.cfg) in the
 * test's network namespace: the status is shown in words (registered, or the
 * PBX's answer), a save re-registers without a restart, the page is axe-clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { need, startKamailio, type Kamailio } from '@cw/testkit';
import { axeViolations, createUser, newAdminPage, signIn, startAdminWorld, type AdminWorld } from './support/admin-world.js';

const ok =
  (await need('chromium')) && (await need('netns', 'Kamailio binds 5060 inside the namespace')) && (await need('sip', 'apt-get install kamailio kamailio-presence-modules kamailio-websocket-modules baresip-core sip-tester rtpengine-daemon'));

describe.skipIf(!ok)('admin app: phone system', () => {
  let w: AdminWorld;
  let pbx: Kamailio;

  beforeAll(async () => {
    pbx = await startKamailio();
    w = await startAdminWorld();
    await createUser(w.api, { username: 'petra', displayName: 'Petra Phone', sipId: 'petra', roles: ['agent'] });
  }, 60_000);
  afterAll(async () => {
    await w?.close();
    await pbx?.stop();
  });

  it('connects to the PBX from the Phone system page, shows the status in words, and the PBX answer when it refuses', async () => {
    const { ctx, page, errors } = await newAdminPage(w.browser);
    await signIn(page, w.server);
    await page.getByRole('link', { name: 'Phone system' }).click();
    await page.getByRole('heading', { name: 'Phone system', level: 1 }).waitFor();
    const status = page.getByRole('region', { name: 'Status' }).getByRole('status');
    await expect.poll(() => status.textContent()).toContain('Off: no phone system is connected.');

    await page.getByRole('checkbox', { name: 'Connect to a phone system' }).check();
    await page.getByLabel('Registrar').fill('sip:127.0.0.1:5060');
    await page.getByLabel('Transport').selectOption('tcp');
    expect(await page.getByLabel('Registrar').inputValue()).toBe('sip:127.0.0.1:5060;transport=tcp');
    await page.getByLabel('Domain').fill('127.0.0.1');
    await page.getByLabel('Username').fill('widgets');
    await page.getByLabel('Password', { exact: true }).fill('widgets-secret');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/^Registered since /);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    const v = await axeViolations(page);
    expect(v, v.join('\n')).toEqual([]);

    // The API shows the same, without the password.
    const ps = await w.api<any>('GET', '/api/phone-system');
    expect(ps).toMatchObject({ enabled: true, transport: 'tcp', hasPassword: true, status: { state: 'registered' } });
    expect(JSON.stringify(ps)).not.toContain('widgets-secret');

    // A wrong password: the PBX's answer, in words, without a restart.
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/^Not registered: 403 Forbidden \(since /);

    // Server validation errors show at the field.
    await page.getByLabel('Registrar').fill('http://pbx.example.com');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByLabel('Registrar').getAttribute('aria-invalid')).toBe('true');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('sets where users and groups are reached with "Reached at": Console, Phone, Both', async () => {
    const { ctx, page, errors } = await newAdminPage(w.browser);
    await signIn(page, w.server);
    await page.getByRole('link', { name: 'Users' }).click();
    const row = page.getByRole('row').filter({ hasText: 'petra' });
    await row.getByRole('button', { name: 'Edit petra' }).click();
    let dlg = page.getByRole('dialog', { name: 'Edit user petra' });
    const reach = dlg.getByRole('combobox', { name: 'Reached at' });
    expect(await reach.locator('option').allTextContents()).toEqual(['Console', 'Phone', 'Both']);
    expect(await reach.inputValue()).toBe('console');
    await reach.selectOption({ label: 'Phone' });
    const v = await axeViolations(page);
    expect(v, v.join('\n')).toEqual([]);
    await dlg.getByRole('button', { name: 'Save user' }).click();
    await expect.poll(() => row.textContent()).toContain('Phone');
    await expect.poll(async () => (await w.api<any[]>('GET', '/api/users')).find((u) => u.username === 'petra')?.reach).toBe('phone');

    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('button', { name: 'Add group' }).click();
    dlg = page.getByRole('dialog', { name: 'Add group' });
    await dlg.getByLabel('Group name').fill('Front desk');
    await dlg.getByLabel('SIP-ID').fill('frontdesk');
    await dlg.getByRole('combobox', { name: 'Reached at' }).selectOption({ label: 'Both' });
    await dlg.getByRole('button', { name: 'Create group' }).click();
    const grow = page.getByRole('row').filter({ hasText: 'frontdesk' });
    await expect.poll(() => grow.textContent()).toContain('Both');
    await expect.poll(async () => (await w.api<any[]>('GET', '/api/groups')).find((g) => g.sipId === 'frontdesk')?.reach).toBe('both');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
