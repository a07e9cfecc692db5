/**
 * Reading the bodies of presence NOTIFYs: PIDF with RPID activities
 * (RFC 3863/4480), dialog-info (RFC 4235) and reginfo (RFC 3680). Namespace
 * prefixes differ between PBXs, so they are dropped before reading.
 */
import { XMLParser } from 'fast-xml-parser';
import type { PhonePresence } from './types.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  processEntities: false,
  ignoreDeclaration: true,
  isArray: (name) => ['tuple', 'person', 'dialog', 'registration', 'contact', 'note'].includes(name),
});

type Node = Record<string, unknown>;
const arr = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v && typeof v === 'object' ? [v as Node] : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && '#text' in (v as Node) ? String((v as Node)['#text']) : '');

function parse(xml: string): Node | undefined {
  try {
    return parser.parse(xml) as Node;
  } catch {
    return undefined;
  }
}

export interface PidfState {
  /** open/closed of the tuples (open if any is open). */
  basic?: 'open' | 'closed';
  /** An "away"-like or "busy"-like activity or note. */
  activity?: 'away' | 'busy';
}

const AWAY = /\b(away|dnd|do[- ]not[- ]disturb|vacation|holiday|appointment|lunch|meal|sleeping|steppedout|be right back|brb|not available)\b/i;
const BUSY = /\b(busy|on-the-phone|on the phone|meeting|in a call|performance|presentation)\b/i;

/** PIDF (+RPID): undefined when the body is not PIDF. */
export function readPidf(xml: string): PidfState | undefined {
  const doc = parse(xml);
  const presence = doc?.presence as Node | undefined;
  if (!presence || typeof presence !== 'object') return undefined;
  const state: PidfState = {};
  for (const tuple of arr(presence.tuple)) {
    const basic = text((tuple.status as Node | undefined)?.basic).trim().toLowerCase();
    if (basic === 'open') state.basic = 'open';
    else if (basic === 'closed' && state.basic !== 'open') state.basic = 'closed';
  }
  const words: string[] = [];
  for (const person of arr(presence.person)) {
    const activities = person.activities;
    if (activities && typeof activities === 'object') words.push(...Object.keys(activities as Node).filter((k) => !k.startsWith('@')));
    for (const n of arr(person.note)) words.push(text(n));
  }
  for (const n of arr(presence.note)) words.push(text(n));
  for (const tuple of arr(presence.tuple)) for (const n of arr(tuple.note)) words.push(text(n));
  const all = words.join(' ');
  if (AWAY.test(all)) state.activity = 'away';
  else if (BUSY.test(all)) state.activity = 'busy';
  return state;
}

export interface DialogInfo {
  full: boolean;
  /** dialog id → whether that dialog keeps the phone busy */
  dialogs: Map<string, boolean>;
}

/** dialog-info: undefined when the body is not dialog-info. */
export function readDialogInfo(xml: string): DialogInfo | undefined {
  const doc = parse(xml);
  const info = doc?.['dialog-info'] as Node | undefined;
  if (!info || typeof info !== 'object') return undefined;
  const dialogs = new Map<string, boolean>();
  for (const d of arr(info.dialog)) {
    const id = String(d['@id'] ?? d['@call-id'] ?? dialogs.size);
    const state = text(d.state).trim().toLowerCase();
    const direction = String(d['@direction'] ?? '').toLowerCase();
    // In a call (confirmed) or dialling out; an incoming call that only rings does not make the phone busy.
    const busy = state === 'confirmed' || ((state === 'early' || state === 'proceeding' || state === 'trying') && direction !== 'recipient');
    dialogs.set(id, state === 'terminated' ? false : busy);
  }
  return { full: String(info['@state'] ?? 'full').toLowerCase() === 'full', dialogs };
}

/** reginfo: true when any registration of the address has an active contact; undefined when not reginfo. */
export function readRegInfo(xml: string): boolean | undefined {
  const doc = parse(xml);
  const info = doc?.reginfo as Node | undefined;
  if (!info || typeof info !== 'object') return undefined;
  for (const r of arr(info.registration)) {
    if (String(r['@state'] ?? '').toLowerCase() !== 'active') continue;
    const contacts = arr(r.contact);
    if (contacts.length === 0 || contacts.some((c) => String(c['@state'] ?? 'active').toLowerCase() === 'active')) return true;
  }
  return false;
}

/** What each event package last said about one address. */
export interface WatchFacts {
  registered?: boolean;
  pidf?: PidfState;
  busy?: boolean;
}

/** Spec 9: unregistered → offline; in any call → busy; away/DND → away; registered and idle → online. */
export function combinePresence(f: WatchFacts): PhonePresence {
  if (f.registered === false) return 'offline';
  if (f.busy) return 'busy';
  if (f.pidf?.basic === 'closed') return 'offline';
  if (f.pidf?.activity === 'away') return 'away';
  if (f.pidf?.activity === 'busy') return 'busy';
  if (f.pidf?.basic === 'open' || f.registered === true) return 'online';
  // Only dialog state known: the PBX told us about calls, so the phone exists and is idle.
  if (f.busy === false) return 'online';
  return 'offline';
}
