/**
 * What must survive a reload, per widget uuid, in sessionStorage (so it ends
 * with the tab): the resume token, the visitor's name, and the open chat with
 * everything typed but not yet acknowledged by the server.
 */
import { readStored, unsentOf, writeStored, type Unsent } from '@cw/client-core';
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
    pending: Unsent[];
  };
}

const key = (uuid: string) => `contact-widget:${uuid}`;

/** Reads the saved state of one widget (empty when none or unreadable; blocked storage only costs the resume). */
export function load(uuid: string): Saved {
  const v = readStored('sessionStorage', key(uuid));
  // Written by `save` of this tab; the pending messages in it are checked again where they are read.
  return v && typeof v === 'object' ? (v as Saved) : {};
}

/** Writes the saved state of one widget. */
export function save(uuid: string, s: Saved): void {
  writeStored('sessionStorage', key(uuid), s);
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
          pending: unsentOf(c.lines),
        }
      : undefined,
  };
}
