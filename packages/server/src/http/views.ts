/** Records → API shapes: what leaves the server (never a password hash or a visitor's resume token). */
import type { ChatMessageView, ChatSummary, Flag, Group, User, Widget } from '@cw/protocol';
import type { ChatMessageRecord, ChatRecord, FlagRecord, GroupRecord, UserRecord, WidgetRecord } from '../storage/types.js';

/** A user as the API shows it. */
export function userView(u: UserRecord): User {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    sipId: u.sipId,
    email: u.email,
    phone: u.phone,
    department: u.department,
    picture: u.picture ?? '',
    roles: [...u.roles],
    reach: u.reach,
  };
}

export function groupView(g: GroupRecord): Group {
  return { id: g.id, name: g.name, sipId: g.sipId, members: [...g.members], reach: g.reach };
}

export function flagView(f: FlagRecord): Flag {
  return { id: f.id, name: f.name, value: f.value, scheduleId: f.scheduleId ?? null };
}

export function widgetView(w: WidgetRecord): Widget {
  return {
    uuid: w.uuid,
    type: w.type,
    name: w.name,
    notes: w.notes,
    lang: w.lang,
    contact: w.contact,
    appearance: w.appearance,
    allowedOrigins: w.allowedOrigins,
    texts: { title: w.texts?.title ?? '', greeting: w.texts?.greeting ?? '' },
    agents: w.agents,
    scheduleId: w.scheduleId ?? null,
    offline: w.offline ?? { enabled: true, consentText: '', notify: [] },
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

/** A chat for the console's history (without the visitor's resume token). */
export function chatView(c: ChatRecord, widgetName: string | null): ChatSummary {
  return {
    id: c.id,
    widgetUuid: c.widgetUuid,
    widgetName,
    visitorDn: c.visitorDn,
    visitorEmail: c.visitorEmail,
    dest: c.dest,
    state: c.state,
    agentUserId: c.agentUserId,
    agentDn: c.agentDn,
    closedBy: c.closedBy,
    createdAt: c.createdAt,
    closedAt: c.closedAt,
  };
}

export function messageView(m: ChatMessageRecord): ChatMessageView {
  return { id: m.id, chat: m.chatId, from: m.from, dn: m.dn, text: m.text, ts: m.ts };
}
