/** First start: creates the first admin when none exists. */
import type { Config } from './config.js';
import type { Storage } from './storage/types.js';
import { generatePassword, hashPassword } from './auth/passwords.js';

/** The admin created on first start; `password` only when it was generated (shown once). */
export interface FirstAdmin {
  username: string;
  password?: string;
  generated: boolean;
}

/**
 * When no admin exists, creates `config.adminUsername` (roles admin and agent,
 * so the first admin can also use the console) with ADMIN_PASSWORD or a
 * generated password, which main.ts prints once. A non-admin user of that name
 * is promoted and gets the new password. Returns null when an admin exists.
 */
export async function ensureFirstAdmin(storage: Storage, config: Config): Promise<FirstAdmin | null> {
  if ((await storage.users.countAdmins()) > 0) return null;
  const generated = !config.adminPassword;
  const password = config.adminPassword ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const username = config.adminUsername;
  // Several processes may start at once on an empty database (cluster mode): only the one whose transaction creates the admin reports it.
  const created = await storage.transaction(async (tx) => {
    if ((await tx.users.countAdmins()) > 0) return false;
    const existing = await tx.users.getByUsername(username);
    if (existing) {
      const roles = [...new Set([...existing.roles, 'admin' as const, 'agent' as const])];
      await tx.users.update(existing.id, { roles, passwordHash });
      return true;
    }
    const sipTaken = (await tx.users.getBySipId(username)) || (await tx.groups.getBySipId(username));
    await tx.users.create({
      username,
      passwordHash,
      displayName: 'Administrator',
      sipId: sipTaken ? `${username}-${Date.now().toString(36)}` : username,
      email: '',
      phone: '',
      department: '',
      roles: ['admin', 'agent'],
    });
    return true;
  });
  if (!created) return null;
  return generated ? { username, password, generated: true } : { username, generated: false };
}
