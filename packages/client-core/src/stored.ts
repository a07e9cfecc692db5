/**
 * JSON in Web Storage, best effort: storage can be blocked (privacy
 * settings, sandboxed iframes), full, or hold something unreadable, and a
 * client must keep working without it — only what it remembers is lost.
 */

export type StorageArea = 'sessionStorage' | 'localStorage';

function area(name: StorageArea): Storage | null {
  try {
    return window[name];
  } catch {
    return null;
  }
}

/** The parsed JSON value stored under `key`, or null when there is none or it cannot be read. */
export function readStored(name: StorageArea, key: string): unknown {
  try {
    const raw = area(name)?.getItem(key);
    return raw ? (JSON.parse(raw) as unknown) : null;
  } catch {
    return null;
  }
}

/** Stores `value` as JSON under `key`; `undefined` removes the entry. */
export function writeStored(name: StorageArea, key: string, value: unknown): void {
  try {
    const store = area(name);
    if (value === undefined) store?.removeItem(key);
    else store?.setItem(key, JSON.stringify(value));
  } catch {
    // Quota or blocked storage: remembering is best effort.
  }
}
