/**
 * Issue 15, second part, in Chromium: an open widget's Save and Code stay in
 * view below the sticky top bar while its form scrolls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { need } from '@cw/testkit';
import { axeViolations, createUser, newAdminPage, openWidget, signIn, startAdminWorld, type AdminWorld } from './support/admin-world.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

describe.skipIf(!ok)('issue 15: every screen (admin)', () => {
  let w: AdminWorld;
  let ctx: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    w = await startAdminWorld();
    await createUser(w.api, { username: 'ann', displayName: 'Ann Example', sipId: 'ann', roles: ['agent'] });
    await w.api('POST', '/api/widgets', { type: 'sidebar', name: 'Shop sidebar', agents: [{ sipId: 'ann', media: ['chat', 'voice'], availability: 'presence' }] });
    ({ ctx, page, errors } = await newAdminPage(w.browser, { width: 1024, height: 600 }));
  });
  afterAll(async () => {
    await ctx?.close();
    await w?.close();
  });

  it('keeps Save and Code in view, below the sticky top bar, after the page scrolls', async () => {
    await signIn(page, w.server);
    const region = await openWidget(page, 'Shop sidebar');
    const save = region.getByRole('button', { name: 'Save' });
    const code = region.getByRole('button', { name: 'Code' });
    // Scroll to the end of the open widget's form (the preview follows it on a window this narrow).
    await region.getByRole('button', { name: 'Add agent' }).scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, 150));
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(200);
    const bar = await page.locator('header.topbar').boundingBox();
    for (const b of [save, code]) {
      const box = await b.boundingBox();
      expect(box).not.toBeNull();
      // Below the bar, inside the window, and the element at its centre is the button itself (nothing covers it).
      expect(box!.y).toBeGreaterThanOrEqual(bar!.y + bar!.height - 1);
      expect(box!.y + box!.height).toBeLessThanOrEqual(600);
      const hit = await b.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !!top && (top === el || el.contains(top));
      });
      expect(hit).toBe(true);
    }
    await code.click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    await page.keyboard.press('Escape');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
