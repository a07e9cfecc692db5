/**
 * Issue 15: screenshots of the main screens, kept as test artefacts. One walk
 * through a real server, the real agent console, the widget on a customer
 * website and the admin app in Chromium (fake camera and microphone):
 *
 *   widget  sidebar open (1280 and 360 wide), chat (1280 and 360), ringing, call
 *   console chat request, incoming call, call, History
 *   admin   widget page, Code popup
 *
 * Each screen's key element must be visible and each screen axe-clean before
 * its picture is written to test-results/screenshots/after/<name>.png.
 * docs/screenshots/ keeps one copy of these next to the pictures of the same
 * screens before issue 15 (docs/screenshots/README.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, need } from '@cw/testkit';
import { api, startWorld, watchErrors, type World } from './support/console-world.js';
import { openConsole, sendText, visitorCall, visitorStartChat, waitAgentOnline } from './support/console-page.js';
import { consoleA11y } from './support/console-a11y.js';
import { axeViolations as widgetAxe } from './support/widget-browser.js';
import { axeViolations as pageAxe, openWidget, signIn } from './support/admin-world.js';

const ok = (await need('chromium')) && (await need('netns', 'media tests run inside a private network namespace'));

export const SHOTS_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../test-results/screenshots/after');
const DESKTOP = { width: 1280, height: 800 };
/** The plain customer page has no icon; Chromium logs the 404 of its request. */
const noFavicon = (e: string) => /favicon\.ico$/.test(e);
const PHONE = { width: 360, height: 740 };

/** Waits until `key` is visible, then writes the page's picture as `<name>.png`. */
async function shot(page: Page, name: string, key: Locator): Promise<void> {
  await key.waitFor({ state: 'visible', timeout: 15_000 });
  expect(await key.isVisible()).toBe(true);
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), animations: 'disabled' });
}

/** Every <video> with a stream in the page (its shadow roots included) shows frames, so a picture is not black. */
async function videosPlaying(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const all: HTMLVideoElement[] = [];
      const walk = (root: Document | ShadowRoot) => {
        root.querySelectorAll('video').forEach((v) => all.push(v));
        root.querySelectorAll('*').forEach((e) => e.shadowRoot && walk(e.shadowRoot));
      };
      walk(document);
      const live = all.filter((v) => v.srcObject);
      return live.length > 0 && live.every((v) => v.readyState >= 2 && v.currentTime > 0.3);
    },
    undefined,
    { timeout: 15_000 },
  );
}

describe.skipIf(!ok)('issue 15: screenshots of the main screens', () => {
  let world: World;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  let con: Page;
  let vera: Page;
  const ann = () => world.agents[0]!;

  const context = async () => {
    const ctx = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    contexts.push(ctx);
    return ctx;
  };

  beforeAll(async () => {
    fs.rmSync(SHOTS_DIR, { recursive: true, force: true });
    fs.mkdirSync(SHOTS_DIR, { recursive: true });
    world = await startWorld(1);
    // A widget as an admin sets it up: heading, greeting and contact details.
    const w = await api<{ type: string; name: string; lang: string; agents: unknown[]; appearance: unknown }>(world.server, world.adminCookie, 'GET', `/api/widgets/${world.widgetUuid}`);
    await api(world.server, world.adminCookie, 'PUT', `/api/widgets/${world.widgetUuid}`, {
      type: w.type,
      name: w.name,
      lang: w.lang,
      appearance: w.appearance,
      agents: w.agents,
      texts: { title: 'Talk to our shop', greeting: 'Questions about an order or a product? Chat or call us right here.' },
      contact: { company: 'Example Shop', address: '1 Main St, Springfield', phone: '+1 555 0100', email: 'help@example.com' },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await world?.close();
  });

  it('widget sidebar open, on a desktop and on a phone', async () => {
    const actx = await context();
    con = await openConsole(actx, world, ann(), 'Online', errors);
    vera = await (await context()).newPage();
    watchErrors(vera, 'vera', errors, noFavicon);
    await vera.goto(world.site.url + '/');
    await waitAgentOnline(vera, ann().displayName);
    await shot(vera, 'widget-sidebar', vera.getByRole('button', { name: `Chat with ${ann().displayName}` }));
    expect(await widgetAxe(vera)).toEqual([]);

    // The same page on a phone's screen.
    await vera.setViewportSize(PHONE);
    await shot(vera, 'widget-sidebar-phone', vera.getByRole('button', { name: `Chat with ${ann().displayName}` }));
    expect(await widgetAxe(vera)).toEqual([]);
    await vera.setViewportSize(DESKTOP);
  });

  it('console chat request, then the chat in the widget (desktop and phone)', async () => {
    await visitorStartChat(vera, ann().displayName, 'Vera Visitor');
    // The idle area says a request waits (not "will appear here" beside a waiting request).
    await con.getByRole('heading', { name: 'Chat requests waiting: 1' }).waitFor();
    await shot(con, 'console-request', con.getByRole('button', { name: 'Accept chat' }));
    expect(await consoleA11y(con)).toEqual([]);

    await con.getByRole('button', { name: 'Accept chat' }).click();
    await vera.getByText(`${ann().displayName} joined the chat.`).waitFor({ timeout: 10_000 });
    await sendText(vera, 'Hello! Do you ship to Norway?');
    await con.getByText('Hello! Do you ship to Norway?').waitFor();
    await sendText(con, 'Yes, we do: delivery takes 3 to 5 days.');
    const reply = vera.getByRole('log', { name: 'Messages' }).getByText('Yes, we do: delivery takes 3 to 5 days.');
    await shot(vera, 'widget-chat', reply);
    expect(await widgetAxe(vera)).toEqual([]);
    await vera.setViewportSize(PHONE);
    await shot(vera, 'widget-chat-phone', reply);
    expect(await widgetAxe(vera)).toEqual([]);
    await vera.setViewportSize(DESKTOP);

    // The visitor ends the chat (it asks once).
    await vera.getByRole('button', { name: 'End chat' }).click();
    await vera.getByRole('alertdialog').getByRole('button', { name: 'End chat' }).click();
    await vera.getByText('You ended the chat.').waitFor();
  });

  it('a video call: ringing in the widget and the console, then the call on both sides', async () => {
    const walt = await (await context()).newPage();
    watchErrors(walt, 'walt', errors, noFavicon);
    await walt.goto(world.site.url + '/');
    await waitAgentOnline(walt, ann().displayName);
    await visitorCall(walt, ann().displayName, 'Walt Visitor', true);
    const card = con.getByRole('article').filter({ hasText: 'Walt Visitor' });
    await shot(con, 'console-ringing', card.getByRole('button', { name: 'Accept', exact: true }));
    expect(await consoleA11y(con)).toEqual([]);
    await shot(walt, 'widget-ringing', walt.getByRole('status').filter({ hasText: 'Ringing…' }));
    expect(await widgetAxe(walt)).toEqual([]);

    await card.getByRole('button', { name: 'Accept', exact: true }).click();
    await walt.getByText(`Connected with ${ann().displayName}`).waitFor({ timeout: 15_000 });
    await videosPlaying(walt);
    await videosPlaying(con);
    await shot(walt, 'widget-call', walt.getByRole('button', { name: 'Hang up' }));
    expect(await widgetAxe(walt)).toEqual([]);
    await shot(con, 'console-call', con.getByRole('button', { name: 'Hang up', exact: true }));
    expect(await consoleA11y(con)).toEqual([]);

    await con.getByRole('button', { name: 'Hang up', exact: true }).click();
    await expect.poll(() => walt.getByRole('button', { name: 'Hang up' }).count(), { timeout: 10_000 }).toBe(0);
  });

  it('console History', async () => {
    await con.getByRole('button', { name: 'History', exact: true }).click();
    await shot(con, 'console-history', con.locator('.history').getByText('Vera Visitor').first());
    expect(await consoleA11y(con)).toEqual([]);
  });

  it('admin widget page and the Code popup', async () => {
    const page = await (await context()).newPage();
    watchErrors(page, 'admin', errors, (e) => /401 \(Unauthorized\) \S+\/api\/me$/.test(e));
    await signIn(page, world.server);
    const livePresence = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/presence' && r.ok());
    const region = await openWidget(page, world.widgetName);
    // The live preview shows the agent as the website does.
    const preview = page.getByRole('complementary', { name: `Live preview of ${world.widgetName}` });
    await preview.waitFor();
    // The preview (in a closed shadow root) with the agents' live presence, done sliding in (no picture mid-transition).
    await livePresence;
    await page.waitForFunction(() => {
      const root = (document.querySelector('[data-testid="widget-preview"]') as any)?.[Symbol.for('cw-admin.preview-root')] as ShadowRoot | undefined;
      const inner = root?.querySelector('.preview-inner');
      // The widget inside the preview has its own (open) shadow root.
      const widgetRoot = inner && [...inner.querySelectorAll('*')].find((e) => e.shadowRoot)?.shadowRoot;
      return !!widgetRoot && [document, root, widgetRoot].every((r) => r!.getAnimations().every((a) => a.playState !== 'running'));
    });
    await shot(page, 'admin-widget', region.getByRole('button', { name: 'Save' }));
    expect(await pageAxe(page)).toEqual([]);
    await region.getByRole('button', { name: 'Code' }).click();
    const dialog = page.getByRole('dialog');
    await shot(page, 'admin-code', dialog.getByLabel('Embed code'));
    expect(await pageAxe(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    expect(errors).toEqual([]);
    expect(fs.readdirSync(SHOTS_DIR).sort()).toEqual(
      ['admin-code', 'admin-widget', 'console-call', 'console-history', 'console-request', 'console-ringing', 'widget-call', 'widget-chat', 'widget-chat-phone', 'widget-ringing', 'widget-sidebar', 'widget-sidebar-phone'].map((n) => `${n}.png`).sort(),
    );
  });
});
