/** Process entry: reads config, opens storage and bus, listens, drains on SIGTERM. */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from './config.js';
import { openStorage } from './storage/index.js';
import { MemoryBus } from './bus/memory.js';
import { buildApp } from './app.js';
import { ensureFirstAdmin } from './bootstrap.js';

const config = loadConfig();
const logger = pino({ level: config.logLevel });

async function main(): Promise<void> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const storage = await openStorage({
    databaseUrl: config.databaseUrl,
    sqlitePath: path.join(config.dataDir, 'contact-widgets.sqlite'),
  });
  const bus = new MemoryBus(logger.child({ module: 'bus' }));
  const app = await buildApp({ config, storage, bus, logger });
  const created = await ensureFirstAdmin(storage, config);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // A machine without IPv6 cannot bind '::'; all IPv4 interfaces is the next best "all interfaces".
    if (config.host !== '::' || !['EAFNOSUPPORT', 'EADDRNOTAVAIL'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    await app.listen({ port: config.port, host: '0.0.0.0' });
  }
  const base = config.publicUrl ?? `http://localhost:${config.port}`;
  // Printed plainly (not only as a log line) so that a first-time user sees it.
  process.stdout.write(`\nContact Widgets is running on ${base}\n  admin app:     ${base}/admin\n  agent console: ${base}/agent\n`);
  if (created) {
    process.stdout.write(
      created.generated
        ? `  first admin:   username "${created.username}", password "${created.password}" (generated; shown only this once)\n\n`
        : `  first admin:   username "${created.username}" with the password from ADMIN_PASSWORD\n\n`,
    );
  } else {
    process.stdout.write(`  sign in with an existing admin account\n\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    try {
      await app.realtime.drain();
      await app.close();
      await bus.close();
      await storage.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  logger.fatal({ err }, 'failed to start');
  process.exit(1);
});
