/**
 * Backup and transfer of all configuration (spec section 12): users (with
 * password hashes), groups, widgets (with their pictures), flags, API tokens
 * (hashes), webhooks (with secrets), and what later migrations add to the
 * configuration tables (schedules, phone-system settings). One JSON
 * document, the same from SQLite and PostgreSQL, so it moves between them.
 *
 * The document holds credentials: keep it like a password.
 */
import type { Storage, ConfigTables } from '../storage/types.js';

export const CONFIG_FORMAT = 'contact-widgets-config';
export const CONFIG_VERSION = 1;

export interface ConfigDocument {
  format: typeof CONFIG_FORMAT;
  version: typeof CONFIG_VERSION;
  exportedAt: string;
  /** the migrations of the installation it came from; an import needs all of them */
  migrations: string[];
  tables: ConfigTables;
}

/** Why an import was refused: `conflict` (409) or `invalid` (400, with the field). */
export class ImportRefused extends Error {
  constructor(
    readonly reason: 'conflict' | 'invalid',
    message: string,
    readonly field = '',
  ) {
    super(message);
    this.name = 'ImportRefused';
  }
}

/** The whole configuration as one document. */
export async function exportConfig(storage: Pick<Storage, 'backup'>, now = Date.now()): Promise<ConfigDocument> {
  return {
    format: CONFIG_FORMAT,
    version: CONFIG_VERSION,
    exportedAt: new Date(now).toISOString(),
    migrations: await storage.backup.migrations(),
    tables: await storage.backup.dump(),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a document's shape; throws ImportRefused naming the field. */
export function checkDocument(doc: unknown, known: readonly string[], migrations: string[]): ConfigDocument {
  if (!isObject(doc)) throw new ImportRefused('invalid', 'The document must be a JSON object (an export of Contact Widgets).', '');
  if (doc.format !== CONFIG_FORMAT) throw new ImportRefused('invalid', `"format" must be "${CONFIG_FORMAT}".`, 'format');
  if (doc.version !== CONFIG_VERSION) throw new ImportRefused('invalid', `"version" ${JSON.stringify(doc.version)} is not supported (this server reads version ${CONFIG_VERSION}).`, 'version');
  if (!Array.isArray(doc.migrations) || !doc.migrations.every((m) => typeof m === 'string')) throw new ImportRefused('invalid', '"migrations" must be a list of names.', 'migrations');
  const missing = doc.migrations.filter((m) => !migrations.includes(m));
  if (missing.length) throw new ImportRefused('invalid', `The document comes from a newer version (${missing.join(', ')}); update this installation first.`, 'migrations');
  if (!isObject(doc.tables)) throw new ImportRefused('invalid', '"tables" must be an object.', 'tables');
  for (const [t, rows] of Object.entries(doc.tables)) {
    if (!known.includes(t)) throw new ImportRefused('invalid', `Unknown table "${t}".`, `tables.${t}`);
    if (!Array.isArray(rows)) throw new ImportRefused('invalid', `"tables.${t}" must be a list of rows.`, `tables.${t}`);
    rows.forEach((r, i) => {
      if (!isObject(r)) throw new ImportRefused('invalid', 'Each row must be an object.', `tables.${t}[${i}]`);
      for (const [k, v] of Object.entries(r))
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(k) || (v !== null && !['string', 'number', 'boolean'].includes(typeof v)))
          throw new ImportRefused('invalid', `Column "${k}" must be a plain name with a string, number or null value.`, `tables.${t}[${i}].${k}`);
    });
  }
  const users = (doc.tables.users ?? []) as Record<string, unknown>[];
  const admins = users.filter((u) => typeof u.roles === 'string' && u.roles.includes('"admin"'));
  if (admins.length === 0) throw new ImportRefused('invalid', 'The document has no admin user; nobody could sign in after the import.', 'tables.users');
  return doc as unknown as ConfigDocument;
}

/**
 * Replaces this installation's configuration with the document's, all or
 * nothing. Refused (conflict) when widgets exist: an import is for a new
 * installation, not a merge. Sign-ins end (the users are replaced).
 */
export async function importConfig(storage: Pick<Storage, 'backup' | 'transaction'>, doc: unknown): Promise<Record<string, number>> {
  const migrations = await storage.backup.migrations();
  const d = checkDocument(doc, storage.backup.tables, migrations);
  return storage.transaction(async (tx) => {
    if ((await tx.widgets.list()).length > 0) throw new ImportRefused('conflict', 'This installation has widgets: import only into an installation without widgets (delete them first).');
    try {
      await tx.backup.replace(d.tables);
    } catch (err) {
      throw new ImportRefused('invalid', `The rows do not fit this database: ${(err as Error).message.split('\n')[0]}`, 'tables');
    }
    const counts: Record<string, number> = {};
    for (const t of storage.backup.tables) counts[t] = d.tables[t]?.length ?? 0;
    return counts;
  });
}
