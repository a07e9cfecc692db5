/**
 * Three server "processes" in this test process, in cluster mode against
 * the real Redis (a key prefix of their own) and the real PostgreSQL (a
 * schema of their own). Each is a whole startServer() with its own node id,
 * bus connections, membership beat and registry: what one process does and
 * sees in a cluster, minus the OS process (the kill -9 tests use real ones,
 * see cluster.failover.test.ts and e2e/cluster.*.e2e.ts).
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PG_URL, REDIS_URL, startTestServer, type TestServer } from '@cw/testkit';

export interface InProcessCluster {
  nodes: TestServer[];
  prefix: string;
  close(): Promise<void>;
}

export async function startInProcessCluster(n = 3, env: Record<string, string> = {}): Promise<InProcessCluster> {
  const schema = `cw_cl_${crypto.randomBytes(4).toString('hex')}`;
  const prefix = `cw-test:${crypto.randomBytes(5).toString('hex')}:`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  // Small pools: three processes share the machine's PostgreSQL with every other test running.
  const common = { databaseUrl: url.toString(), env: { REDIS_URL, REDIS_PREFIX: prefix, DATABASE_POOL_SIZE: '4', SECRETS_KEY: crypto.randomBytes(32).toString('hex'), ...env } };
  const nodes: TestServer[] = [];
  try {
    // The first migrates the empty schema; the others start together.
    nodes.push(await startTestServer(common));
    nodes.push(...(await Promise.all(Array.from({ length: n - 1 }, () => startTestServer(common)))));
  } catch (err) {
    await Promise.allSettled(nodes.map((x) => x.close()));
    throw err;
  }
  return {
    nodes,
    prefix,
    async close() {
      await Promise.allSettled(nodes.map((x) => x.close()));
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
      const r = new Redis(REDIS_URL);
      const keys = await r.keys(`${prefix}*`);
      if (keys.length) await r.del(...keys);
      await r.quit();
    },
  };
}
