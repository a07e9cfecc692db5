/**
 * Keyboard alone (issue 16): the whole visitor flow (open, chat, call, hang
 * up, close) and the whole agent flow (sign in, accept a chat, chat, answer
 * a call, hang up) with Tab, Shift+Tab, Enter and typing only — focus always
 * visible (:focus-visible with an outline) and returning where it came from.
 * Media flows both ways in the call (getStats bytes).
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { need } from '@cw/testkit';
import { useWorld, watchErrors } from './support/console-world.js';
import { consoleInbound, expectMediaFlowing, widgetInbound } from './support/console-page.js';
import { politeTexts } from './support/live-regions.js';

const ready = await need('chromium');

/** The focused element, through open shadow roots: its accessible name, tag and whether focus is visible. */
function focused(page: Page): Promise<{ name: string; tag: string; visible: boolean }> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return { name: '', tag: '', visible: false };
    const labelled = el.getAttribute('aria-labelledby');
    const byLabel = el.id ? (el.getRootNode() as Document | ShadowRoot).querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null;
    const name = (el.getAttribute('aria-label') ?? (labelled ? (el.getRootNode() as Document).getElementById?.(labelled)?.textContent : null) ?? byLabel ?? el.textContent ?? '').trim();
    const style = getComputedStyle(el);
    const visible = el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    return { name, tag: el.tagName.toLowerCase(), visible };
  });
}

/** Presses Tab (or Shift+Tab) until the focused element's name matches; every stop must show its focus. */
async function tabTo(page: Page, name: string | RegExp, back = false, max = 40): Promise<void> {
  const matches = (n: string) => (typeof name === 'string' ? n === name : name.test(n));
  const now = await focused(page);
  if (matches(now.name) && now.tag !== 'body') return;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    expect(f.visible, `focus visible on ${f.tag} "${f.name}"`).toBe(true);
    if (matches(f.name)) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

/** After a call button: the name prompt (Enter keeps the remembered name) if the widget asks again, else the call is already on its way. */
async function startCall(visitor: Page): Promise<void> {
  const prompt = visitor.getByRole('textbox', { name: 'Your name' });
  const calling = visitor.getByRole('heading', { name: /^Call with/ });
  await prompt.or(calling).first().waitFor();
  if (await prompt.isVisible()) await visitor.keyboard.press('Enter');
}

describe.skipIf(!ready)('keyboard only: visitor and agent', () => {
  const env = useWorld(1);

  it('chat and call, from the widget and the console, without a mouse', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const errors: string[] = [];

    // The agent signs in and goes online by keyboard.
    const cctx = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-US' });
    const con = await cctx.newPage();
    watchErrors(con, 'console', errors, (e) => /401 \(Unauthorized\) \S+\/api\/me$/.test(e));
    await con.goto(`${world.server.url}/agent/?test=1`);
    await con.getByLabel('Username').waitFor();
    await con.keyboard.type(agent.username); // the field has focus on load
    await con.keyboard.press('Tab');
    await con.keyboard.type(agent.password);
    await con.keyboard.press('Enter');
    await expect.poll(() => con.getByRole('status').filter({ hasText: 'Connected' }).count(), { timeout: 10_000 }).toBe(1);
    await tabTo(con, 'Presence');
    await con.keyboard.press('Home'); // "Online" is the first choice of the select
    await expect.poll(() => con.locator('#presence-status').textContent()).toBe('Online');

    // The visitor opens the widget and starts a chat by keyboard.
    const vctx = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-US' });
    const visitor = await vctx.newPage();
    watchErrors(visitor, 'visitor', errors, (e) => /favicon\.ico/.test(e));
    await visitor.goto(world.site.url + '/');
    await visitor.getByRole('button', { name: 'Contact us' }).waitFor();
    await tabTo(visitor, 'Contact us');
    await visitor.keyboard.press('Enter');
    await tabTo(visitor, `Chat with ${agent.displayName}`);
    await visitor.keyboard.press('Enter');
    await visitor.getByRole('textbox', { name: 'Your name' }).waitFor();
    expect((await focused(visitor)).name).toBe('Your name');
    await visitor.keyboard.type('Kim Keys');
    await visitor.keyboard.press('Enter');

    // The agent accepts by keyboard and answers.
    await con.getByRole('button', { name: 'Accept chat' }).waitFor({ timeout: 15_000 });
    await tabTo(con, 'Accept chat');
    await con.keyboard.press('Enter');
    await con.getByRole('textbox', { name: 'Message' }).waitFor();
    await tabTo(con, 'Message');
    await con.keyboard.type('Hello Kim, how can I help?');
    await con.keyboard.press('Enter');
    await visitor.getByText('Hello Kim, how can I help?').waitFor({ timeout: 10_000 });
    // The visitor's message field has focus once the chat is open; typing and Enter send.
    expect((await focused(visitor)).name).toBe('Message');
    await visitor.keyboard.type('I would like to talk.');
    await visitor.keyboard.press('Enter');
    await con.getByText('I would like to talk.').waitFor({ timeout: 10_000 });
    // The agent's console announced the new chat politely (not repeated).
    expect(await con.locator('[aria-live="polite"][data-live]').textContent()).toContain('Kim Keys');

    // The visitor ends the chat, closes it, and focus returns to the agent's chat button.
    await tabTo(visitor, 'End chat');
    await visitor.keyboard.press('Enter');
    // Ending asks once (issue 15): focus is on "Keep chatting"; the question's own "End chat" follows it.
    await expect.poll(async () => (await focused(visitor)).name).toBe('Keep chatting');
    await tabTo(visitor, 'End chat');
    await visitor.keyboard.press('Enter');
    // "End chat" is gone: focus is on "Close", not lost to the page.
    await expect.poll(async () => (await focused(visitor)).name).toBe('Close');
    await visitor.keyboard.press('Enter');
    await expect.poll(async () => (await focused(visitor)).name).toBe(`Chat with ${agent.displayName}`);
    expect((await focused(visitor)).visible).toBe(true);

    // A voice call by keyboard: the visitor calls, the agent answers, media flows both ways, the visitor hangs up.
    await tabTo(visitor, `Voice call ${agent.displayName}`);
    await visitor.keyboard.press('Enter');
    await startCall(visitor);
    await con.getByRole('button', { name: 'Accept', exact: true }).waitFor({ timeout: 15_000 });
    await tabTo(con, 'Accept');
    await con.keyboard.press('Enter');
    await con.getByRole('button', { name: 'Hang up' }).waitFor({ timeout: 15_000 });
    await visitor.getByText(`Connected with ${agent.displayName}`).waitFor({ timeout: 15_000 });
    await expectMediaFlowing(() => widgetInbound(visitor), true);
    await expectMediaFlowing(() => consoleInbound(con), true);
    // "Connected" reached the visitor through the polite status region.
    expect(await politeTexts(visitor)).toContain(`Connected with ${agent.displayName}`);
    await tabTo(visitor, 'Hang up');
    await visitor.keyboard.press('Enter');
    await visitor.getByText('The call has ended.').waitFor({ timeout: 10_000 });
    // Focus moves to the ended call's Close button; Enter goes back to the list, focus back on the agent.
    expect((await focused(visitor)).name).toBe('Close');
    await visitor.keyboard.press('Enter');
    await expect.poll(async () => (await focused(visitor)).name).toBe(`Voice call ${agent.displayName}`);
    await con.getByRole('button', { name: 'Hang up' }).waitFor({ state: 'detached', timeout: 10_000 });

    // A second call: this time the agent hangs up by keyboard.
    await visitor.keyboard.press('Enter');
    await startCall(visitor);
    await con.getByRole('button', { name: 'Accept', exact: true }).waitFor({ timeout: 15_000 });
    await tabTo(con, 'Accept');
    await con.keyboard.press('Enter');
    await visitor.getByText(`Connected with ${agent.displayName}`).waitFor({ timeout: 15_000 });
    await tabTo(con, 'Hang up');
    await con.keyboard.press('Enter');
    await visitor.getByText(`${agent.displayName} ended the call.`).waitFor({ timeout: 10_000 });
    expect(await politeTexts(visitor)).toContain(`${agent.displayName} ended the call.`);
    expect(errors).toEqual([]);
    await vctx.close();
    await cctx.close();
  });
});
