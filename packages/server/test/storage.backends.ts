/**
 * The databases the storage conformance suite runs against: SQLite in a temp
 * file, and PostgreSQL (database `test`) in a fresh schema per test, so that
 * parallel test files and runs never see each other's rows.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { PG_URL } from '@cw/testkit';
import type { StorageOptions } from '../src/storage/types.js';

/** Migration logs would drown the test output. */
const logger = pino({ level: 'silent' });

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** options for a new, empty database; opening them twice reaches the same data */
  fresh(): Promise<StorageOptions>;
  /** removes every database made by fresh() */
  cleanup(): Promise<void>;
}

/** SQLite files in one temp directory. */
export function sqliteBackend(): Backend {
  let dir: string | undefined;
  let n = 0;
  return {
    name: 'sqlite',
    async fresh() {
      dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cw-storage-'));
      return { sqlitePath: path.join(dir, `db${++n}.sqlite`), migrate: true, logger };
    },
    async cleanup() {
      // maxRetries: SQLite may still be removing a -wal/-shm file of a just-closed database.
      if (dir) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
      dir = undefined;
    },
  };
}

/** PostgreSQL schemas named cw_<random>_<n>, dropped by cleanup(). */
export function postgresBackend(): Backend {
  const base = `cw_${crypto.randomBytes(5).toString('hex')}`;
  const made: string[] = [];
  return {
    name: 'postgres',
    async fresh() {
      const schema = `${base}_${made.length + 1}`;
      made.push(schema);
      return { databaseUrl: PG_URL, schema, migrate: true, logger };
    },
    async cleanup() {
      if (made.length === 0) return;
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        for (const s of made.splice(0)) await client.query(`drop schema if exists "${s}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
