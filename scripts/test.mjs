// `npm test`: typecheck, build, unit/API/storage tests, then browser tests
// inside a private network namespace (only loopback) as the testbed requires.
// Off CI, a missing part (root, Chromium) skips a stage with a printed reason;
// with CI=true every stage must run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CI = !!process.env.CI && process.env.CI !== 'false';
const args = process.argv.slice(2);
const only = (name) => args.length === 0 || args.includes(name);
const results = [];

function run(name, cmd, cmdArgs, env = {}) {
  console.log(`\n=== ${name}: ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
  results.push({ name, ok: r.status === 0 });
  return r.status === 0;
}
function skip(name, why) {
  if (CI) {
    console.error(`\n=== ${name}: cannot run (${why}) and CI requires it`);
    results.push({ name, ok: false });
  } else {
    console.warn(`\n=== ${name}: SKIPPED (${why})`);
  }
}

if (only('typecheck')) run('typecheck', 'node', ['scripts/typecheck.mjs']);
if (only('unit') || only('e2e')) run('build', 'node', ['scripts/build.mjs']);
if (only('unit')) run('unit', 'npx', ['vitest', 'run', '--config', 'vitest.config.ts']);
if (only('e2e')) {
  const isRoot = process.getuid?.() === 0;
  const hasUnshare = spawnSync('sh', ['-c', 'command -v unshare && command -v ip'], { stdio: 'ignore' }).status === 0;
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) skip('e2e', `no Chromium at ${chromium}; apt-get install chromium`);
  else if (!isRoot || !hasUnshare) skip('e2e', 'needs root and unshare/ip to make a private network namespace');
  else
    // 198.18.0.1 on lo: baresip's ICE skips 127/8 (testbed notes); it reaches nothing outside the namespace.
    run('e2e', 'unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip addr add 198.18.0.1/32 dev lo && exec npx vitest run --config vitest.e2e.config.ts'], { CW_NETNS: '1' });
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`\nstages: ${results.map((r) => `${r.name} ${r.ok ? 'ok' : 'FAILED'}`).join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
