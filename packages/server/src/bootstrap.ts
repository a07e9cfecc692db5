/** First start: creates the first admin when none exists. OWNER: http helper. */
import type { Config } from './config.js';
import type { Storage } from './storage/types.js';

export async function ensureFirstAdmin(
  storage: Storage,
  config: Config,
): Promise<{ username: string; password?: string; generated: boolean } | null> {
  void storage;
  void config;
  return null;
}
