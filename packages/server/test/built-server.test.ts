/**
 * Issue 11 finding 10: production ran the TypeScript through a run-time
 * transpiler (tsx). `npm run build` now also builds packages/server/dist/main.js
 * and `npm start` runs that with plain Node. This starts the built file as
 * `npm start` does and checks that it serves, with no TypeScript loader in
 * the process. (Start-up time and memory, before and after:
 * `node scripts/measure-start.mjs`.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const main = path.join(root, 'packages/server/dist/main.js');

describe('the built server', () => {
  it('is what npm start runs, and it serves without tsx', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toMatch(/node --enable-source-maps packages\/server\/dist\/main\.js$/);
    expect(pkg.scripts.start).not.toMatch(/tsx/);
    // `npm test` builds first; a focused run builds here.
    if (!fs.existsSync(main)) await (await import(path.join(root, 'packages/server/build.mjs'))).build();
    const bundle = fs.readFileSync(main, 'utf8');
    expect(bundle).not.toMatch(/from ["']tsx/);

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-built-'));
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--enable-source-maps', main], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_PASSWORD: 'built-server-password', LOG_LEVEL: 'warn', NODE_OPTIONS: '' },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /running on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
      console.log(`[build] built server listening after ${(performance.now() - t0).toFixed(0)} ms, RSS ${rss.toFixed(0)} MiB`);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/admin/`)).status).toBe(200);
      expect((await fetch(`${url}/widget.js`)).status).toBe(200);
      // No TypeScript loader in the running process.
      const cmdline = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      expect(cmdline).not.toMatch(/tsx/);
      const maps = fs.readFileSync(`/proc/${child.pid}/maps`, 'utf8');
      expect(maps).not.toMatch(/node_modules\/tsx|esbuild\/bin/);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
