/**
 * The README's "Several processes" section is what the cluster tests run:
 * its HAProxy block is docs/haproxy.cfg byte for byte (testkit's
 * startCluster runs that file in front of real processes, see
 * cluster.failover.test.ts and e2e/cluster.e2e.ts), HAProxy accepts it, and
 * its environment switches cluster mode on.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAPROXY_CFG } from '@cw/testkit/cluster';
import { loadConfig } from '../src/config.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### Several processes'));
const block = (lang: string) => {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
  if (!m) throw new Error(`no ${lang} block in the README's "Several processes" section`);
  return m[1]!;
};

describe('README: several processes', () => {
  it('shows docs/haproxy.cfg unchanged', () => {
    expect(block('haproxy')).toBe(fs.readFileSync(HAPROXY_CFG, 'utf8'));
  });

  it.skipIf(spawnSync('haproxy', ['-v']).status !== 0)('HAProxy accepts it', () => {
    const r = spawnSync('haproxy', ['-c', '-f', HAPROXY_CFG], { env: { ...process.env, CW_LISTEN: '127.0.0.1:8080', CW_NODE_1: '127.0.0.1:8081', CW_NODE_2: '127.0.0.1:8082', CW_NODE_3: '127.0.0.1:8083' }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('its environment is cluster mode; without SECRETS_KEY the start is refused', () => {
    const env: Record<string, string> = {};
    for (const m of block('sh').matchAll(/([A-Z_]+)=(\S+)/g)) env[m[1]!] = m[2]!;
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'SECRETS_KEY', 'TRUST_PROXY', 'PUBLIC_URL']));
    env.SECRETS_KEY = 'ab'.repeat(32);
    expect(loadConfig(env)).toMatchObject({ cluster: true, trustProxy: 1 });
    delete env.SECRETS_KEY;
    expect(() => loadConfig(env)).toThrow(/SECRETS_KEY/);
  });
});
