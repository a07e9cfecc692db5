/**
 * What must survive a reload, per widget uuid, in sessionStorage (so it ends
 * with the tab): the resume token, the visitor's name, and the open chat with
 * everything typed but not yet acknowledged by the server.
 */
import type { InfoMsg, SessionMsg } from '@cw/protocol';
import type { WidgetState } from './model.js';

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

/** What of the widget's state is kept: the open chat (not a finished one) with its unacked lines. */
export function snapshot(s: WidgetState, token: string | undefined): Saved {
  const c = s.chat;
  const live = c && c.state !== 'closed' && c.state !== 'lost';
  return {
    session: token,
    view: s.session ? { session: s.session, agents: s.agents } : undefined,
    dn: s.visitor.dn || undefined,
    email: s.visitor.email || undefined,
    chat: live
      ? {
          id: c.id,
          agent: c.agent,
          agentDn: c.agentDn,
          draft: c.draft,
          pending: c.lines.filter((l) => l.from === 'visitor' && l.status === 'sending').map((l) => ({ cid: l.cid!, text: l.text, ts: l.ts })),
        }
      : undefined,
  };
}
