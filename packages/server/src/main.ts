/** Process entry: reads config, starts the server, prints how to sign in, drains on SIGTERM. */
import pino from 'pino';
import { loadConfig, type Config } from './config.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  // A configuration mistake is a sentence for the operator, not a stack trace.
  process.stderr.write(`contact-widgets: cannot start: ${(err as Error).message}\n`);
  process.exit(1);
}
const logger = pino({ level: config.logLevel });

async function main(): Promise<void> {
  // Loaded after the config was read: a configuration mistake is reported before the whole server is loaded.
  const { startServer } = await import('./server.js');
  const server = await startServer(config, { logger });
  const base = config.publicUrl ?? `http://localhost:${server.port}`;
  // Printed plainly (not only as a log line) so that a first-time user sees it.
  process.stdout.write(`\nContact Widgets is running on ${base}\n  admin app:     ${base}/admin\n  agent console: ${base}/agent\n`);
  const created = server.firstAdmin;
  if (created?.generated) {
    // Its own plain lines, set apart from the JSON log lines around it (issue 15).
    const rule = '='.repeat(64);
    process.stdout.write(
      `\n${rule}\n  FIRST ADMIN CREATED — the password is shown only this once\n\n    username:  ${created.username}\n    password:  ${created.password}\n\n` +
        `  Sign in at ${base}/admin. Lost it? npm run admin -- reset-password ${created.username}\n${rule}\n\n`,
    );
  } else if (created) {
    process.stdout.write(`  first admin:   username "${created.username}" with the password from ADMIN_PASSWORD\n\n`);
  } else {
    process.stdout.write(`  sign in with an existing admin account (forgotten password: npm run admin -- reset-password <username>)\n\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    try {
      await server.close();
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
