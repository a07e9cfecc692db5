/**
 * Issue 15, agent console, in Chromium: one status (the chosen presence, and
 * "· in a call" beside it — never "Online" next to a red "Busy"), an empty
 * Conversations view that matches the status with a way to go online, the
 * last chosen presence restored after sign-out/sign-in and after a reload,
 * the notification banner dismissed for good, and History with calls beside
 * chats: an answered and a missed call, the filters, a follow-up link and a
 * search with no match; the Missed view shows a declined call at once.
 * Axe-clean in each state. Screenshots go to test-results/ux/console-*.png.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { need } from '@cw/testkit';
import { newContext, useWorld, type AgentCreds } from './support/console-world.js';
import { consoleA11y } from './support/console-a11y.js';
import { openConsole, openVisitorSeeing, setPresence, visitorCall, visitorStartChat } from './support/console-page.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

const SHOTS = new URL('../test-results/ux/', import.meta.url).pathname;
const shot = async (p: Page, name: string) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  await p.screenshot({ path: `${SHOTS}${name}.png` });
};
const status = (p: Page) => p.locator('#presence-status').textContent();
const emptyHeading = (p: Page) => p.locator('main .idle h2').textContent();

async function signInAgain(page: Page, agent: AgentCreds): Promise<void> {
  await page.getByLabel('Username').fill(agent.username);
  await page.getByLabel('Password').fill(agent.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Connected' }).count(), { timeout: 10_000 }).toBe(1);
}

describe.skipIf(!ok)('issue 15: the agent console', () => {
  const env = useWorld(1);

  it('empty state per status, presence restored after sign-out/in and reload, the banner dismissed for good', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const errors: string[] = [];
    const ctx = await newContext(browser);
    const con = await openConsole(ctx, world, agent, 'Online', errors);

    await expect.poll(() => emptyHeading(con)).toBe('You are online');
    expect(await con.locator('main .idle').textContent()).toContain('Chat requests and calls will appear here.');
    expect(await con.getByRole('button', { name: 'Go online' }).count()).toBe(0);

    // The notification banner: Dismiss, and it stays away after a reload.
    const banner = con.getByRole('region', { name: 'Notifications' });
    await banner.waitFor();
    expect(await consoleA11y(con)).toEqual([]);
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => banner.count()).toBe(0);

    for (const [p, heading] of [
      ['Away', 'You are away'],
      ['Offline', 'You are offline'],
      ['Busy', 'You are busy'],
    ] as const) {
      await setPresence(con, p);
      await expect.poll(() => emptyHeading(con)).toBe(heading);
      expect(await con.locator('main .idle').textContent()).toContain('Set your presence to Online to receive chats and calls.');
      expect(await con.getByRole('button', { name: 'Go online' }).count()).toBe(1);
      expect(await consoleA11y(con)).toEqual([]);
    }
    await shot(con, 'console-empty-busy');

    // Busy was the last choice: signing out and in again restores it.
    await con.getByRole('button', { name: 'Sign out' }).click();
    await con.getByRole('button', { name: 'Sign in' }).waitFor();
    await signInAgain(con, agent);
    await expect.poll(() => status(con)).toBe('Busy');
    expect(await con.getByLabel('Presence', { exact: true }).inputValue()).toBe('busy');
    await expect.poll(() => emptyHeading(con)).toBe('You are busy');
    // …and so does a reload; the banner stays dismissed.
    await con.reload();
    await expect.poll(() => con.getByRole('status').filter({ hasText: 'Connected' }).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => status(con)).toBe('Busy');
    expect(await con.getByRole('region', { name: 'Notifications' }).count()).toBe(0);

    // Go online from the empty state.
    await con.getByRole('button', { name: 'Go online' }).click();
    await expect.poll(() => status(con)).toBe('Online');
    await expect.poll(() => emptyHeading(con)).toBe('You are online');
    // Another sign-in keeps Online now, and the banner is still gone.
    await con.getByRole('button', { name: 'Sign out' }).click();
    await signInAgain(con, agent);
    await expect.poll(() => status(con)).toBe('Online');
    expect(await con.getByRole('region', { name: 'Notifications' }).count()).toBe(0);
    expect(errors.filter((e) => !/401 \(Unauthorized\) \S+\/api\/me$/.test(e))).toEqual([]);
    await ctx.close();
  });

  it('one status while in a call; History shows the answered and the missed call, filters, follow-up, no-match search', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const errors: string[] = [];
    const ctx = await newContext(browser);
    const con = await openConsole(ctx, world, agent, 'Online', errors);

    // Vera chats first (giving her e-mail), then calls in the same visit.
    const { ctx: vctx, page: vera } = await openVisitorSeeing(browser, world, agent.displayName);
    await visitorStartChat(vera, agent.displayName, 'Vera Visitor', 'vera@example.com');
    await con.getByRole('button', { name: 'Accept chat' }).click();
    await vera.getByText(`${agent.displayName} joined the chat.`).waitFor({ timeout: 10_000 });
    await con.getByRole('button', { name: 'End chat', exact: true }).click();
    await vera.getByText(`${agent.displayName} ended the chat.`).waitFor({ timeout: 10_000 });
    await vera.getByRole('button', { name: 'Close' }).click();
    await vera.getByRole('button', { name: `Voice call ${agent.displayName}` }).click();
    const prompt = vera.getByLabel('Your name');
    await prompt.or(vera.getByRole('heading', { name: /^Call with/ })).first().waitFor();
    if (await prompt.isVisible()) await vera.getByRole('button', { name: 'Start' }).click();
    // An answered call: the status says the chosen presence and the call, in one text.
    const accept = con.getByRole('button', { name: 'Accept', exact: true });
    await accept.waitFor({ timeout: 15_000 });
    await accept.click();
    const hangUp = con.getByRole('button', { name: 'Hang up', exact: true });
    await hangUp.waitFor();
    await expect.poll(() => status(con)).toBe('Online · in a call');
    expect(await con.getByLabel('Presence', { exact: true }).inputValue()).toBe('online');
    expect(await con.locator('#presence-status').getAttribute('class')).not.toMatch(/danger|busy/);
    expect(await consoleA11y(con)).toEqual([]);
    await shot(con, 'console-in-call-status');
    // Talk for a moment, so the call has a duration.
    await expect.poll(() => con.getByRole('timer').textContent(), { timeout: 5000 }).not.toBe('00:00');
    await hangUp.click();
    await expect.poll(() => status(con)).toBe('Online');
    await vctx.close();

    // A missed call: the visitor (who gave a phone number as name) hangs up while it rings.
    const { ctx: mctx, page: max } = await openVisitorSeeing(browser, world, agent.displayName);
    await visitorCall(max, agent.displayName, '+49 30 1234567', false);
    await accept.waitFor({ timeout: 15_000 });
    await max.getByRole('button', { name: 'Hang up' }).click();
    await expect.poll(() => accept.count(), { timeout: 10_000 }).toBe(0);
    await mctx.close();

    // A declined call while the Missed view is open: it shows there at once (not after the view's slow poll).
    await con.getByRole('button', { name: 'Missed', exact: true }).click();
    await expect.poll(() => con.locator('.missed').textContent()).toContain('Nothing missed.');
    const { ctx: dctx, page: dana } = await openVisitorSeeing(browser, world, agent.displayName);
    await visitorCall(dana, agent.displayName, 'Dana Declined', false);
    await con.getByRole('button', { name: 'Decline', exact: true }).click();
    const declinedAt = Date.now();
    await expect.poll(() => con.getByRole('list', { name: 'Missed contacts' }).textContent(), { timeout: 8000 }).toContain('Dana Declined');
    expect(Date.now() - declinedAt).toBeLessThan(8000);
    await dctx.close();

    await con.getByRole('button', { name: 'History', exact: true }).click();
    const items = con.getByRole('list', { name: 'Chats and calls' }).getByRole('button');
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(4);
    const texts = await items.allTextContents();
    expect(texts[0]).toContain('Dana Declined');
    expect(texts[0]).toContain('Declined');
    expect(texts[1]).toContain('+49 30 1234567');
    expect(texts[1]).toContain('Missed');
    expect(texts[2]).toContain('Vera Visitor');
    expect(texts[2]).toContain('Answered');
    expect(texts[3]).toContain('Vera Visitor');
    expect(texts[3]).toContain('Chat');
    expect(await consoleA11y(con)).toEqual([]);

    // Filters: Missed calls, Chats, Calls, All, and a period.
    await con.getByRole('radio', { name: 'Missed calls' }).check();
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.allTextContents()).not.toContainEqual(expect.stringContaining('Vera Visitor'));
    await con.getByRole('radio', { name: 'Chats', exact: true }).check();
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().textContent()).toContain('Vera Visitor');
    await con.getByRole('radio', { name: 'Calls', exact: true }).check();
    await expect.poll(() => items.count()).toBe(3);
    await con.getByLabel('Period').selectOption({ label: 'Today' });
    await expect.poll(() => items.count()).toBe(3);
    await con.getByRole('radio', { name: 'All', exact: true }).check();
    await expect.poll(() => items.count()).toBe(4);

    // The missed call: outcome, page, and a call-back link (tel:, encoded).
    await items.filter({ hasText: '+49 30 1234567' }).click();
    const detail = con.locator('.call-detail');
    await expect.poll(() => detail.locator('h3').textContent()).toBe('Voice call with +49 30 1234567');
    expect(await detail.textContent()).toContain('Missed');
    expect(await detail.textContent()).toContain(world.widgetName);
    expect(await detail.getByRole('link', { name: 'Shop' }).getAttribute('href')).toBe(`${world.site.url}/`);
    expect(await detail.getByRole('link', { name: 'Call back' }).getAttribute('href')).toBe('tel:+49301234567');
    expect(await detail.getByRole('link', { name: 'Reply by e-mail' }).count()).toBe(0);
    expect(await consoleA11y(con)).toEqual([]);
    await shot(con, 'console-history-missed-call');
    // The answered call: its duration, the e-mail Vera gave in her chat (a mailto: link), her other contact.
    await items.filter({ hasText: 'Answered' }).click();
    await expect.poll(() => detail.locator('h3').textContent()).toBe('Voice call with Vera Visitor');
    expect(await detail.textContent()).toMatch(/Duration\s*00:0\d/);
    expect(await detail.textContent()).toContain('vera@example.com');
    expect(await detail.getByRole('link', { name: 'Reply by e-mail' }).getAttribute('href')).toMatch(/^mailto:vera@example\.com\?subject=Your%20call%20to%20Sales&body=Hello%20Vera%20Visitor%2C$/);
    const others = detail.getByRole('list', { name: 'Other contacts with Vera Visitor' }).getByRole('button');
    await expect.poll(() => others.count()).toBe(1);
    await others.first().click();
    await expect.poll(() => con.getByRole('heading', { name: 'Transcript: Vera Visitor' }).count()).toBe(1);
    expect(await consoleA11y(con)).toEqual([]);

    // A search with no match: the message, no list (not the full one, not a stale one).
    await con.getByRole('searchbox', { name: 'Search history' }).fill('zzz-nobody');
    await con.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => con.locator('.history .no-match').textContent()).toBe('No chats or calls match “zzz-nobody”.');
    expect(await items.count()).toBe(0);
    expect(await consoleA11y(con)).toEqual([]);
    await shot(con, 'console-history-no-match');
    // A search that matches a call.
    await con.getByRole('searchbox', { name: 'Search history' }).fill('vera');
    await con.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => items.count()).toBe(2);
    for (const text of await items.allTextContents()) expect(text).toContain('Vera Visitor');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
