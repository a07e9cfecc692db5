/**
 * Cluster mode is REDIS_URL with a PostgreSQL DATABASE_URL (spec 10); any
 * other use of REDIS_URL is refused at start with a sentence, not ignored.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const MAIN = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'src', 'main.ts');

/** Runs the real entry point with `env`; resolves with its exit code and output. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-cfg-'));
  return new Promise((resolve, reject) => {
    // The built JavaScript when there is one (what `npm start` runs; it starts in a fraction of tsx's time on a loaded machine).
    const built = path.join(path.dirname(MAIN), '..', 'dist', 'main.js');
    const p = spawn(process.execPath, fs.existsSync(built) ? [built] : ['--import', 'tsx', MAIN], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.on('data', (d) => (stdout += d));
    // A process that started despite the mistake would run forever: stop it, the test then fails on the exit code.
    const t = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(t);
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, stderr, stdout });
    });
  });
}

describe('cluster mode configuration', () => {
  it('is on with REDIS_URL and a PostgreSQL DATABASE_URL, off without REDIS_URL', () => {
    const c = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://u@db/cw', SECRETS_KEY: 'ab'.repeat(32) });
    expect(c.cluster).toBe(true);
    expect(c.redisPrefix).toBe('cw:');
    expect(loadConfig({ REDIS_URL: 'rediss://r.example:6380/2', DATABASE_URL: 'postgresql://u@db/cw', REDIS_PREFIX: 'shop1:', SECRETS_KEY: 'ab'.repeat(32) })).toMatchObject({ cluster: true, redisPrefix: 'shop1:' });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/cw' }).cluster).toBe(false);
    expect(loadConfig({}).cluster).toBe(false);
  });

  it('refuses REDIS_URL with SQLite, a REDIS_URL that is not redis://, and a bad REDIS_PREFIX', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/cluster mode.*needs PostgreSQL.*SQLite/);
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'mysql://db/cw' })).toThrow(/DATABASE_URL does not name a PostgreSQL database/);
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379', DATABASE_URL: 'postgres://u@db/cw' })).toThrow(/REDIS_URL must start with redis:\/\//);
    // Each process would seal the phone-system password with its own key file.
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://u@db/cw' })).toThrow(/SECRETS_KEY is not.*same key/);
    expect(() => loadConfig({ REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX/);
  });

  it('the server process exits non-zero with the reason when REDIS_URL comes with SQLite', { timeout: 90_000 }, async () => {
    const r = await runMain({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^contact-widgets: cannot start: REDIS_URL is set.*needs PostgreSQL.*unset REDIS_URL to run one process on SQLite/m);
    // One sentence, no stack trace; and it never said it was running.
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).not.toMatch(/is running/);
  });
});
