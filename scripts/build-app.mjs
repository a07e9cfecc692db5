// Shared esbuild set-up of the browser apps (admin, agent console): each app
// bundles src/main.tsx into dist/app.js + app.css and copies src/index.html to
// dist/. The server serves dist/ with a strict CSP, so the page has no inline
// scripts: everything is in app.js.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

/** Copies `<appDir>/src/index.html` into `dist` after every (re)build. */
function htmlPlugin(name, appDir, dist) {
  return {
    name,
    setup(b) {
      b.onEnd(() => {
        fs.mkdirSync(dist, { recursive: true });
        fs.copyFileSync(path.join(appDir, 'src/index.html'), path.join(dist, 'index.html'));
      });
    },
  };
}

/**
 * Bundles the app in `appDir` into `<appDir>/dist`; with watch, keeps rebuilding on change
 * (and returns the esbuild context). `htmlName` names the index.html plugin; `plugins` go first.
 */
export async function buildApp({ appDir, htmlName, plugins = [], watch = false, splitting = false }) {
  const dist = path.join(appDir, 'dist');
  fs.mkdirSync(dist, { recursive: true });
  // Lazily imported modules become chunks (dist/chunks/); old ones would pile up between builds.
  if (splitting) fs.rmSync(path.join(dist, 'chunks'), { recursive: true, force: true });
  const opts = {
    entryPoints: { app: path.join(appDir, 'src/main.tsx') },
    outdir: dist,
    bundle: true,
    format: 'esm',
    splitting,
    chunkNames: 'chunks/[name]-[hash]',
    target: ['chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: !watch,
    sourcemap: watch ? 'inline' : false,
    legalComments: 'none',
    logLevel: 'warning',
    loader: { '.css': 'css' },
    plugins: [...plugins, htmlPlugin(htmlName, appDir, dist)],
  };
  if (watch) {
    const ctx = await esbuild.context(opts);
    await ctx.watch();
    return ctx;
  }
  await esbuild.build(opts);
}
