/**
 * `npm run admin -- reset-password NAME`: a new password for the user NAME
 * (typically a locked-out admin) of the installation DATABASE_URL / DATA_DIR
 * point at. The password is NEW_PASSWORD when set (it must pass the same
 * strength rule as in the admin app), else generated and printed once. Every
 * sign-in session and API token of the user ends; a running server closes
 * that user's open consoles at its next check (AUTH_RECHECK_S). The change is
 * in the audit trail (actor: the operating-system user, via "cli").
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { openStorage } from '../storage/index.js';
import { generatePassword, hashPassword } from '../auth/passwords.js';
import { judgePassword } from '../auth/password-policy.js';
import { endOtherCredentials } from '../auth/revocation.js';

const USAGE = 'usage: npm run admin -- reset-password <username>\n       (NEW_PASSWORD=… to choose the password; otherwise one is generated)\n';

async function main(): Promise<number> {
  const [command, username] = process.argv.slice(2);
  if (command !== 'reset-password' || !username) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig();
  const chosen = process.env.NEW_PASSWORD;
  fs.mkdirSync(config.dataDir, { recursive: true });
  const storage = await openStorage({ databaseUrl: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'contact-widgets.sqlite'), logger: pino({ level: 'warn' }) });
  try {
    const user = await storage.users.getByUsername(username);
    if (!user) {
      const admins = (await storage.users.list()).filter((u) => u.roles.includes('admin')).map((u) => u.username);
      process.stderr.write(`no user "${username}"${admins.length ? `; admins: ${admins.join(', ')}` : ''}\n`);
      return 1;
    }
    if (chosen !== undefined) {
      const verdict = await judgePassword(chosen, [user.username, user.displayName, user.email], config.passwordMinScore);
      if (!verdict.ok) {
        process.stderr.write(`NEW_PASSWORD refused: ${verdict.reason}\n`);
        return 1;
      }
    }
    const password = chosen ?? generatePassword();
    const passwordHash = await hashPassword(password);
    await storage.transaction(async (tx) => {
      await tx.users.update(user.id, { passwordHash });
      await endOtherCredentials(tx, user.id, undefined);
      await tx.audit.append({
        ts: Date.now(),
        actor: { id: null, username: os.userInfo().username, via: 'cli' },
        ip: '',
        action: 'user.reset-password',
        target: user.id,
        targetName: user.username,
        diff: { password: { from: '***', to: '***' } },
      });
    });
    process.stdout.write(
      `\nNew password for "${user.username}"${user.roles.includes('admin') ? ' (admin)' : ''}:\n\n    ${chosen !== undefined ? '(the one in NEW_PASSWORD)' : password}\n\n` +
        'Every earlier sign-in and API token of this user has ended. Sign in at /admin and change it under Users if you like.\n\n',
    );
    return 0;
  } finally {
    await storage.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`npm run admin: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
