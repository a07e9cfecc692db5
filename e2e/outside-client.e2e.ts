/**
 * The three UIs driven the way an outside end-to-end client would: only
 * roles and the accessible names of spec section 7, Playwright's default
 * (non-exact, case-insensitive substring) name matching, strict mode, no
 * test hooks, class names or test ids. Where the natural locator is page-wide
 * (no scoping), it must still match exactly one element.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, need, startSite, startTestServer, type TestServer } from '@cw/testkit';
import { apiAs, type Api } from './support/api.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

type Site = Awaited<ReturnType<typeof startSite>>;
/** Test data only (users, widgets); every check below acts through the UI. */
const adminApi = (server: TestServer): Promise<Api> => apiAs(server, server.adminUsername, server.adminPassword);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

function embed(server: TestServer, uuid: string): string {
  return `<script src="${server.url}/widget.js"></script><contact-widget uuid="${uuid}" server="${server.url}"></contact-widget>`;
}

async function newPage(browser: Browser, o: { clipboard?: boolean } = {}): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', permissions: o.clipboard ? ['clipboard-read', 'clipboard-write'] : [] });
  return { ctx, page: await ctx.newPage() };
}

/** The login form both apps share (section 7: Username, Password, Sign in). */
async function signIn(p: Page, url: string, username: string, password: string): Promise<void> {
  await p.goto(url);
  await p.getByLabel('Username').fill(username);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

describe.skipIf(!ok)('outside client: section 7 names with default matching', () => {
  let server: TestServer;
  let site: Site;
  let browser: Browser;
  let api: Api;
  const agents = [
    { username: 'ann', password: 'ann-password-1', displayName: 'Ann', sipId: 'ann' },
    { username: 'ben', password: 'ben-password-1', displayName: 'Ben', sipId: 'ben' },
  ];

  beforeAll(async () => {
    server = await startTestServer();
    site = await startSite({});
    browser = await launchChromium();
    api = await adminApi(server);
    for (const a of agents) await api('POST', '/api/users', { ...a, roles: ['agent'] });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  it('admin: signs in, makes a sidebar widget with an agent, saves, shows the code, copies and downloads it', async () => {
    const { ctx, page: p } = await newPage(browser, { clipboard: true });
    await signIn(p, `${server.url}/admin`, server.adminUsername, server.adminPassword);

    await p.getByRole('button', { name: 'Add new sidebar widget' }).click();
    await p.getByLabel('Name').fill('Support');

    // The most naive client: every locator page-wide, even inside the dialog.
    await p.getByRole('button', { name: 'Add agent' }).click();
    await p.getByLabel('SIP-ID').fill('ann');
    await p.getByLabel('Display name').fill('Ann');
    // The option values are the protocol's (section 4).
    await p.getByLabel('Availability').selectOption('always');
    for (const m of ['Voice', 'Video', 'Chat', 'E-mail']) await p.getByRole('checkbox', { name: m }).check();
    await p.getByRole('checkbox', { name: 'Video' }).uncheck();
    expect(await p.getByRole('checkbox', { name: 'Video' }).isChecked()).toBe(false);
    await p.getByRole('button', { name: 'OK' }).click();
    await p.getByRole('dialog').waitFor({ state: 'detached' });

    await p.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await api<{ name: string }[]>('GET', '/api/widgets')).map((w) => w.name)).toEqual(['Support']);
    const saved = (await api<{ agents: { sipId: string; displayName: string; media: string[]; availability: string }[] }[]>('GET', '/api/widgets'))[0]!;
    expect(saved.agents).toMatchObject([{ sipId: 'ann', displayName: 'Ann', media: ['voice', 'chat', 'email'], availability: 'always' }]);

    await p.getByRole('button', { name: 'Code' }).click();
    // Read at once, as a naive client does: the field holds the code, never a placeholder.
    const text = await p.getByLabel('Embed code').inputValue();
    expect(text).toContain('<contact-widget');
    expect(await p.getByLabel('Embed code').textContent()).toBe(text);
    await p.getByRole('button', { name: 'Copy' }).click();
    expect(await p.evaluate(() => navigator.clipboard.readText())).toBe(text);
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.html$/);
    await p.keyboard.press('Escape');
    await p.getByRole('dialog').waitFor({ state: 'detached' });

    // A second widget: the natural page-wide locators still find exactly one control.
    await p.getByRole('button', { name: 'Add new business cards widget' }).click();
    await p.getByLabel('Name').fill('Cards');
    await p.getByRole('button', { name: 'Add agent' }).click();
    await p.getByLabel('SIP-ID').fill('ben');
    await p.getByLabel('Display name').fill('Ben');
    await p.getByRole('button', { name: 'OK' }).click();
    await p.getByRole('dialog').waitFor({ state: 'detached' });
    await p.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await api<{ name: string }[]>('GET', '/api/widgets')).map((w) => w.name).sort()).toEqual(['Cards', 'Support']);
    await p.getByRole('button', { name: 'Code' }).click();
    const cards = (await api<{ name: string; uuid: string }[]>('GET', '/api/widgets')).find((w) => w.name === 'Cards')!;
    expect(await p.getByLabel('Embed code').inputValue()).toContain(cards.uuid);
    await p.keyboard.press('Escape');
    await p.getByRole('dialog').waitFor({ state: 'detached' });

    // After a reload with two saved widgets the client opens one by its name; then the
    // page-wide Save, Code and Add agent are that widget's, and opening the other switches over.
    await p.reload();
    await p.getByRole('button', { name: 'Support' }).click();
    await p.getByRole('button', { name: 'Add agent' }).click();
    await p.getByLabel('SIP-ID').fill('ben');
    await p.getByLabel('Display name').fill('Ben');
    await p.getByRole('button', { name: 'OK' }).click();
    await p.getByRole('dialog').waitFor({ state: 'detached' });
    await p.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await api<{ name: string; agents: { sipId: string }[] }[]>('GET', '/api/widgets')).find((w) => w.name === 'Support')!.agents.map((a) => a.sipId)).toEqual(['ann', 'ben']);
    // exact: "Cards" alone would also match "Add new business cards widget".
    await p.getByRole('button', { name: 'Cards', exact: true }).click();
    await p.getByRole('button', { name: 'Code' }).click();
    expect(await p.getByLabel('Embed code').inputValue()).toContain(cards.uuid);
    await p.keyboard.press('Escape');
    await ctx.close();
  });

  /** A sidebar widget with Ann (live presence, every medium, e-mail and phone) on a page of another origin. */
  async function sidebarFor(path: string, agentsOn: typeof agents): Promise<string> {
    const w = await api<{ uuid: string }>('POST', '/api/widgets', {
      type: 'sidebar',
      name: 'Help desk',
      lang: 'en',
      agents: agentsOn.map((a) => ({ sipId: a.sipId, displayName: a.displayName, email: `${a.username}@example.com`, phone: '+1 555 0100', media: ['voice', 'video', 'chat', 'email'], availability: 'presence' })),
    });
    site.set(path, page('Shop', embed(server, w.uuid)));
    return w.uuid;
  }

  it('agent console and sidebar widget: presence, a voice call (Accept, Mute, Hang up), Decline, a chat (Accept chat, Message, Send, End chat)', async () => {
    await sidebarFor('/sidebar', [agents[0]!]);
    const { ctx: actx, page: con } = await newPage(browser);
    await signIn(con, `${server.url}/agent`, 'ann', 'ann-password-1');
    const presence = con.getByRole('combobox', { name: 'Presence' });
    for (const choice of ['Away', 'Busy', 'Offline', 'Online']) {
      await presence.selectOption(choice);
      expect(await presence.locator('option:checked').textContent()).toBe(choice);
    }
    // getByLabel finds the same control.
    expect(await con.getByLabel('Presence').count()).toBe(1);

    const { ctx: vctx, page: v } = await newPage(browser);
    await v.goto(`${site.url}/sidebar`);
    await v.getByRole('button', { name: 'Contact us' }).click();
    for (const n of ['Chat with Ann', 'Voice call Ann', 'Video call Ann']) expect(await v.getByRole('button', { name: n }).count()).toBe(1);
    expect(await v.getByLabel('E-mail Ann').count()).toBe(1);
    expect(await v.getByLabel('Phone Ann').count()).toBe(1);

    // A voice call: click waits until the button is enabled (Ann online).
    await v.getByRole('button', { name: 'Voice call Ann' }).click();
    await v.getByLabel('Your name').fill('Vera');
    await v.getByLabel('Your name').press('Enter');
    await con.getByRole('button', { name: 'Accept' }).click();
    await con.getByRole('button', { name: 'Hang up' }).waitFor();
    await v.getByRole('button', { name: 'Hang up' }).waitFor();
    for (const p of [con, v]) {
      const mute = p.getByRole('button', { name: 'Mute' });
      await mute.click();
      expect(await mute.getAttribute('aria-pressed')).toBe('true');
      await mute.click();
      expect(await mute.getAttribute('aria-pressed')).toBe('false');
    }
    await con.getByRole('button', { name: 'Hang up' }).click();
    await v.getByRole('button', { name: 'Hang up' }).waitFor({ state: 'detached' });
    await con.getByRole('button', { name: 'Hang up' }).waitFor({ state: 'detached' });

    // Decline.
    // The widget asks the name once per visitor (section 7: "when the widget asks for it").
    await v.getByRole('button', { name: 'Close' }).click();
    await v.getByRole('button', { name: 'Voice call Ann' }).click();
    expect(await v.getByLabel('Your name').count()).toBe(0);
    await con.getByRole('button', { name: 'Decline' }).click();
    await con.getByRole('button', { name: 'Accept' }).waitFor({ state: 'detached' });
    await v.getByText('Ann could not take the call.').waitFor();
    await v.getByRole('button', { name: 'Close' }).click();

    // A chat.
    await v.getByRole('button', { name: 'Chat with Ann' }).click();
    await con.getByRole('button', { name: 'Accept chat' }).click();
    await con.getByLabel('Message').fill('Hello Vera');
    await con.getByRole('button', { name: 'Send' }).click();
    await v.getByText('Hello Vera').waitFor();
    await v.getByLabel('Message').fill('Hi Ann');
    await v.getByRole('button', { name: 'Send' }).click();
    await con.getByText('Hi Ann').waitFor();

    // A video call from another visitor during the chat: one "Accept" (the chat is no longer a request).
    const { ctx: v2ctx, page: v2 } = await newPage(browser);
    await v2.goto(`${site.url}/sidebar`);
    await v2.getByRole('button', { name: 'Contact us' }).click();
    await v2.getByRole('button', { name: 'Video call Ann' }).click();
    await v2.getByLabel('Your name').fill('Wes');
    await v2.getByRole('button', { name: 'Start', exact: true }).click();
    await con.getByRole('button', { name: 'Accept' }).click();
    const camera = con.getByRole('button', { name: 'Camera off' });
    await camera.click();
    expect(await camera.getAttribute('aria-pressed')).toBe('true');
    // The chat goes on during the call; its field and buttons stay unique.
    await con.getByLabel('Message').fill('One moment');
    await con.getByRole('button', { name: 'Send' }).click();
    await v.getByText('One moment').waitFor();
    await v2.getByRole('button', { name: 'Hang up' }).click();
    await con.getByRole('button', { name: 'Hang up' }).waitFor({ state: 'detached' });
    await v2ctx.close();

    await con.getByRole('button', { name: 'End chat' }).click();
    await v.getByText('Ann ended the chat.').waitFor();
    await v.getByRole('button', { name: 'Close' }).click();

    // A chat the visitor ends.
    await v.getByRole('button', { name: 'Chat with Ann' }).click();
    await con.getByRole('button', { name: 'Accept chat' }).click();
    await v.getByRole('button', { name: 'End chat' }).click();
    // Ending a chat with a conversation asks once (issue 15): the question's button has the same name.
    await v.getByRole('alertdialog').getByRole('button', { name: 'End chat' }).click();
    // The console's wording is its own (not in section 7): the chat's controls go away.
    await con.getByRole('button', { name: 'End chat' }).waitFor({ state: 'detached' });
    expect(await con.getByLabel('Message').count()).toBe(0);

    await vctx.close();
    await actx.close();
  });

  it('widget: a sidebar and business cards on one page, each scoped by its element; a video call and a chat; console with a call and a chat request at once', async () => {
    const body = (type: 'sidebar' | 'cards', name: string) => ({
      type,
      name,
      lang: 'en',
      agents: agents.map((a) => ({ sipId: a.sipId, displayName: a.displayName, email: `${a.username}@example.com`, phone: '+1 555 0100', media: ['voice', 'video', 'chat', 'email'], availability: 'presence' })),
    });
    const side = await api<{ uuid: string }>('POST', '/api/widgets', body('sidebar', 'Side'));
    const cards = await api<{ uuid: string }>('POST', '/api/widgets', body('cards', 'Team'));
    site.set('/both', page('Both', `<script src="${server.url}/widget.js"></script><contact-widget uuid="${cards.uuid}" server="${server.url}"></contact-widget><contact-widget uuid="${side.uuid}" server="${server.url}"></contact-widget>`));

    const consoles: Record<string, Page> = {};
    const ctxs: BrowserContext[] = [];
    for (const a of agents) {
      const { ctx, page: con } = await newPage(browser);
      ctxs.push(ctx);
      await signIn(con, `${server.url}/agent`, a.username, a.password);
      await con.getByLabel('Presence').selectOption('Online');
      consoles[a.displayName] = con;
    }
    const { ctx: vctx, page: v } = await newPage(browser);
    ctxs.push(vctx);
    await v.goto(`${site.url}/both`);
    const S = v.locator(`contact-widget[uuid="${side.uuid}"]`);
    const C = v.locator(`contact-widget[uuid="${cards.uuid}"]`);
    // Page-wide the names are on both widgets; within each, once.
    await C.getByRole('button', { name: 'Chat with Ann' }).waitFor();
    await S.getByRole('button', { name: 'Contact us' }).click();
    for (const n of ['Chat with Ann', 'Voice call Ann', 'Video call Ann', 'Chat with Ben', 'Voice call Ben', 'Video call Ben']) {
      expect(await C.getByRole('button', { name: n }).count()).toBe(1);
      expect(await S.getByRole('button', { name: n }).count()).toBe(1);
    }
    for (const n of ['E-mail Ann', 'Phone Ann', 'E-mail Ben', 'Phone Ben']) {
      expect(await C.getByLabel(n).count()).toBe(1);
      expect(await S.getByLabel(n).count()).toBe(1);
    }
    expect(await C.getByRole('button', { name: 'Contact us' }).count()).toBe(0);

    // A video call from the cards to Ben.
    const ben = consoles['Ben']!;
    await C.getByRole('button', { name: 'Video call Ben' }).click();
    await C.getByLabel('Your name').fill('Cara');
    await C.getByRole('button', { name: 'Start', exact: true }).click();
    await ben.getByRole('button', { name: 'Accept' }).click();
    for (const scope of [ben.locator('body'), C]) {
      await scope.getByRole('button', { name: 'Hang up' }).waitFor();
      const mute = scope.getByRole('button', { name: 'Mute' });
      await mute.click();
      expect(await mute.getAttribute('aria-pressed')).toBe('true');
      await mute.click();
      expect(await mute.getAttribute('aria-pressed')).toBe('false');
    }
    await C.getByRole('button', { name: 'Hang up' }).click();
    await ben.getByRole('button', { name: 'Hang up' }).waitFor({ state: 'detached' });
    await C.getByRole('button', { name: 'Close' }).click();

    // A chat from the sidebar with Ann (the name may be asked again: it is per widget or per page).
    const ann = consoles['Ann']!;
    await S.getByRole('button', { name: 'Chat with Ann' }).click();
    const nameOrChat = S.getByLabel('Your name').or(S.getByRole('button', { name: 'End chat' }));
    await nameOrChat.first().waitFor();
    if (await S.getByLabel('Your name').count()) {
      await S.getByLabel('Your name').fill('Cara');
      await S.getByLabel('Your name').press('Enter');
    }
    await ann.getByRole('button', { name: 'Accept chat' }).click();
    await S.getByLabel('Message').fill('Question about shoes');
    await S.getByRole('button', { name: 'Send' }).click();
    await ann.getByText('Question about shoes').waitFor();
    await ann.getByLabel('Message').fill('Happy to help');
    await ann.getByLabel('Message').press('Enter');
    await S.getByText('Happy to help').waitFor();
    await S.getByRole('button', { name: 'End chat' }).click();
    await S.getByRole('alertdialog').getByRole('button', { name: 'End chat' }).click();
    await ann.getByRole('button', { name: 'End chat' }).waitFor({ state: 'detached' });

    // Ben has a chat request and a ringing call at once (two visitors). "Accept" with the
    // default substring match then also finds "Accept chat": a client must say exact: true.
    const { ctx: wctx, page: w } = await newPage(browser);
    ctxs.push(wctx);
    await w.goto(`${site.url}/both`);
    const W = w.locator(`contact-widget[uuid="${cards.uuid}"]`);
    await W.getByRole('button', { name: 'Chat with Ben' }).click();
    await W.getByLabel('Your name').fill('Walt');
    await W.getByRole('button', { name: 'Start' }).click();
    await ben.getByRole('button', { name: 'Accept chat' }).waitFor();
    await C.getByRole('button', { name: 'Voice call Ben' }).click();
    await ben.getByRole('button', { name: 'Decline' }).waitFor();
    expect(await ben.getByRole('button', { name: 'Accept' }).count()).toBe(2);
    expect(await ben.getByRole('button', { name: 'Accept', exact: true }).count()).toBe(1);
    await ben.getByRole('button', { name: 'Accept', exact: true }).click();
    await ben.getByRole('button', { name: 'Hang up' }).click();
    await ben.getByRole('button', { name: 'Accept' }).click(); // only "Accept chat" is left
    await ben.getByRole('button', { name: 'End chat' }).click();
    for (const c of ctxs) await c.close();
  });
});
