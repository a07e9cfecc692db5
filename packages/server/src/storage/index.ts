/** Opens the configured storage. OWNER: storage helper. */
import type { Storage, StorageOptions } from './types.js';
export * from './types.js';

export async function openStorage(opts: StorageOptions): Promise<Storage> {
  void opts;
  throw new Error('storage not implemented yet');
}
