// `npm run typecheck`: each package's sources with only the types that package
// may use (no DOM in the server, no Node in the protocol, widget and apps),
// then everything at once (tests, testkit, e2e, bench) with both.
import { spawnSync } from 'node:child_process';

// The browser packages' own tsconfig.json files (for editors) have the settings of tsconfig.browser.json,
// which checks them in one run.
const projects = ['packages/protocol/tsconfig.json', 'packages/sip-connector/tsconfig.json', 'packages/server/tsconfig.json', 'tsconfig.browser.json', 'tsconfig.json'];
let failed = 0;
for (const p of projects) {
  const t = Date.now();
  const r = spawnSync('npx', ['tsc', '-p', p, '--noEmit'], { stdio: 'inherit' });
  console.log(`typecheck ${p}: ${r.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
