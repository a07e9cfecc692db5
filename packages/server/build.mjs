// Builds the server into packages/server/dist/main.js: what `npm start` runs in
// production (issue 11.10), instead of transpiling TypeScript at run time with
// tsx. The workspace packages (@cw/protocol) are bundled in; npm dependencies
// stay external and load from node_modules, as they would for any Node app.
// `npm run dev` keeps running the TypeScript with tsx --watch.
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../..');

export async function build({ watch = false } = {}) {
  // Development runs the sources through tsx; nothing to build then.
  if (watch) return;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].flatMap((d) => [d, `${d}/*`]);
  await esbuild.build({
    entryPoints: [path.join(here, 'src/main.ts')],
    outfile: path.join(here, 'dist/main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    external,
    logLevel: 'warning',
    legalComments: 'none',
  });
}
