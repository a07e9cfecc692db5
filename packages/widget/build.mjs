// Builds the embed script into packages/widget/dist/:
//  - widget.js: an IIFE that defines only the custom element (no globals);
//    everything a visitor loads before interacting, under the size budget.
//  - conversation.js: an ES module with the name prompt, chat and call UI,
//    imported on first use from `${server}/widget/conversation.js`. It uses
//    widget.js's Preact (imports of preact are mapped to src/preact-shim.ts).
import * as esbuild from 'esbuild';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
export const distDir = path.join(here, 'dist');

const common = {
  bundle: true,
  minify: true,
  legalComments: 'none',
  target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

/** Maps every preact import of the chunk to the shim that the main bundle fills in. */
const sharedPreact = {
  name: 'shared-preact',
  setup(b) {
    b.onResolve({ filter: /^preact(\/hooks|\/jsx-runtime)?$/ }, () => ({ path: path.join(here, 'src/preact-shim.ts') }));
  },
};

/** esbuild options of the lazily loaded chunk. */
export function chunkOptions(outdir = distDir) {
  return { ...common, entryPoints: { conversation: path.join(here, 'src/conversation.ts') }, outdir, format: 'esm', plugins: [sharedPreact], write: false };
}

/** esbuild options of the initial bundle; `version` tags the chunk URL. */
export function mainOptions(version, outdir = distDir) {
  return {
    ...common,
    entryPoints: { widget: path.join(here, 'src/index.ts') },
    outdir,
    format: 'iife',
    define: { ...common.define, __CW_CHUNK_VERSION__: JSON.stringify(version) },
  };
}

async function buildOnce(outdir) {
  fs.mkdirSync(outdir, { recursive: true });
  const chunk = await esbuild.build(chunkOptions(outdir));
  const out = chunk.outputFiles[0];
  const version = crypto.createHash('sha256').update(out.contents).digest('hex').slice(0, 10);
  // Chunk first: a widget.js that names a version is never served before its chunk exists.
  fs.writeFileSync(out.path, out.contents);
  await esbuild.build(mainOptions(version, outdir));
  return { version };
}

/** Builds once (into `outdir`, default dist/), or keeps rebuilding on changes with `watch`. */
export async function build({ watch = false, outdir = distDir } = {}) {
  const first = await buildOnce(outdir);
  if (!watch) return first;
  let busy = false;
  fs.watch(path.join(here, 'src'), { recursive: true }, async () => {
    if (busy) return;
    busy = true;
    try {
      await buildOnce(outdir);
    } catch (e) {
      console.error(e);
    } finally {
      busy = false;
    }
  });
  return first;
}

if (import.meta.url === `file://${process.argv[1]}`) await build({ watch: process.argv.includes('--watch') });
