/**
 * Agent console: sign-in by the names of spec 7, refusal of an admin-only
 * user, a session that survives a reload, presence remembered and shown to
 * visitors.
 */
import { describe, expect, it } from 'vitest';
import { need } from '@cw/testkit';
import { api, apiLogin, newContext, useWorld, watchErrors } from './support/console-world.js';
import { consoleA11y } from './support/console-a11y.js';
import { openConsole, openVisitorSeeing, presenceControl, visitorStartChat, waitAgentOnline } from './support/console-page.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

describe.skipIf(!ok)('agent console: sign-in and presence', () => {
  const env = useWorld(1);
  const errors: string[] = [];

  it('refuses a wrong password and an admin-only user with a clear message', async () => {
    const { world, browser } = env;
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    watchErrors(page, 'console', errors);
    await page.goto(`${world.server.url}/agent/`);
    await page.getByLabel('Username').waitFor();
    expect(await consoleA11y(page)).toEqual([]);
    await page.getByLabel('Username').fill(world.agents[0]!.username);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username or password');

    await api(world.server, world.adminCookie, 'POST', '/api/users', { username: 'boss', password: 'boss-password-1', displayName: 'Boss', roles: ['admin'] });
    await page.getByLabel('Username').fill('boss');
    await page.getByLabel('Password').fill('boss-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('does not have the agent role');
    expect(await consoleA11y(page)).toEqual([]);
    expect(await presenceControl(page).count()).toBe(0);
    await ctx.close();
  });

  it('keeps the session over a reload, remembers presence and shows it live to visitors', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const ctx = await newContext(browser);
    const page = await openConsole(ctx, world, agent, 'Online', errors);
    const { ctx: vctx, page: visitor } = await openVisitorSeeing(browser, world, agent.displayName, true);
    expect(await consoleA11y(page)).toEqual([]);

    await presenceControl(page).selectOption({ label: 'Away' });
    await expect.poll(() => page.locator('#presence-status').textContent()).toBe('Away');
    await waitAgentOnline(visitor, agent.displayName, false);

    // Reload: no sign-in form, presence restored from localStorage with SetPresence.
    await page.reload();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Connected' }).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByLabel('Username').count()).toBe(0);
    await expect.poll(() => presenceControl(page).inputValue()).toBe('away');

    await presenceControl(page).selectOption({ label: 'Online' });
    await waitAgentOnline(visitor, agent.displayName, true);

    // A presence set through the API shows live in the console.
    const cookie = await apiLogin(world.server, agent.username, agent.password);
    await api(world.server, cookie, 'PUT', `/api/presence/${agent.sipId}`, { presence: 'busy' });
    await expect.poll(() => presenceControl(page).inputValue()).toBe('busy');
    await expect.poll(() => page.locator('#presence-status').textContent()).toBe('Busy');
    await ctx.close();
    await vctx.close();
    // 401s are the app asking who is signed in before sign-in, and the wrong password; nothing else may fail.
    expect(errors.filter((e) => !/401 \(Unauthorized\) \S+\/api\/(me|login)$/.test(e))).toEqual([]);
  });

  it('works from the keyboard alone: sign in, accept a chat, write, end it', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await ctx.clearCookies();
    await page.goto(`${world.server.url}/agent/`);
    await page.getByLabel('Username').waitFor();
    // The username field has focus on load.
    await page.keyboard.type(agent.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(agent.password);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Connected' }).count(), { timeout: 10_000 }).toBe(1);
    await presenceControl(page).focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('#presence-status').textContent()).toBe('Online');

    const { ctx: vctx, page: visitor } = await openVisitorSeeing(browser, world, agent.displayName);
    await visitorStartChat(visitor, agent.displayName, 'Kim Keys');
    await page.getByRole('button', { name: 'Accept chat' }).waitFor({ timeout: 10_000 });

    const focusedName = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.textContent?.trim() ?? '');
    for (let i = 0; i < 30 && (await focusedName()) !== 'Accept chat'; i++) await page.keyboard.press('Tab');
    expect(await focusedName()).toBe('Accept chat');
    await page.keyboard.press('Enter');
    // Focus continues in the new chat's Message field: type and press Enter to send.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('composer-input');
    await page.keyboard.type('Hello from the keyboard');
    await page.keyboard.press('Enter');
    await expect.poll(() => visitor.getByRole('log', { name: 'Messages' }).textContent(), { timeout: 10_000 }).toContain('Hello from the keyboard');

    for (let i = 0; i < 30 && (await focusedName()) !== 'End chat'; i++) await page.keyboard.press('Shift+Tab');
    expect(await focusedName()).toBe('End chat');
    await page.keyboard.press('Enter');
    await visitor.getByText(`${agent.displayName} ended the chat.`).waitFor({ timeout: 10_000 });
    await ctx.close();
    await vctx.close();
  });
});
