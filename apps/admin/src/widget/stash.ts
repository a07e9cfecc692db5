/**
 * Unsaved drafts survive a session that ends mid-edit: when the server
 * answers 401, open panels with changes put their draft into sessionStorage,
 * and after signing in again the panel picks it up.
 */
import type { Draft } from './draft.js';

const key = (uuid: string) => `cw-admin-draft:${uuid}`;

/** Keeps a draft for after the next sign-in (best effort: storage may be full or off). */
export function stashDraft(uuid: string, d: Draft): void {
  try {
    sessionStorage.setItem(key(uuid), JSON.stringify(d));
  } catch {
    /* nothing to do: the draft is lost as it would be without the stash */
  }
}

export function hasStash(uuid: string): boolean {
  try {
    return sessionStorage.getItem(key(uuid)) !== null;
  } catch {
    return false;
  }
}

/** Returns and forgets the stashed draft of a widget. */
export function takeStash(uuid: string): Draft | null {
  try {
    const v = sessionStorage.getItem(key(uuid));
    sessionStorage.removeItem(key(uuid));
    if (!v) return null;
    const d = JSON.parse(v) as Draft;
    return d && typeof d === 'object' && Array.isArray(d.agents) && typeof d.name === 'string' ? d : null;
  } catch {
    return null;
  }
}
