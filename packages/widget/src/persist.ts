/**
 * What must survive a reload, per widget uuid, in sessionStorage (so it ends
 * with the tab): the resume token, the visitor's name, and the open chat with
 * everything typed but not yet acknowledged by the server.
 */
import type { InfoMsg, SessionMsg } from '@cw/protocol';

export interface Saved {
  session?: string;
  /** the last Session and agents: a reload renders at once, even while offline */
  view?: { session: SessionMsg; agents: InfoMsg[] };
  dn?: string;
  email?: string;
  chat?: {
    id?: string;
    agent: string;
    agentDn: string;
    draft: string;
    /** sent or typed, not yet acked: resent with the same cid after a reconnect */
    pending: { cid: string; text: string; ts: number }[];
  };
}

const key = (uuid: string) => `contact-widget:${uuid}`;

function store(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    // Blocked storage (privacy settings, sandboxed iframes): the widget still works, just without resume.
    return null;
  }
}

/** Reads the saved state of one widget (empty when none or unreadable). */
export function load(uuid: string): Saved {
  try {
    const raw = store()?.getItem(key(uuid));
    const v = raw ? (JSON.parse(raw) as unknown) : null;
    return v && typeof v === 'object' ? (v as Saved) : {};
  } catch {
    return {};
  }
}

/** Writes the saved state of one widget. */
export function save(uuid: string, s: Saved): void {
  try {
    store()?.setItem(key(uuid), JSON.stringify(s));
  } catch {
    // Quota or blocked storage: resume is best effort.
  }
}
