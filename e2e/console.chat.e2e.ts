/**
 * Agent console chats against the real widget: three conversations at once,
 * messages and typing both ways, unread counts, one chat ended by each side,
 * text never rendered as HTML, and the History view with full transcripts.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { need } from '@cw/testkit';
import { newContext, useWorld } from './support/console-world.js';
import { consoleA11y } from './support/console-a11y.js';
import { openConsole, openVisitorSeeing, sendText, visitorStartChat } from './support/console-page.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

const conv = (con: Page, dn: string) => con.getByRole('complementary', { name: 'Chats' }).getByRole('button', { name: new RegExp(`^${dn}`) });
const transcript = (con: Page) => con.locator('.chat .lines');
const widgetLog = (v: Page) => v.getByRole('log', { name: 'Messages' });

describe.skipIf(!ok)('agent console: chats', () => {
  const env = useWorld(1);

  it('handles three chats at once, both ways, and keeps them in History', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const errors: string[] = [];
    const actx = await newContext(browser);
    const con = await openConsole(actx, world, agent, 'Online', errors);

    const names = ['Vera Visitor', 'Walt Visitor', 'Xena Visitor'];
    const visitors: Page[] = [];
    for (const dn of names) {
      const { page: v } = await openVisitorSeeing(browser, world, agent.displayName);
      await visitorStartChat(v, agent.displayName, dn, dn === 'Vera Visitor' ? 'vera@example.org' : undefined);
      visitors.push(v);
    }
    const [vera, walt, xena] = visitors as [Page, Page, Page];

    // Three requests with the visitor's name (and e-mail), each with "Accept chat".
    const requests = con.getByRole('complementary', { name: 'Chats' }).getByRole('listitem').filter({ has: con.getByRole('button', { name: 'Accept chat' }) });
    await expect.poll(() => requests.count(), { timeout: 15_000 }).toBe(3);
    expect(await requests.filter({ hasText: 'Vera Visitor' }).textContent()).toContain('vera@example.org');
    expect(await consoleA11y(con)).toEqual([]);
    expect(await con.locator('[data-live="polite"]').textContent()).toContain('Chat request from');
    for (const dn of names) {
      await requests.filter({ hasText: dn }).getByRole('button', { name: 'Accept chat' }).click();
      await conv(con, dn).waitFor();
    }
    await expect.poll(() => requests.count()).toBe(0);
    for (const v of visitors) await v.getByText(`${agent.displayName} joined the chat.`).waitFor({ timeout: 10_000 });

    // The first accepted chat is open; messages from the others count as unread.
    await conv(con, 'Vera Visitor').click();
    await sendText(walt, 'Hello from Walt');
    await sendText(xena, '<b>bold</b><img src=x onerror="window.__pwned=1">');
    await expect.poll(() => conv(con, 'Walt Visitor').textContent()).toContain('1 unread');
    await expect.poll(() => conv(con, 'Xena Visitor').textContent()).toContain('1 unread');

    // Typing both ways, then messages both ways with delivery state.
    await vera.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('Hi the');
    await expect.poll(() => con.getByText('Vera Visitor is typing…').count(), { timeout: 10_000 }).toBe(1);
    await vera.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => transcript(con).textContent()).toContain('Hi the');
    await expect.poll(() => con.getByText('Vera Visitor is typing…').count()).toBe(0);

    await con.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('Hello Vera');
    await expect.poll(() => vera.getByText(`${agent.displayName} is typing…`).count(), { timeout: 10_000 }).toBe(1);
    await con.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => widgetLog(vera).textContent()).toContain('Hello Vera');
    await expect.poll(() => transcript(con).locator('.line.from-agent').last().textContent()).toContain('sent');
    await expect.poll(() => vera.getByText(`${agent.displayName} is typing…`).count()).toBe(0);

    await conv(con, 'Walt Visitor').click();
    await expect.poll(() => conv(con, 'Walt Visitor').textContent()).not.toContain('unread');
    expect(await transcript(con).textContent()).toContain('Hello from Walt');
    await sendText(con, 'Hi Walt, how can I help?');
    expect(await consoleA11y(con)).toEqual([]);
    await expect.poll(() => widgetLog(walt).textContent()).toContain('Hi Walt, how can I help?');

    await conv(con, 'Xena Visitor').click();
    await expect.poll(() => transcript(con).textContent()).toContain('<b>bold</b><img src=x');
    expect(await transcript(con).locator('b, img').count()).toBe(0);
    expect(await con.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await sendText(con, 'Hi Xena');
    await expect.poll(() => widgetLog(xena).textContent()).toContain('Hi Xena');

    // Ended by each side.
    await walt.getByRole('button', { name: 'End chat', exact: true }).click();
    // The widget asks once before ending a chat with something in it (issue 15).
    await walt.getByRole('alertdialog').getByRole('button', { name: 'End chat', exact: true }).click();
    await conv(con, 'Walt Visitor').click();
    await expect.poll(() => con.locator('.closed-note').textContent(), { timeout: 10_000 }).toContain('Walt Visitor ended the chat.');
    await conv(con, 'Vera Visitor').click();
    await con.getByRole('button', { name: 'End chat', exact: true }).click();
    await vera.getByText(`${agent.displayName} ended the chat.`).waitFor({ timeout: 10_000 });
    await conv(con, 'Xena Visitor').click();
    await con.getByRole('button', { name: 'End chat', exact: true }).click();

    // History: every closed chat, searchable, with the full transcript.
    await con.getByRole('button', { name: 'History', exact: true }).click();
    const closed = con.getByRole('list', { name: 'Chats and calls' }).getByRole('button');
    await expect.poll(() => closed.count(), { timeout: 10_000 }).toBe(3);
    await con.getByRole('searchbox', { name: 'Search history' }).fill('Walt');
    await con.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => closed.count()).toBe(1);
    await closed.first().click();
    const t = con.getByRole('list', { name: 'Transcript' });
    await expect.poll(() => t.textContent()).toContain('Hello from Walt');
    expect(await t.textContent()).toContain('Hi Walt, how can I help?');
    expect(await consoleA11y(con)).toEqual([]);
    await con.getByRole('searchbox', { name: 'Search history' }).fill('');
    await con.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => closed.count()).toBe(3);
    await closed.filter({ hasText: 'Xena' }).click();
    await expect.poll(() => t.textContent()).toContain('<b>bold</b>');
    expect(await t.locator('b, img').count()).toBe(0);

    await actx.close();
    for (const v of visitors) await v.context().close();
    expect(errors).toEqual([]);
  });
});
