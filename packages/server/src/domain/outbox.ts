/**
 * How the domain (calls, chat, presence) reaches sockets: every message goes
 * through the bus on a topic, so that a Redis bus can later carry it to the
 * process holding the socket.
 *
 * Topics:
 * - `visitor:<connId>`   one visitor socket
 * - `vsession:<token>`   every socket of one visitor session (tabs, reconnects)
 * - `console:<consoleId>` one agent console
 * - `user:<userId>`      every console of a user
 * - `widget:<uuid>`      every visitor of a widget (WidgetEvent, not a wire message)
 */
import type { AgentOutbound, InfoMsg, VisitorOutbound } from '@cw/protocol';
import type { Bus } from '../bus/types.js';

/** What travels on visitor/console/user topics: a wire message, optionally not for one socket (the sender). */
export interface Delivery<M> {
  msg: M;
  /** connId or consoleId that must not get it (the sender's own socket) */
  except?: string;
}

/** An Info and its JSON text (serialised once, sent to every visitor as is). */
export interface InfoEntry {
  msg: InfoMsg;
  json: string;
}

/** What travels on `widget:<uuid>`. */
export type WidgetEvent =
  | ({ k: 'info' } & InfoEntry)
  | {
      k: 'reload';
      widget: { name: string; lang: string; type: 'sidebar' | 'cards'; appearance: unknown; contact: unknown; allowedOrigins: string[]; texts?: { title?: string; greeting?: string } | undefined; extras?: { open?: boolean; nextOpen?: number | null; offline?: { consentText: string } } };
      /** agent ids shown before the save and gone now */
      removed: string[];
      infos: InfoEntry[];
    }
  | { k: 'deleted' };

export const topics = {
  visitor: (connId: string) => `visitor:${connId}`,
  vsession: (token: string) => `vsession:${token}`,
  console: (consoleId: string) => `console:${consoleId}`,
  user: (userId: string) => `user:${userId}`,
  widget: (uuid: string) => `widget:${uuid}`,
} as const;

/** The domain's only way out (typed events that end at sockets). */
export interface Outbox {
  toVisitor(connId: string, msg: VisitorOutbound): void;
  toVisitorSession(token: string, msg: VisitorOutbound, exceptConn?: string): void;
  toConsole(consoleId: string, msg: AgentOutbound): void;
  toUser(userId: string, msg: AgentOutbound, exceptConsole?: string): void;
}

/** Outbox over the bus. */
export function busOutbox(bus: Bus): Outbox {
  const d = <M>(msg: M, except?: string): Delivery<M> => (except ? { msg, except } : { msg });
  return {
    toVisitor: (connId, msg) => bus.publish(topics.visitor(connId), d(msg)),
    toVisitorSession: (token, msg, except) => bus.publish(topics.vsession(token), d(msg, except)),
    toConsole: (consoleId, msg) => bus.publish(topics.console(consoleId), d(msg)),
    toUser: (userId, msg, except) => bus.publish(topics.user(userId), d(msg, except)),
  };
}
