/**
 * `npm run export [-- file.json]` and `npm run import -- file.json`: the
 * configuration of the installation that DATABASE_URL / DATA_DIR point at,
 * as one JSON document (see backup/backup.ts). Import into an installation
 * without widgets, with its server stopped (a running server keeps what it
 * cached until it restarts) — or use POST /api/import on the running server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { openStorage } from '../storage/index.js';
import { exportConfig, importConfig, ImportRefused } from '../backup/backup.js';

const [command, file] = process.argv.slice(2);
const config = loadConfig();
const logger = pino({ level: 'warn' });

async function main(): Promise<number> {
  if (command !== 'export' && command !== 'import') {
    process.stderr.write('usage: npm run export [-- file.json]   |   npm run import -- file.json\n');
    return 2;
  }
  if (command === 'import' && !file) {
    process.stderr.write('npm run import -- <file.json>: name the exported file to read\n');
    return 2;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const storage = await openStorage({ databaseUrl: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'contact-widgets.sqlite'), logger });
  try {
    if (command === 'export') {
      const text = `${JSON.stringify(await exportConfig(storage), null, 2)}\n`;
      if (file) {
        // The document holds password hashes and webhook secrets: only its owner may read it.
        fs.writeFileSync(file, text, { mode: 0o600 });
        process.stderr.write(`exported the configuration to ${file} (it contains credentials: keep it safe)\n`);
      } else process.stdout.write(text);
      return 0;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(file!, 'utf8'));
    } catch (err) {
      process.stderr.write(`cannot read ${file}: ${(err as Error).message}\n`);
      return 1;
    }
    const counts = await importConfig(storage, doc);
    await storage.audit.append({
      ts: Date.now(),
      actor: { id: null, username: os.userInfo().username, via: 'cli' },
      ip: '',
      action: 'config.import',
      target: '',
      targetName: path.basename(file!),
      diff: { imported: { from: null, to: counts } },
    });
    process.stderr.write(`imported ${Object.entries(counts).map(([t, n]) => `${n} ${t}`).join(', ')}\nsign in with an account from the imported configuration\n`);
    return 0;
  } catch (err) {
    if (err instanceof ImportRefused) {
      process.stderr.write(`import refused: ${err.message}${err.field ? ` (${err.field})` : ''}\n`);
      return 1;
    }
    throw err;
  } finally {
    await storage.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
