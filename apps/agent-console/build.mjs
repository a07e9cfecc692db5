// Builds the agent console into apps/agent-console/dist/: index.html, app.js,
// app.css. The server serves dist/ at /agent with a strict CSP (no inline
// scripts), so index.html only references /agent/app.js and /agent/app.css.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(here, 'dist');

/** Copies index.html into dist after every (re)build. */
const htmlPlugin = {
  name: 'console-html',
  setup(b) {
    b.onEnd(() => {
      fs.mkdirSync(dist, { recursive: true });
      fs.copyFileSync(path.join(here, 'src/index.html'), path.join(dist, 'index.html'));
    });
  },
};

/** Bundles the agent console; with watch, keeps rebuilding on change. */
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
    plugins: [htmlPlugin],
  };
  if (watch) {
    const ctx = await esbuild.context(opts);
    await ctx.watch();
    return ctx;
  }
  await esbuild.build(opts);
}

if (import.meta.url === `file://${process.argv[1]}`) await build({ watch: process.argv.includes('--watch') });
