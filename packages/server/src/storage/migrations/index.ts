/** The migrations, in order, compiled in (no files read at run time). */
import type { Migration, MigrationProvider } from 'kysely';
import { init } from './001_init.js';
import { phoneSystem } from './002_phone_system.js';

/** A static provider: adding a migration = adding a line here. */
export function migrationProvider(kind: 'sqlite' | 'postgres'): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '001_init': init(kind),
        '002_phone_system': phoneSystem(),
      };
    },
  };
}
