/** The migrations, in order, compiled in (no files read at run time). */
import type { Migration, MigrationProvider } from 'kysely';
import { init } from './001_init.js';
import { phoneSystem } from './002_phone-system.js';
import { oneOpenChat } from './003_one-open-chat.js';
import { schedules } from './004_schedules.js';
import { stats } from './005_stats.js';
import { userLang } from './006_user-lang.js';
import { ux } from './007_ux.js';
import { callContext } from './008_call-context.js';

/** A static provider: adding a migration = adding a line here. */
export function migrationProvider(kind: 'sqlite' | 'postgres'): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '001_init': init(kind),
        '002_phone-system': phoneSystem(),
        '003_one-open-chat': oneOpenChat(),
        '004_schedules': schedules(kind),
        '005_stats': stats(kind),
        '006_user-lang': userLang(),
        '007_ux': ux(),
        '008_call-context': callContext(),
      };
    },
  };
}
