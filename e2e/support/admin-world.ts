/**
 * Shared setup for the admin app's end-to-end tests: a real server, a
 * "customer website" on another origin, Chromium, an API caller signed in as
 * the first admin (for test data only; the tests act through the UI), and a
 * PNG made in the test for picture drops.
 */
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, startSite, startTestServer, type TestServer } from '@cw/testkit';
import { apiAs, type Api } from './api.js';

export { apiAs, type Api };

export type Site = Awaited<ReturnType<typeof startSite>>;

export interface AdminWorld {
  server: TestServer;
  site: Site;
  browser: Browser;
  api: Api;
  close(): Promise<void>;
}

export async function startAdminWorld(): Promise<AdminWorld> {
  const server = await startTestServer();
  const site = await startSite({});
  const browser = await launchChromium();
  const api = await apiAs(server, server.adminUsername, server.adminPassword);
  return {
    server,
    site,
    browser,
    api,
    async close() {
      await browser.close();
      await site.close();
      await server.close();
    },
  };
}

/** Creates a user through the API (test setup). */
export async function createUser(api: Api, u: { username: string; displayName: string; sipId?: string; roles: ('admin' | 'agent')[]; department?: string; password?: string }) {
  return api<{ id: string }>('POST', '/api/users', { password: `pw-${u.username}-12345`, ...u });
}

/** A new browser context at 1024×768 (or the given size), collecting page errors. */
export async function newAdminPage(browser: Browser, o: { width?: number; height?: number; clipboard?: boolean } = {}): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({
    viewport: { width: o.width ?? 1024, height: o.height ?? 768 },
    locale: 'en-US',
    permissions: o.clipboard ? ['clipboard-read', 'clipboard-write'] : [],
  });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return { ctx, page, errors };
}

/** Signs in through the admin app's form. */
export async function signIn(page: Page, server: TestServer, username = server.adminUsername, password = server.adminPassword): Promise<void> {
  await page.goto(`${server.url}/admin/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// ---------------------------------------------------------------- a PNG made here

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A w×h PNG, one solid RGB colour (with a lighter top half so crops are visible). */
export function makePng(w: number, h: number, [r, g, b]: [number, number, number]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    const f = y < h / 2 ? 1 : 0.6;
    for (let x = 0; x < w; x++) row.set([Math.round(r * f), Math.round(g * f), Math.round(b * f)], 1 + x * 3);
    rows.push(row);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** Drops a file on an element with a real DataTransfer (dragenter, dragover, drop). */
export async function dropFile(page: Page, selector: ReturnType<Page['locator']>, file: { name: string; type: string; data: Buffer }): Promise<void> {
  const dt = await page.evaluateHandle(
    ({ b64, name, type }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const d = new DataTransfer();
      d.items.add(new File([bytes], name, { type }));
      return d;
    },
    { b64: file.data.toString('base64'), name: file.name, type: file.type },
  );
  await selector.dispatchEvent('dragenter', { dataTransfer: dt });
  await selector.dispatchEvent('dragover', { dataTransfer: dt });
  await selector.dispatchEvent('drop', { dataTransfer: dt });
}

/** A plain page of the customer website that embeds the code. */
export function hostPage(title: string, code: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head><body><h1>${title}</h1><p>Welcome.</p>${code}</body></html>`;
}

/** Runs axe-core (WCAG 2.x A/AA and best practices) on the whole page; returns the violations. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../node_modules/axe-core/axe.min.js');
    await page.evaluate(fs.readFileSync(file, 'utf8'));
  }
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  });
}

/**
 * Texts of the elements matching `selector` inside the live preview of the
 * widget panel `region` (the preview sits in a closed shadow root; the admin
 * app hands it to tests under Symbol.for('cw-admin.preview-root')).
 */
export async function previewTexts(page: Page, widgetName: string, selector: string): Promise<string[]> {
  return page.getByRole('complementary', { name: `Live preview of ${widgetName}` }).locator('.preview-host').evaluate((host, sel) => {
    const root = (host as unknown as Record<symbol, ShadowRoot>)[Symbol.for('cw-admin.preview-root')];
    if (!root) return [];
    const out: string[] = [];
    const walk = (n: ParentNode) => {
      n.querySelectorAll(sel).forEach((e) => out.push(e.textContent ?? ''));
      n.querySelectorAll('*').forEach((e) => e.shadowRoot && walk(e.shadowRoot));
    };
    walk(root);
    return out;
  }, selector);
}

/** Opens the widget panel named `name` (its header button has aria-expanded) and returns its region. */
/**
 * Opens a folded section of an open widget's form ("Appearance", "Advanced") the way a user does:
 * its heading button, unless this browser already remembers it open.
 */
export async function openSection(region: Locator, name: 'Appearance' | 'Advanced'): Promise<void> {
  const button = region.getByRole('button', { name, exact: true });
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  await region.getByRole('button', { name, exact: true, expanded: true }).waitFor();
}

export async function openWidget(page: Page, name: string) {
  const region = page.getByRole('region', { name, exact: true });
  const head = region.getByRole('button', { name, exact: true });
  await head.waitFor();
  if ((await head.getAttribute('aria-expanded')) !== 'true') await head.click();
  await region.getByRole('button', { name: 'Save' }).waitFor();
  return region;
}
