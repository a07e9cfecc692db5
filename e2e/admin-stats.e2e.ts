/**
 * The admin app's Statistics, Webhooks and Audit pages in Chromium: the
 * statistics page loads uPlot only when opened, draws its charts and shows
 * the same numbers as the API in the table beside them (and in its CSV);
 * a webhook is added with its secret shown once and a test event logged;
 * the audit page lists and filters the changes. Every page is axe-clean.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { need } from '@cw/testkit';
import { axeViolations, signIn, startAdminWorld, type AdminWorld } from './support/admin-world.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));
const H = 3_600_000;

describe.skipIf(!ok)('admin app: statistics, webhooks, audit', () => {
  let w: AdminWorld;
  let ctx: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    w = await startAdminWorld();
    const widget = await w.api<{ uuid: string }>('POST', '/api/widgets', { type: 'sidebar', name: 'Shop', lang: 'en', agents: [] });
    await w.api('POST', '/api/widgets', { type: 'cards', name: 'Press', lang: 'en', agents: [] });
    const s = w.server.storage;
    // Today and the two days before, at 10:00 and 15:00 UTC (11:00/16:00 in Berlin in winter, 12:00/17:00 in summer).
    const day0 = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const at = (daysAgo: number, hour: number) => Math.min(day0 - daysAgo * 24 * H + hour * H, Date.now() - 60_000);
    const call = (t: number, video: boolean, answered: boolean) =>
      s.calls.create({ widgetUuid: widget.uuid, dest: 'x', visitorDn: 'V', video, agentUserId: null, startedAt: t, answeredAt: answered ? t + 8000 : null, endedAt: t + 90_000, cause: answered ? 'hangup' : 'no-answer' });
    await call(at(2, 10), true, true);
    await call(at(1, 10), false, false);
    await call(at(1, 15), false, true);
    for (const t of [at(2, 15), at(0, 1)]) {
      const c = await s.chats.create({ widgetUuid: widget.uuid, visitorSession: 'vs', visitorDn: 'V', visitorEmail: '', dest: 'x', createdAt: t });
      await s.chats.close(c.id, 'system', t + 60_000);
    }
    ctx = await w.browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Berlin', acceptDownloads: true });
    page = await ctx.newPage();
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
    });
  });
  afterAll(async () => {
    await ctx?.close();
    await w?.close();
  });

  it('shows charts and the same numbers as the API in its tables, loads uPlot only there, and downloads CSV', async () => {
    await signIn(page, w.server);
    await page.getByRole('button', { name: 'Add new sidebar widget' }).waitFor();
    expect(requested.some((p) => p.includes('/chunks/'))).toBe(false);

    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/stats' && r.status() === 200);
    await page.getByRole('link', { name: 'Statistics' }).click();
    const stats = await (await answer).json();
    expect(new URL((await answer).url()).searchParams.get('tz')).toBe('Europe/Berlin');
    // Two calls answered; one call and both chats (closed unaccepted) missed.
    expect(stats.totals).toMatchObject({ voiceCalls: 2, videoCalls: 1, chats: 2, answered: 2, missed: 3 });

    // Three charts, drawn by uPlot (loaded now, as a chunk of its own).
    await expect.poll(() => page.locator('.chart canvas').count(), { timeout: 10_000 }).toBe(3);
    expect(requested.some((p) => /^\/admin\/chunks\/uPlot/.test(p))).toBe(true);
    expect(await page.getByRole('img', { name: /Chart of contacts per day/ }).count()).toBe(1);

    // The table beside the charts holds exactly the API's buckets.
    const table = page.getByRole('table', { name: 'Contacts per day' });
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(stats.buckets.length);
    for (let i = 0; i < stats.buckets.length; i++) {
      const b = stats.buckets[i];
      expect(await rows.nth(i).getAttribute('data-start')).toBe(b.start);
      for (const k of ['chats', 'voiceCalls', 'videoCalls', 'offlineMessages', 'answered', 'missed'])
        expect(Number(await rows.nth(i).locator(`td[data-col="${k}"]`).textContent()), `${b.start} ${k}`).toBe(b[k]);
    }
    expect(Number(await table.locator('tfoot td[data-col="voiceCalls"]').textContent())).toBe(2);
    expect(await page.locator('dd[data-total="missed"]').textContent()).toBe('3');
    const hours = page.getByRole('table', { name: 'Busiest hours' }).locator('tbody tr');
    expect(await hours.count()).toBe(stats.busiestHours.filter((h: { contacts: number }) => h.contacts > 0).length);

    // CSV: a header and one line per bucket, same numbers.
    const dl = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const csv = fs.readFileSync((await (await dl).path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('start,chats,voiceCalls,videoCalls,offlineMessages,answered,missed');
    expect(csv.slice(1)).toEqual(stats.buckets.map((b: Record<string, unknown>) => [b.start, b.chats, b.voiceCalls, b.videoCalls, b.offlineMessages, b.answered, b.missed].join(',')));

    // A filter narrows it: the other widget has nothing.
    const filtered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/stats' && new URL(r.url()).searchParams.has('widget'));
    await page.getByLabel('Widget').selectOption({ label: 'Press' });
    expect((await (await filtered).json()).totals.voiceCalls).toBe(0);
    await expect.poll(() => table.locator('tfoot td[data-col="voiceCalls"]').textContent()).toBe('0');

    // Today: hourly buckets.
    const hourly = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/stats' && new URL(r.url()).searchParams.get('bucket') === 'hour');
    await page.getByLabel('Period').selectOption('today');
    await hourly;
    await page.getByRole('table', { name: 'Contacts per hour' }).waitFor();

    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('adds a webhook, shows its secret once, sends a test event into the delivery log', async () => {
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add webhook' });
    await dialog.getByLabel('URL').fill(`${w.site.url}/hook`);
    await dialog.getByLabel('Call ended (with cause)').check();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    const secret = page.getByRole('dialog', { name: 'Signing secret' });
    expect(await secret.getByLabel('Secret', { exact: true }).inputValue()).toMatch(/^whsec_[0-9a-f]{64}$/);
    await secret.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByLabel('Secret', { exact: true }).count()).toBe(0);

    await page.getByRole('button', { name: `Send test event to ${w.site.url}/hook` }).click();
    const log = page.getByRole('table', { name: `Deliveries to ${w.site.url}/hook` });
    await expect.poll(() => log.locator('tbody tr').first().textContent()).toContain('webhook.test');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('lists the changes in the audit trail and filters them', async () => {
    await page.getByRole('link', { name: 'Audit' }).click();
    const table = page.getByRole('table', { name: 'Audit entries, newest first' });
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
    expect(await table.locator('tbody tr').first().textContent()).toContain('webhook.create');
    await page.getByLabel('Action').fill('widget.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    expect(await table.textContent()).toContain('127.0.0.1');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
