/**
 * 6. Time to first render in headless Chromium: from inserting the embed code
 * into a page (another origin) to the first "Chat with …" button laid out in
 * the widget's shadow root, timed inside the page (performance.now, a
 * MutationObserver on every shadow root the page attaches). Cold: a fresh
 * browser context (empty cache). Warm: the same context loading the page
 * again (widget.js from cache).
 * Baseline: the floor for this pipeline — a script from the page's own origin
 * that renders ten such buttons with Preact into a shadow root, no server.
 * Also records what the widget fetched from the server before it rendered
 * (widget.js and any /widget/* chunks), for the wire-weight row of section 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { CHROMIUM, launchChromium, startSite } from '@cw/testkit';
import type { Browser } from 'playwright-core';
import type { Ctx } from '../lib/context.js';
import { isLoopbackUrl, reason } from '../lib/context.js';
import { spawnChild } from '../lib/rpc.js';
import { median, percentile } from '../lib/stats.js';
import type { Fixtures } from '../servers/product.js';
import { sizesOf, type Sizes } from './weight.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);

/** The host page: captures shadow roots, inserts `embed` and times the first "Chat with" button. */
function page(embed: string, label = 'Chat with'): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1><p>Our products.</p>
<script>
(function () {
  var roots = [], t0 = 0, done = false;
  window.__bench = {};
  function laidOut(el) { var b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; }
  function check() {
    if (done) return;
    for (var i = 0; i < roots.length; i++) {
      var els = roots[i].querySelectorAll('button, a, [role=button]');
      for (var j = 0; j < els.length; j++) {
        var n = (els[j].getAttribute('aria-label') || els[j].textContent || '').trim();
        if (n.indexOf(${JSON.stringify(label)}) === 0 && laidOut(els[j])) {
          done = true;
          performance.mark('cw-rendered');
          window.__bench.ms = performance.now() - t0;
          window.__bench.bytesAtRender = window.__bench.wsBytes || 0;
          mo.disconnect();
          return;
        }
      }
    }
  }
  var mo = new MutationObserver(check);
  // Where the time goes: the widget's WebSocket (created, open, first frame), relative to insertion.
  var WS = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    var ws = protocols === undefined ? new WS(url) : new WS(url, protocols);
    if (window.__bench.wsCreated === undefined) {
      window.__bench.wsCreated = performance.now() - t0;
      ws.addEventListener('open', function () { window.__bench.wsOpen = performance.now() - t0; });
      ws.addEventListener('message', function (e) {
        if (window.__bench.wsFirst === undefined) window.__bench.wsFirst = performance.now() - t0;
        window.__bench.wsBytes = (window.__bench.wsBytes || 0) + (typeof e.data === 'string' ? new Blob([e.data]).size : e.data.byteLength || e.data.size || 0);
        window.__bench.wsFrames = (window.__bench.wsFrames || 0) + 1;
      });
    }
    return ws;
  };
  window.WebSocket.prototype = WS.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  var attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    var r = attach.call(this, init);
    roots.push(r);
    mo.observe(r, { childList: true, subtree: true, attributes: true, characterData: true });
    return r;
  };
  window.__bench.go = function (html) {
    performance.mark('cw-insert');
    t0 = performance.now();
    if (window.customElements) customElements.whenDefined('contact-widget').then(function () { window.__bench.defined = performance.now() - t0; });
    document.body.appendChild(document.createRange().createContextualFragment(html));
  };
})();
__bench.go(${JSON.stringify(embed).replace(/</g, '\\u003c')});
</script></body></html>`;
}

/** Preact rendering ten "Chat with" buttons into an open shadow root: the floor. */
async function floorScript(root: string): Promise<string> {
  const src = `import { h, render } from 'preact';
const host = document.createElement('div');
document.body.appendChild(host);
const root = host.attachShadow({ mode: 'open' });
render(h('ul', null, Array.from({ length: 10 }, (_, i) => h('li', { key: i }, h('button', { type: 'button', 'aria-label': 'Chat with Agent ' + i }, 'Chat')))), root);`;
  const r = await build({ stdin: { contents: src, resolveDir: root, loader: 'js' }, bundle: true, minify: true, format: 'iife', write: false, logLevel: 'silent' });
  return r.outputFiles[0]!.text;
}

export interface Phases {
  ms: number;
  /** widget.js fully received */
  script?: number;
  /** the custom element defined: the bundle parsed and run */
  defined?: number;
  wsCreated?: number;
  wsOpen?: number;
  /** first frame from the server (Session) */
  wsFirst?: number;
}

async function timeLoads(browser: Browser, url: string, cold: number, warm: number, serverOrigin?: string): Promise<{ cold: number[]; warm: number[]; wire?: Buffer[]; phases: Phases[] }> {
  const phases: Phases[] = [];
  const coldMs: number[] = [];
  const offMachine: string[] = [];
  const warmMs: number[] = [];
  let wire: Buffer[] | undefined;
  const measure = async (pg: import('playwright-core').Page) => {
    await pg.goto(url);
    await pg.waitForFunction(() => (window as any).__bench?.ms !== undefined, undefined, { timeout: 15_000 });
    const b = await pg.evaluate(() => {
      const w = (window as any).__bench;
      const r = performance.getEntriesByType('resource').find((e) => /\/(widget|floor)\.js/.test(e.name)) as PerformanceResourceTiming | undefined;
      const ins = performance.getEntriesByName('cw-insert')[0]?.startTime ?? 0;
      return { ms: w.ms as number, script: r ? r.responseEnd - ins : undefined, defined: w.defined, wsCreated: w.wsCreated, wsOpen: w.wsOpen, wsFirst: w.wsFirst };
    });
    phases.push(b);
    return b.ms;
  };
  for (let i = 0; i < cold; i++) {
    // No request routing here: Playwright's routing turns the HTTP cache off, and warm loads need it.
    // The pages and the widget only reach 127.0.0.1/localhost; the response handler below checks that.
    const context = await browser.newContext();
    context.on('request', (req) => {
      if (!isLoopbackUrl(req.url())) offMachine.push(req.url());
    });
    try {
      const pg = await context.newPage();
      const got: Promise<Buffer | undefined>[] = [];
      if (i === 0 && serverOrigin) {
        pg.on('response', (res) => {
          const u = new URL(res.url());
          if (u.origin === serverOrigin && (u.pathname === '/widget.js' || u.pathname.startsWith('/widget/')) && res.status() === 200) got.push(res.body().catch(() => undefined));
        });
      }
      coldMs.push(await measure(pg));
      if (i === 0 && serverOrigin) wire = (await Promise.all(got)).filter((b): b is Buffer => !!b);
      if (i < warm) warmMs.push(await measure(pg));
    } finally {
      await context.close();
    }
  }
  if (offMachine.length) throw new Error(`the page tried to reach ${offMachine[0]} (not this machine)`);
  return { cold: coldMs, warm: warmMs, wire, phases };
}

/** Issue 15: one sidebar widget with 1,000 agents (10 online): first render and what the server sent. */
export interface ScaleResult {
  cold: { median: number; p90: number; n: number };
  /** bytes of WebSocket frames the visitor received before the first button, and 2 s later (median) */
  bytesAtRender: number;
  bytesSettled: number;
  framesSettled: number;
}

export interface RenderResult {
  scale?: ScaleResult;
  scaleNa?: string;
  cold?: { median: number; p90: number; n: number };
  warm?: { median: number; p90: number; n: number };
  floorCold?: number;
  floorWarm?: number;
  wire?: Sizes;
  /** where a cold load spends its time */
  phases?: string;
  na?: string;
  floorNa?: string;
}

export async function render(ctx: Ctx): Promise<RenderResult> {
  const out: RenderResult = {};
  if (!fs.existsSync(CHROMIUM)) return { na: `no Chromium at ${CHROMIUM}`, floorNa: `no Chromium at ${CHROMIUM}` };
  const runs = ctx.quick ? 3 : 10;
  let server;
  let site;
  let browser: Browser | undefined;
  try {
    site = await startSite({ '/floor.html': page('<script src="/floor.js" async></script>') });
    site.set('/floor.js', { body: await floorScript(ctx.root), headers: { 'content-type': 'text/javascript', 'cache-control': 'public, max-age=300' } });
    browser = await launchChromium();
    try {
      const f = await timeLoads(browser, `${site.url}/floor.html`, runs, runs);
      out.floorCold = median(f.cold);
      out.floorWarm = median(f.warm);
    } catch (e) {
      out.floorNa = reason(e);
    }
    try {
      if (!fs.existsSync(path.join(ctx.root, 'packages/widget/dist/widget.js'))) throw new Error('packages/widget/dist/widget.js is not built');
      server = await spawnChild('product-render', path.join(HERE, '..', 'servers', 'product.ts'), { logDir: ctx.logDir });
      const fx: Fixtures = await server.call('start', { widgets: [{ prefix: 'ag', agents: 10 }, { prefix: 'big', agents: 1000, type: 'sidebar' }] }, 300_000);
      const w = fx.widgets[0]!;
      for (const ag of w.agents) {
        const r = await fetch(`${fx.url}/api/presence/${ag.sipId}`, { method: 'PUT', headers: { authorization: `Bearer ${fx.adminToken}`, 'content-type': 'application/json' }, body: '{"presence":"online"}' });
        await r.arrayBuffer();
      }
      const r = await fetch(`${fx.url}/api/widgets/${w.uuid}/embed`, { headers: { authorization: `Bearer ${fx.adminToken}` } });
      const embed = r.ok ? ((await r.json()) as { html: string }).html : `<script src="${fx.url}/widget.js" async></script>\n<contact-widget uuid="${w.uuid}" server="${fx.url}"></contact-widget>`;
      site.set('/shop.html', page(embed));
      const m = await timeLoads(browser, `${site.url}/shop.html`, runs, runs, new URL(fx.url).origin);
      out.cold = { median: median(m.cold), p90: percentile(m.cold, 90), n: m.cold.length };
      out.warm = { median: median(m.warm), p90: percentile(m.warm, 90), n: m.warm.length };
      if (m.wire?.length) out.wire = sizesOf(m.wire);
      const coldPhases = m.phases.filter((_, i) => i % 2 === 0);
      const med = (k: keyof Phases) => {
        const v = coldPhases.map((p) => p[k]).filter((x): x is number => typeof x === 'number');
        return v.length ? median(v).toFixed(0) : '?';
      };
      try {
        const big = fx.widgets[1]!;
        for (const ag of big.agents.slice(0, 10)) {
          const rr = await fetch(`${fx.url}/api/presence/${ag.sipId}`, { method: 'PUT', headers: { authorization: `Bearer ${fx.adminToken}`, 'content-type': 'application/json' }, body: '{"presence":"online"}' });
          await rr.arrayBuffer();
        }
        const re = await fetch(`${fx.url}/api/widgets/${big.uuid}/embed`, { headers: { authorization: `Bearer ${fx.adminToken}` } });
        // A sidebar shows its launcher first: timed to "Contact us" laid out, with every agent's Info received.
        site.set('/big.html', page(((await re.json()) as { html: string }).html, 'Contact us'));
        const times: number[] = [];
        const atRender: number[] = [];
        const settled: number[] = [];
        const frames: number[] = [];
        for (let i = 0; i < runs; i++) {
          const context = await browser.newContext();
          try {
            const pg = await context.newPage();
            await pg.goto(`${site.url}/big.html`);
            await pg.waitForFunction(() => (window as any).__bench?.ms !== undefined, undefined, { timeout: 30_000 });
            await pg.waitForTimeout(2000);
            const b = await pg.evaluate(() => (window as any).__bench as { ms: number; bytesAtRender: number; wsBytes: number; wsFrames: number });
            times.push(b.ms);
            atRender.push(b.bytesAtRender);
            settled.push(b.wsBytes);
            frames.push(b.wsFrames);
          } finally {
            await context.close();
          }
        }
        out.scale = { cold: { median: median(times), p90: percentile(times, 90), n: times.length }, bytesAtRender: median(atRender), bytesSettled: median(settled), framesSettled: median(frames) };
        ctx.log(`  render: 1,000 agents: first button ${out.scale.cold.median.toFixed(0)} ms (p90 ${out.scale.cold.p90.toFixed(0)}), ${out.scale.bytesAtRender} B before it, ${out.scale.bytesSettled} B in ${out.scale.framesSettled} frames after 2 s`);
      } catch (e) {
        out.scaleNa = reason(e);
      }
      out.phases = `cold, median ms after insertion: widget.js received ${med('script')}, element defined ${med('defined')}, WebSocket created ${med('wsCreated')}, open ${med('wsOpen')}, first frame ${med('wsFirst')}, first "Chat with" button ${med('ms')}`;
      ctx.log(`  render: ${out.phases}`);
      ctx.log(`  render: cold median ${out.cold.median.toFixed(0)} ms, warm median ${out.warm.median.toFixed(0)} ms; floor ${out.floorCold?.toFixed(0)} / ${out.floorWarm?.toFixed(0)} ms`);
    } catch (e) {
      out.na = reason(e);
      ctx.log(`  render: ${out.na}`);
    }
  } catch (e) {
    out.na ??= reason(e);
  } finally {
    await browser?.close().catch(() => {});
    await site?.close().catch(() => {});
    await server?.stop(30_000);
  }
  return out;
}
