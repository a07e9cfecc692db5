/**
 * The widget's view model: everything the UI renders, and the actions it may
 * take. The live controller (socket) and the admin preview (static data) both
 * implement `Model`, so the UI is the same in both.
 */
import type { InfoMsg, SessionMsg } from '@cw/protocol';
import type { Conversation } from './lazy.js';
import type { Action, Actions, CallView, ChatView, OfflineView } from './view.js';

export type { Action, Actions, CallPhase, CallView, ChatView, EndReason, OfflineInput, OfflineView } from './view.js';

export type Screen = { kind: 'list' } | { kind: 'prompt'; agent: string; action: Action } | { kind: 'chat' } | { kind: 'call' } | { kind: 'offline' };

export interface WidgetState {
  /** `hidden`: fatal error (unknown widget, origin not allowed): render nothing. */
  conn: 'connecting' | 'open' | 'reconnecting' | 'hidden';
  session: SessionMsg | null;
  agents: InfoMsg[];
  pictures: Record<string, string>;
  expanded: boolean;
  /** agent messages the visitor has not seen (sidebar closed or chat not shown) */
  unread: number;
  screen: Screen;
  chat: ChatView | null;
  call: CallView | null;
  visitor: { dn: string; email: string };
  preview: boolean;
  /** the lazily loaded chat/call UI, once loaded; `convFailed` when it could not be */
  conv: Conversation | null;
  convFailed: boolean;
  /** spec 11: the offline form, and the transcript asked for (the address it goes to) per chat */
  offline: OfflineView;
  transcript: { chat: string; email: string } | null;
}

export interface Model {
  readonly state: WidgetState;
  readonly actions: Actions;
  subscribe(listener: () => void): () => void;
}

export function initialState(): WidgetState {
  return {
    conn: 'connecting',
    session: null,
    agents: [],
    pictures: {},
    expanded: false,
    unread: 0,
    screen: { kind: 'list' },
    chat: null,
    call: null,
    visitor: { dn: '', email: '' },
    preview: false,
    conv: null,
    convFailed: false,
    offline: { phase: 'idle' },
    transcript: null,
  };
}

/** Inserts or replaces an agent, keeping display order. */
export function upsertAgent(list: InfoMsg[], info: InfoMsg): InfoMsg[] {
  const out = list.filter((a) => a.id !== info.id);
  out.push(info);
  out.sort((a, b) => a.order - b.order || a.dn.localeCompare(b.dn));
  return out;
}

/** Agents a sidebar lists: available ones, or all with `alwaysShow`; plus whoever the visitor is talking to. */
export function visibleAgents(s: Pick<WidgetState, 'agents' | 'session' | 'chat' | 'call'>): InfoMsg[] {
  if (s.session?.type === 'cards' || s.session?.appearance?.alwaysShow) return s.agents;
  return s.agents.filter((a) => a.presence === 'online' || a.id === s.chat?.agent || a.id === s.call?.agent);
}

/** Spec 11: nobody can answer — outside the widget's hours, or no agent online or busy. */
export function nobodyReachable(s: Pick<WidgetState, 'agents' | 'session'>): boolean {
  if (s.session?.open === false) return true;
  return !s.agents.some((a) => a.presence !== 'offline');
}

/** Issue 15: from this many agents on, the widget has a search field and lists the available first. */
export const SEARCH_FROM = 9;
/** …and shows at most this many cards until the visitor asks for all. */
export const LIST_CAP = 20;

const RANK = { online: 0, busy: 1, offline: 2 } as const;
/** Lower case without accents: "Zoë" is found as "zoe". */
const fold = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Available agents first, then busy, then the rest; the admin's order within each (a stable sort). */
export function availableFirst(list: InfoMsg[]): InfoMsg[] {
  return [...list].sort((a, b) => RANK[a.presence] - RANK[b.presence]);
}

/** The agents whose name or department holds every word of `query`, available first. */
export function findAgents(agents: InfoMsg[], query: string): InfoMsg[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  return availableFirst(
    agents.filter((a) => {
      const hay = fold(`${a.dn} ${a.department}`);
      return words.every((w) => hay.includes(w));
    }),
  );
}
