// Builds the browser bundles (the widget, the admin app and the agent console)
// and the server's JavaScript (packages/server/dist/main.js, what `npm start` runs).
// Each workspace that ships browser code has a build.mjs exporting build(opts).
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const watch = process.argv.includes('--watch');
const targets = ['packages/widget', 'apps/admin', 'apps/agent-console', 'packages/server'];
const t0 = Date.now();
for (const t of targets) {
  const f = path.join(root, t, 'build.mjs');
  if (!fs.existsSync(f)) continue;
  const mod = await import(pathToFileURL(f).href);
  await mod.build({ watch });
}
if (!watch) console.log(`built browser bundles and the server in ${Date.now() - t0} ms`);
