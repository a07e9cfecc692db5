/**
 * End-to-end setup for the agent console tests: a server, a separate
 * "customer website" origin with the widget, agents and a widget created
 * through the HTTP API, and helpers to open consoles and visitor pages in
 * separate browser contexts.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, startSite, startTestServer, type TestServer } from '@cw/testkit';

export interface AgentCreds {
  id: string;
  username: string;
  password: string;
  sipId: string;
  displayName: string;
}

export interface World {
  server: TestServer;
  site: { url: string; close(): Promise<void> };
  widgetUuid: string;
  widgetName: string;
  agents: AgentCreds[];
  /** an API session cookie of the admin, for setup and checks */
  adminCookie: string;
  close(): Promise<void>;
}

/** Signs in through POST /api/login and returns the session cookie ("cw_session=…"). */
export async function apiLogin(server: TestServer, username: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`);
  const set = res.headers.get('set-cookie') ?? '';
  const m = /cw_session=([^;]+)/.exec(set);
  if (!m) throw new Error('no session cookie in login answer');
  return `cw_session=${m[1]}`;
}

/** A JSON API call with a session cookie; throws on non-2xx. */
export async function api<T = any>(server: TestServer, cookie: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** The host page: plain HTML on another origin that embeds the widget. */
export function hostPage(server: TestServer, uuid: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>
<h1>Example shop</h1>
<script src="${server.url}/widget.js"></script>
<contact-widget uuid="${uuid}" server="${server.url}"></contact-widget>
</body></html>`;
}

/**
 * Starts the server and site; creates `agentCount` agents (ann, ben, …) and one
 * sidebar widget listing them with every medium and live presence.
 */
export async function startWorld(agentCount = 1, opts: { env?: Record<string, string> } = {}): Promise<World> {
  const server = await startTestServer({ env: opts.env });
  const adminCookie = await apiLogin(server, server.adminUsername, server.adminPassword);
  const names = ['Ann Agent', 'Ben Agent', 'Cleo Agent'];
  const agents: AgentCreds[] = [];
  for (let i = 0; i < agentCount; i++) {
    const displayName = names[i]!;
    const username = displayName.split(' ')[0]!.toLowerCase();
    const password = `${username}-password-1`;
    const u = await api(server, adminCookie, 'POST', '/api/users', { username, password, displayName, sipId: username, roles: ['agent'] });
    agents.push({ id: u.id, username, password, sipId: username, displayName });
  }
  const widgetName = 'Sales';
  const w = await api(server, adminCookie, 'POST', '/api/widgets', {
    type: 'sidebar',
    name: widgetName,
    lang: 'en',
    appearance: { alwaysShow: true },
    agents: agents.map((a) => ({ sipId: a.sipId, displayName: a.displayName, media: ['voice', 'video', 'chat'], availability: 'presence' })),
  });
  const site = await startSite({ '/': hostPage(server, w.uuid) });
  return {
    server,
    site,
    widgetUuid: w.uuid,
    widgetName,
    agents,
    adminCookie,
    async close() {
      await site.close();
      await server.close();
    },
  };
}

/** Collects the page's uncaught errors and console errors (but not the `expected` ones) into `errors`, and returns it. */
export function watchErrors(page: Page, label: string, errors: string[] = [], expected: (e: string) => boolean = () => false): string[] {
  page.on('pageerror', (e) => errors.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    const e = `${label} console: ${m.text()} ${m.location().url ?? ''}`.trim();
    if (m.type() === 'error' && !expected(e)) errors.push(e);
  });
  return errors;
}

/** Opens a fresh browser context (its own cookies and storage). */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1024, height: 768 } });
}

/**
 * For a describe block: starts a world with `agentCount` agents and Chromium
 * before its tests and closes both after them. Read `world` and `browser` in the tests.
 */
export function useWorld(agentCount = 1): { readonly world: World; readonly browser: Browser } {
  let world: World | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    world = await startWorld(agentCount);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });
  return {
    get world() {
      if (!world) throw new Error('the world is not started (useWorld runs in beforeAll)');
      return world;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not started (useWorld runs in beforeAll)');
      return browser;
    },
  };
}
