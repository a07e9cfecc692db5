// Builds the admin app into apps/admin/dist/: index.html, app.js, app.css.
// The server serves dist/ at /admin with SPA fallback and a strict CSP, so the
// page has no inline scripts: everything is in app.js.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(here, 'dist');
const require = createRequire(import.meta.url);

/**
 * The live preview renders the real widget through `@cw/widget/preview`.
 * Until the widget package provides it, fall back to a simple stand-in so the
 * admin app still builds and works.
 */
const previewPlugin = {
  name: 'widget-preview',
  setup(b) {
    b.onResolve({ filter: /^@cw\/widget\/preview$/ }, (args) => {
      try {
        return { path: require.resolve('@cw/widget/preview', { paths: [args.resolveDir] }) };
      } catch {
        const widgetSrc = path.resolve(here, '../../packages/widget/src/preview.ts');
        if (fs.existsSync(widgetSrc)) return { path: widgetSrc };
        return { path: path.join(here, 'src/preview/fallback.tsx') };
      }
    });
  },
};

/** Copies index.html into dist (it only references /admin/app.js and /admin/app.css). */
const htmlPlugin = {
  name: 'admin-html',
  setup(b) {
    b.onEnd(() => {
      fs.mkdirSync(dist, { recursive: true });
      fs.copyFileSync(path.join(here, 'src/index.html'), path.join(dist, 'index.html'));
    });
  },
};

/** Bundles the admin app; with watch, keeps rebuilding on change. */
export async function build({ watch = false } = {}) {
  fs.mkdirSync(dist, { recursive: true });
  const opts = {
    entryPoints: { app: path.join(here, 'src/main.tsx') },
    outdir: dist,
    bundle: true,
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: !watch,
    sourcemap: watch ? 'inline' : false,
    legalComments: 'none',
    logLevel: 'warning',
    loader: { '.css': 'css' },
    plugins: [previewPlugin, htmlPlugin],
  };
  if (watch) {
    const ctx = await esbuild.context(opts);
    await ctx.watch();
    return ctx;
  }
  await esbuild.build(opts);
}

if (import.meta.url === `file://${process.argv[1]}`) await build({ watch: process.argv.includes('--watch') });
