// The "before" pictures of docs/screenshots/before/: the walk of e2e/ux-screenshots.e2e.ts, adapted
// to the UI of commit 6635e43 (before issue 15: no widget heading/greeting, End chat without a
// question). Not a test and not part of the build; kept to show how the pictures were made.
//
//   git worktree add /work/wt-before 6635e43 && cp -a node_modules /work/wt-before/
//   cd /work/wt-before && node scripts/build.mjs && cp <this file> e2e/capture-before.e2e.ts
//   unshare -n sh -c 'ip link set lo up && ip addr add 198.18.0.1/32 dev lo && CW_NETNS=1 \
//     SHOTS_DIR=/tmp/before exec npx vitest run --config vitest.e2e.config.ts e2e/capture-before.e2e.ts'
//   node scripts/shrink-screenshots.mjs /tmp/before docs/screenshots/before   (in this checkout)
import { it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { launchChromium } from '@cw/testkit';
import { api, startWorld, type World } from './support/console-world.js';
import { openConsole, sendText, visitorCall, visitorStartChat, waitAgentOnline } from './support/console-page.js';
import { openWidget, signIn } from './support/admin-world.js';

const dir = process.env.SHOTS_DIR ?? '/tmp/before';
fs.mkdirSync(dir, { recursive: true });
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 740 };

async function shot(page: Page, name: string, key: Locator): Promise<void> {
  await key.waitFor({ state: 'visible', timeout: 15_000 });
  await page.screenshot({ path: path.join(dir, `${name}.png`), animations: 'disabled' });
  console.log('wrote', name);
}

async function videosPlaying(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const all: HTMLVideoElement[] = [];
    const walk = (root: Document | ShadowRoot) => {
      root.querySelectorAll('video').forEach((v) => all.push(v));
      root.querySelectorAll('*').forEach((e) => e.shadowRoot && walk(e.shadowRoot));
    };
    walk(document);
    const live = all.filter((v) => v.srcObject);
    return live.length > 0 && live.every((v) => v.readyState >= 2 && v.currentTime > 0.3);
  }, undefined, { timeout: 15_000 });
}

it('captures the screens of the old UI', async () => {
  const world: World = await startWorld(1);
  const w = await api<{ type: string; name: string; lang: string; agents: unknown[]; appearance: unknown }>(world.server, world.adminCookie, 'GET', `/api/widgets/${world.widgetUuid}`);
  // The same widget, without the heading and greeting this version does not have.
  await api(world.server, world.adminCookie, 'PUT', `/api/widgets/${world.widgetUuid}`, {
    type: w.type, name: w.name, lang: w.lang, appearance: w.appearance, agents: w.agents,
    contact: { company: 'Example Shop', address: '1 Main St, Springfield', phone: '+1 555 0100', email: 'help@example.com' },
  });
  const browser = await launchChromium();
  const context = (viewport = DESKTOP) => browser.newContext({ viewport, locale: 'en-US' });
  const ann = world.agents[0]!;
  try {
    const con = await openConsole(await context(), world, ann, 'Online');
    const vera = await (await context()).newPage();
    await vera.goto(world.site.url + '/');
    await waitAgentOnline(vera, ann.displayName);
    await shot(vera, 'widget-sidebar', vera.getByRole('button', { name: `Chat with ${ann.displayName}` }));
    const phone = await (await context(PHONE)).newPage();
    await phone.goto(world.site.url + '/');
    await waitAgentOnline(phone, ann.displayName);
    await shot(phone, 'widget-sidebar-phone', phone.getByRole('button', { name: `Chat with ${ann.displayName}` }));

    await visitorStartChat(vera, ann.displayName, 'Vera Visitor');
    await shot(con, 'console-request', con.getByRole('button', { name: 'Accept chat' }));
    await con.getByRole('button', { name: 'Accept chat' }).click();
    await vera.getByText(`${ann.displayName} joined the chat.`).waitFor({ timeout: 10_000 });
    await sendText(vera, 'Hello! Do you ship to Norway?');
    await con.getByText('Hello! Do you ship to Norway?').waitFor();
    await sendText(con, 'Yes, we do: delivery takes 3 to 5 days.');
    const reply = vera.getByRole('log', { name: 'Messages' }).getByText('Yes, we do: delivery takes 3 to 5 days.');
    await shot(vera, 'widget-chat', reply);
    await vera.setViewportSize(PHONE);
    await shot(vera, 'widget-chat-phone', reply);
    await vera.setViewportSize(DESKTOP);
    await vera.getByRole('button', { name: 'End chat' }).click();
    await vera.getByText('You ended the chat.').waitFor();

    const walt = await (await context()).newPage();
    await walt.goto(world.site.url + '/');
    await waitAgentOnline(walt, ann.displayName);
    await visitorCall(walt, ann.displayName, 'Walt Visitor', true);
    const card = con.getByRole('article').filter({ hasText: 'Walt Visitor' });
    await shot(con, 'console-ringing', card.getByRole('button', { name: 'Accept', exact: true }));
    await shot(walt, 'widget-ringing', walt.getByRole('status').filter({ hasText: 'Ringing…' }));
    await card.getByRole('button', { name: 'Accept', exact: true }).click();
    await walt.getByText(`Connected with ${ann.displayName}`).waitFor({ timeout: 15_000 });
    await videosPlaying(walt);
    await videosPlaying(con);
    await shot(walt, 'widget-call', walt.getByRole('button', { name: 'Hang up' }));
    await shot(con, 'console-call', con.getByRole('button', { name: 'Hang up', exact: true }));
    await con.getByRole('button', { name: 'Hang up', exact: true }).click();
    await walt.getByRole('button', { name: 'Hang up' }).waitFor({ state: 'detached', timeout: 10_000 });

    await con.getByRole('button', { name: 'History', exact: true }).click();
    await shot(con, 'console-history', con.locator('.history').getByText('Vera Visitor').first());

    const page = await (await context()).newPage();
    await signIn(page, world.server);
    const region = await openWidget(page, world.widgetName);
    await page.getByRole('complementary', { name: `Live preview of ${world.widgetName}` }).waitFor();
    await shot(page, 'admin-widget', region.getByRole('button', { name: 'Save' }));
    await region.getByRole('button', { name: 'Code' }).click();
    await shot(page, 'admin-code', page.getByRole('dialog').getByLabel('Embed code'));
  } finally {
    await browser.close();
    await world.close();
  }
}, 180_000);
