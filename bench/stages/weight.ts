/**
 * 1. Embed weight before interaction: what a visitor's browser downloads
 * before the widget is first shown, gzip and brotli (node:zlib, max levels).
 * Ours: packages/widget/dist/widget.js. Baselines: Rocket.Chat Livechat 1.13
 * (every file its loader and iframe fetch before first render, observed in
 * Chromium) and preact + preact/hooks alone, minified with esbuild.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';
import { launchChromium, CHROMIUM } from '@cw/testkit';
import type { Ctx } from '../lib/context.js';
import { isLoopbackUrl, reason } from '../lib/context.js';
import type { Figure } from '../lib/figures.js';
import { LANGUAGES } from '@cw/i18n';
import { widgetStrings } from '@cw/i18n/widget';

const RC_PKG = '@rocket.chat/livechat@1.13.3';
export const BASELINES_DIR = process.env.BENCH_BASELINES_DIR || '/tmp/bench-baselines';

export interface Sizes {
  raw: number;
  gz: number;
  br: number;
  files: number;
}

/** gzip -9 and brotli q11 sizes, KiB */
export function sizesOf(bufs: Buffer[]): Sizes {
  let raw = 0;
  let gz = 0;
  let br = 0;
  for (const b of bufs) {
    raw += b.length;
    gz += zlib.gzipSync(b, { level: 9 }).length;
    br += zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length;
  }
  return { raw: raw / 1024, gz: gz / 1024, br: br / 1024, files: bufs.length };
}

/** Builds the browser bundles if needed; returns widget.js or throws why not. */
function widgetBundle(ctx: Ctx): Buffer {
  const file = path.join(ctx.root, 'packages/widget/dist/widget.js');
  if (!fs.existsSync(path.join(ctx.root, 'packages/widget/build.mjs'))) throw new Error('packages/widget/build.mjs does not exist yet');
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ctx.root, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`node scripts/build.mjs failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-1)[0]}`);
  if (!fs.existsSync(file)) throw new Error('the build did not write packages/widget/dist/widget.js');
  return fs.readFileSync(file);
}

/** preact + preact/hooks, everything exported, minified: the floor for a Preact UI. */
export async function preactBundle(ctx: Ctx): Promise<Buffer> {
  const r = await build({
    stdin: { contents: "export * from 'preact';\nexport * from 'preact/hooks';\n", resolveDir: ctx.root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'preactBaseline',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  return Buffer.from(r.outputFiles[0]!.contents);
}

/** Installs the Rocket.Chat Livechat package outside the repo, once. */
function rocketChatDir(ctx: Ctx): string {
  const dir = path.join(BASELINES_DIR, 'node_modules/@rocket.chat/livechat/build');
  if (fs.existsSync(path.join(dir, 'rocketchat-livechat.min.js'))) return dir;
  ctx.log(`  installing ${RC_PKG} into ${BASELINES_DIR} (once)`);
  fs.mkdirSync(BASELINES_DIR, { recursive: true });
  const r = spawnSync('npm', ['install', '--prefix', BASELINES_DIR, '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', RC_PKG], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0 || !fs.existsSync(dir)) throw new Error(`npm install ${RC_PKG} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0]}`);
  return dir;
}

/** Serves the Livechat build and a host page; records every file its loader and iframe fetch until the network is quiet. */
async function rocketChatLoads(dir: string): Promise<{ bufs: Buffer[]; names: string[]; refused: number }> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  let port = 0;
  const page = () => `<!doctype html><html><head><title>host</title></head><body><h1>shop</h1>
<script>(function(w,d,s,u){w.RocketChat=function(c){w.RocketChat._.push(c)};w.RocketChat._=[];w.RocketChat.url=u;
var h=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;j.src='http://127.0.0.1:${port}/livechat/rocketchat-livechat.min.js?_=201903270000';
h.parentNode.insertBefore(j,h);})(window,document,'script','http://127.0.0.1:${port}/livechat');</script></body></html>`;
  const types: Record<string, string> = { '.js': 'application/javascript', '.css': 'text/css', '.html': 'text/html', '.png': 'image/png', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.woff': 'font/woff' };
  const srv = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page());
    if (u.pathname.startsWith('/livechat')) {
      let rel = u.pathname.slice('/livechat'.length).replace(/^\/+/, '') || 'index.html';
      const f = path.join(dir, path.normalize(rel));
      if (f.startsWith(dir) && fs.existsSync(f) && fs.statSync(f).isFile()) {
        return void res.writeHead(200, { 'content-type': types[path.extname(f)] ?? 'application/octet-stream' }).end(fs.readFileSync(f));
      }
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  port = (srv.address() as { port: number }).port;
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    // Only this machine: whatever the Livechat app would fetch from elsewhere is refused, and counted.
    let refused = 0;
    await context.route('**/*', (route) => (isLoopbackUrl(route.request().url()) ? route.continue() : (refused++, route.abort())));
    const pg = await context.newPage();
    const got = new Map<string, Buffer>();
    let lastAt = Date.now();
    const waits: Promise<void>[] = [];
    context.on('response', (res) => {
      const u = new URL(res.url());
      if (!u.pathname.startsWith('/livechat') || res.status() !== 200) return;
      lastAt = Date.now();
      waits.push(
        res.body().then(
          (b) => void got.set(u.pathname, b),
          () => {},
        ),
      );
    });
    await pg.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && Date.now() - lastAt < 2000) await new Promise((r) => setTimeout(r, 100));
    await Promise.all(waits);
    return { bufs: [...got.values()], names: [...got.keys()], refused };
  } finally {
    await browser.close();
    srv.close();
  }
}

/**
 * The loader plus one language (issue 16): widget.js carries English only;
 * every other language is the `Session.strings` table the server sends for
 * it (the one language chosen, nothing else). Per language: that table's
 * JSON, compressed alone, and loader + table together.
 */
export function languageChunks(loader: Buffer): { lang: string; chunk: Sizes; total: Sizes }[] {
  return LANGUAGES.map((lang) => {
    const json = Buffer.from(JSON.stringify(widgetStrings(lang)));
    const chunk = sizesOf([json]);
    const l = sizesOf([loader]);
    return { lang, chunk, total: { raw: l.raw + chunk.raw, gz: l.gz + chunk.gz, br: l.br + chunk.br, files: 2 } };
  });
}

export async function weight(ctx: Ctx): Promise<void> {
  let ours: Sizes | undefined;
  let oursNa: string | undefined;
  let loader: Buffer | undefined;
  try {
    loader = widgetBundle(ctx);
    ours = sizesOf([loader]);
    ctx.log(`  widget.js: ${ours.raw.toFixed(1)} KiB raw, ${ours.gz.toFixed(1)} KiB gz, ${ours.br.toFixed(1)} KiB br`);
  } catch (e) {
    oursNa = reason(e);
  }
  if (loader) {
    for (const { lang, chunk, total } of languageChunks(loader)) {
      ctx.log(`  + ${lang} strings (Session): ${chunk.gz.toFixed(2)} KiB gz → loader + ${lang}: ${total.gz.toFixed(1)} KiB gz, ${total.br.toFixed(1)} KiB br`);
      ctx.figures.push({
        section: 1,
        name: `embed weight + ${lang} language chunk (Session.strings), gzip`,
        unit: 'KiB',
        ours: total.gz,
        goal: { text: '≤ 24 KiB gz', max: 24 },
      });
    }
  }
  let rc: Sizes | undefined;
  let rcNa: string | undefined;
  try {
    const { bufs, names, refused } = await rocketChatLoads(rocketChatDir(ctx));
    if (refused) ctx.notes.push(`Rocket.Chat Livechat tried ${refused} request(s) off this machine before render; they were refused and are not counted.`);
    if (bufs.length === 0) throw new Error('Chromium saw no Livechat files load');
    rc = sizesOf(bufs);
    ctx.log(`  Rocket.Chat Livechat: ${rc.files} files before render (${names.map((n) => path.basename(n)).join(', ')}), ${rc.gz.toFixed(1)} KiB gz; ${refused} request(s) off this machine refused`);
  } catch (e) {
    rcNa = reason(e);
  }
  let pre: Sizes | undefined;
  let preNa: string | undefined;
  try {
    pre = sizesOf([await preactBundle(ctx)]);
  } catch (e) {
    preNa = reason(e);
  }
  const row = (enc: 'gz' | 'br', base: Sizes | undefined, baseName: string, baseNa: string | undefined, goal = false): Figure => ({
    section: 1,
    name: `embed weight, ${enc === 'gz' ? 'gzip' : 'brotli'}, vs ${baseName}`,
    unit: 'KiB',
    ours: ours?.[enc],
    oursNa,
    baseline: base?.[enc],
    baselineName: baseName,
    baselineNa: baseNa,
    goal: goal && enc === 'gz' ? { text: '≤ 24 KiB gz', max: 24 } : undefined,
  });
  ctx.figures.push(
    row('gz', rc, 'Rocket.Chat Livechat 1.13', rcNa, true),
    row('br', rc, 'Rocket.Chat Livechat 1.13', rcNa),
    row('gz', pre, 'preact+hooks alone', preNa),
    row('br', pre, 'preact+hooks alone', preNa),
  );
}
