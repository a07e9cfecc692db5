// Builds the embed script: packages/widget/dist/widget.js, an IIFE that
// defines only the custom element (no globals), minified for the size budget.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
export const distDir = path.join(here, 'dist');

/** esbuild options for the widget bundle. */
export function options() {
  return {
    entryPoints: { widget: path.join(here, 'src/index.ts') },
    outdir: distDir,
    bundle: true,
    format: 'iife',
    minify: true,
    legalComments: 'none',
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  };
}

/** Builds once, or keeps rebuilding with `watch`. */
export async function build({ watch = false } = {}) {
  fs.mkdirSync(distDir, { recursive: true });
  if (watch) {
    const ctx = await esbuild.context(options());
    await ctx.watch();
    return ctx;
  }
  return esbuild.build(options());
}

if (import.meta.url === `file://${process.argv[1]}`) await build({ watch: process.argv.includes('--watch') });
