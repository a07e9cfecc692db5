/**
 * The admin app and the agent console in the user's language (issue 16,
 * spec 13): the browser's language first (German), a switch to Hebrew
 * (right to left, <html lang dir>), the choice remembered in the browser and
 * for the user on the server (a fresh English browser gets Hebrew after
 * signing in), the accessible names of spec 7 translated, axe clean in LTR
 * and RTL, screenshots in test-results/i18n/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { need } from '@cw/testkit';
import { axeViolations, newAdminPage, startAdminWorld, type AdminWorld } from './support/admin-world.js';
import { api, useWorld, watchErrors } from './support/console-world.js';
import { openVisitorSeeing, visitorStartChat } from './support/console-page.js';
import { consoleA11y } from './support/console-a11y.js';
import { politeTexts } from './support/live-regions.js';
import de from '../packages/i18n/locales/admin/de.json';
import he from '../packages/i18n/locales/admin/he.json';
import cde from '../packages/i18n/locales/console/de.json';
import che from '../packages/i18n/locales/console/he.json';

const ready = await need('chromium');
const SHOTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../test-results/i18n');
const strip = (s: string | null) => (s ?? '').replace(/[\u2068\u2069]/g, '');
const htmlLangDir = (page: Page) => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);

describe.skipIf(!ready)('admin app: German and Hebrew', () => {
  let w: AdminWorld;
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    w = await startAdminWorld();
  });
  afterAll(async () => {
    await w?.close();
  });

  it('follows the browser (German), switches to Hebrew right to left, and remembers the choice for the user', async () => {
    // No choice stored for the user yet ('' = follow the browser).
    await w.api('PATCH', '/api/me', { lang: '' });
    const { ctx, page, errors } = await newAdminPage(w.browser);
    await ctx.setExtraHTTPHeaders({ 'accept-language': 'de-DE,de;q=0.9' });
    await page.addInitScript(() => Object.defineProperty(navigator, 'languages', { get: () => ['de-DE', 'de'] }));
    await page.goto(`${w.server.url}/admin/`);
    await page.getByLabel(de['Username']).fill(w.server.adminUsername);
    expect(await htmlLangDir(page)).toEqual(['de', 'ltr']);
    await page.getByLabel(de['Password']).fill(w.server.adminPassword);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: de['Sign in'] }).click();
    await page.getByRole('button', { name: de['Add new sidebar widget'] }).click();
    await page.getByLabel(de['Name'], { exact: true }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'admin-de.png') });

    // Switch to Hebrew: right to left, Hebrew names, axe clean.
    await page.getByLabel(de['Language'], { exact: true }).selectOption('he');
    await expect.poll(() => htmlLangDir(page)).toEqual(['he', 'rtl']);
    await page.getByRole('link', { name: he['Users'] }).click();
    await page.getByRole('button', { name: he['Add user'] }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // Schedules (added after issue 16's first round) in Hebrew too.
    await page.getByRole('link', { name: he['Schedules'] }).click();
    await page.getByRole('button', { name: he['Add schedule'] }).click();
    await page.getByRole('heading', { name: he['New schedule'] }).waitFor();
    await page.getByRole('table', { name: he['Opening hours per day (local time of the zone)'] }).getByRole('rowheader', { name: he['Monday'] }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: he['Cancel'] }).click();
    await page.getByRole('link', { name: he['Widgets'] }).click();
    await page.getByRole('button', { name: he['Add new business cards widget'] }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'admin-he.png') });
    // The top bar's first item sits on the right.
    const brand = await page.locator('.topbar .brand').boundingBox();
    expect(brand!.x).toBeGreaterThan(512);

    // Remembered: after a reload (this browser) and on the server (the user).
    await page.reload();
    await page.getByRole('button', { name: he['Add new sidebar widget'] }).waitFor();
    const me = await page.evaluate(() => fetch('/api/me').then((r) => r.json()));
    expect(me.lang).toBe('he');
    expect(errors).toEqual([]);
    await ctx.close();

    // Another browser, English: the sign-in page is English, and after signing in the user's Hebrew applies.
    const other = await newAdminPage(w.browser);
    await other.page.goto(`${w.server.url}/admin/`);
    await other.page.getByLabel('Username').fill(w.server.adminUsername);
    await other.page.getByLabel('Password').fill(w.server.adminPassword);
    await other.page.getByRole('button', { name: 'Sign in' }).click();
    await other.page.getByRole('button', { name: he['Add new sidebar widget'] }).waitFor();
    expect(await htmlLangDir(other.page)).toEqual(['he', 'rtl']);
    // Back to German for the user; the server refuses what is not a language of the product.
    await other.page.getByLabel(he['Language'], { exact: true }).selectOption('de');
    await other.page.getByRole('button', { name: de['Add new sidebar widget'] }).waitFor();
    const bad = await other.page.evaluate(() => fetch('/api/me', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lang: 'xx' }) }).then((r) => r.status));
    expect(bad).toBe(400);
    await expect.poll(() => other.page.evaluate(() => fetch('/api/me').then((r) => r.json()).then((m) => m.lang))).toBe('de');
    await other.ctx.close();
  });
});

describe.skipIf(!ready)('agent console: German and Hebrew', () => {
  const env = useWorld(1);

  async function signIn(page: Page, names: { Username: string; Password: string; 'Sign in': string }) {
    const a = env.world.agents[0]!;
    await page.getByLabel(names.Username).fill(a.username);
    await page.getByLabel(names.Password).fill(a.password);
    await page.getByRole('button', { name: names['Sign in'] }).click();
  }

  it('follows the browser (German), switches to Hebrew right to left; a chat request and the chat in Hebrew, axe clean', async () => {
    const { world, browser } = env;
    const ctx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1024, height: 768 } });
    const page = await ctx.newPage();
    const errors = watchErrors(page, 'console', [], (e) => /401 \(Unauthorized\) \S+\/api\/me$/.test(e));
    await page.goto(`${world.server.url}/agent/?test=1`);
    await page.getByLabel(cde['Username']).waitFor();
    expect(await htmlLangDir(page)).toEqual(['de', 'ltr']);
    expect(await consoleA11y(page)).toEqual([]);
    await signIn(page, cde);
    await expect.poll(() => page.getByRole('status').filter({ hasText: cde['Connected'] }).count(), { timeout: 10_000 }).toBe(1);
    const presence = page.getByLabel(cde['Presence'], { exact: true });
    await presence.selectOption({ label: cde['Online'] });
    await expect.poll(() => page.locator('#presence-status').textContent()).toBe(cde['Online']);
    expect(await consoleA11y(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'console-de.png') });

    await page.getByLabel(cde['Language'], { exact: true }).selectOption('he');
    await expect.poll(() => htmlLangDir(page)).toEqual(['he', 'rtl']);
    await page.getByLabel(che['Presence'], { exact: true }).waitFor();
    expect(await page.locator('#presence-status').textContent()).toBe(che['Online']);
    expect(await consoleA11y(page)).toEqual([]);

    // A chat request arrives: announced politely in Hebrew, accepted by its Hebrew name.
    const { ctx: vctx, page: visitor } = await openVisitorSeeing(browser, world, world.agents[0]!.displayName);
    await visitorStartChat(visitor, world.agents[0]!.displayName, 'Vera Visitor');
    const accept = page.getByRole('button', { name: che['Accept chat'] });
    await accept.waitFor({ timeout: 15_000 });
    await expect.poll(async () => (await politeTexts(page)).map(strip)).toContain('בקשת צ׳אט מ־Vera Visitor דרך Sales.');
    expect(await consoleA11y(page)).toEqual([]);
    await accept.click();
    const field = page.getByRole('textbox', { name: che['Message'] });
    await field.fill('שלום! How can I help?');
    await page.getByRole('button', { name: che['Send'] }).click();
    await visitor.getByText('שלום! How can I help?').waitFor({ timeout: 10_000 });
    await visitor.getByRole('textbox', { name: 'Message' }).fill('Hi there');
    await visitor.getByRole('textbox', { name: 'Message' }).press('Enter');
    await page.getByText('Hi there').waitFor();
    // Message times in the user's locale (Hebrew) — the same clock the Intl API gives for he.
    const shown = await page.locator('.lines time, .line time').last().textContent();
    expect(shown).toMatch(/^\d{2}:\d{2}$/);
    expect(await consoleA11y(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'console-he.png') });
    await page.getByRole('button', { name: che['End chat'] }).click();
    await visitor.getByText(`${world.agents[0]!.displayName} ended the chat.`).waitFor({ timeout: 10_000 });

    // A call in Hebrew: ringing and in the call, axe clean; announced politely; hung up by its Hebrew name.
    await visitor.getByRole('button', { name: 'Close' }).click();
    await visitor.getByRole('button', { name: `Voice call ${world.agents[0]!.displayName}` }).click();
    // The name is remembered from the chat; the prompt shows again only if the widget asks.
    const prompt = visitor.getByLabel('Your name');
    await prompt.or(visitor.getByRole('heading', { name: /^Call with/ })).first().waitFor();
    if (await prompt.isVisible()) await visitor.getByRole('button', { name: 'Start' }).click();
    const answer = page.getByRole('button', { name: che['Accept'], exact: true });
    await answer.waitFor({ timeout: 15_000 });
    await expect.poll(async () => (await politeTexts(page)).map(strip)).toContain('שיחה קולית נכנסת מ־Vera Visitor דרך Sales.');
    expect(await consoleA11y(page)).toEqual([]);
    await answer.click();
    await page.getByRole('button', { name: che['Hang up'] }).waitFor({ timeout: 15_000 });
    await visitor.getByText(`Connected with ${world.agents[0]!.displayName}`).waitFor({ timeout: 15_000 });
    expect(await consoleA11y(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'console-he-call.png') });
    await page.getByRole('button', { name: che['Hang up'] }).click();
    await visitor.getByText(`${world.agents[0]!.displayName} ended the call.`).waitFor({ timeout: 10_000 });
    // The Missed view (schedules) in Hebrew.
    await page.getByRole('button', { name: che['Missed'], exact: true }).click();
    await page.getByRole('heading', { name: che['Missed'] }).waitFor();
    await page.getByLabel(che['Show done items too']).waitFor();
    expect(await consoleA11y(page)).toEqual([]);

    // Remembered for the user on the server.
    const me = await api(world.server, world.adminCookie, 'GET', '/api/users').then((users: any[]) => users.find((u) => u.username === world.agents[0]!.username));
    expect(me).toBeTruthy();
    expect(await page.evaluate(() => fetch('/api/me').then((r) => r.json()).then((m) => m.lang))).toBe('he');
    expect(errors).toEqual([]);
    await vctx.close();
    await ctx.close();
  });
});
