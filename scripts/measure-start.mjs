// Start-up time and memory of the server, run as TypeScript through tsx (as
// `npm start` did before issue 11.10) and as the built JavaScript (as it does
// now), alternately, each with a fresh data dir: time from spawn to the
// "is running on" line, and VmRSS then. Usage: node scripts/measure-start.mjs [runs]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(process.argv[2] ?? 5);
const modes = {
  'tsx (before)': ['--import', 'tsx', 'packages/server/src/main.ts'],
  'built JS (now)': ['--enable-source-maps', 'packages/server/dist/main.js'],
};
if (!fs.existsSync(path.join(root, 'packages/server/dist/main.js'))) throw new Error('run `npm run build` first');

function once(args) {
  return new Promise((resolve, reject) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-start-'));
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_PASSWORD: 'measure-start-password', LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (!out.includes('is running on')) return;
      const ms = performance.now() - t0;
      const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
      child.kill('SIGTERM');
      child.once('exit', () => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        resolve({ ms, rss });
      });
      out = '';
    });
    child.once('error', reject);
  });
}

const results = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
for (let i = 0; i < runs; i++) for (const [m, args] of Object.entries(modes)) results[m].push(await once(args));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`start-up, median of ${runs} (load ${os.loadavg()[0].toFixed(1)}):`);
for (const [m, rs] of Object.entries(results))
  console.log(`  ${m.padEnd(15)} ${median(rs.map((r) => r.ms)).toFixed(0).padStart(6)} ms to listening, RSS ${median(rs.map((r) => r.rss)).toFixed(0)} MiB`);
