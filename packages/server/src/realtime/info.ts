/** Builds the visitor's Session and Info messages from a widget and live availability (spec 2.1, 8). */
import { LANGS, type InfoMsg, type Lang, type SessionMsg } from '@cw/protocol';
import { matchLanguage } from '@cw/i18n';
import { widgetStrings } from '@cw/i18n/widget';
import type { WidgetRecord } from '../storage/types.js';
import type { ResolvedAgent } from '../presence/availability.js';
import type { Catalog } from '../domain/widget-directory-cache.js';
import { widgetHours } from '../schedules/schedule-view.js';

/** What spec 11 adds to a Session: opening hours and the offline form. */
export interface SessionExtras {
  open?: boolean;
  nextOpen?: number | null;
  offline?: { consentText: string };
}

/** The Session additions of a widget at `now`: its schedule's state, and the offline form when it takes messages. */
export async function sessionExtras(w: Pick<WidgetRecord, 'scheduleId' | 'offline'>, catalog: Catalog, now: number): Promise<SessionExtras> {
  const out: SessionExtras = {};
  if (w.scheduleId && catalog.schedule) {
    const hours = widgetHours(await catalog.schedule(w.scheduleId), now);
    if (hours) Object.assign(out, hours);
  }
  const offline = w.offline ?? { enabled: true, consentText: '', notify: [] };
  if (offline.enabled) out.offline = { consentText: offline.consentText };
  return out;
}

/** The visitor's wish (the element's lang attribute, else the browser's languages; pt-BR → pt), else the widget's default. */
export function sessionLang(widgetLang: string | undefined, visitorLang: string | undefined): Lang {
  const fallback = matchLanguage([widgetLang], LANGS, 'en');
  return matchLanguage([visitorLang], LANGS, fallback);
}

/** The Session for one visitor: language from the visitor's wish and the widget's default. */
export function buildSession(
  w: Pick<WidgetRecord, 'uuid' | 'name' | 'lang' | 'type' | 'appearance' | 'contact' | 'texts'>,
  visitorLang: string | undefined,
  token: string,
  extras: SessionExtras = {},
): SessionMsg {
  const lang = sessionLang(w.lang, visitorLang);
  return {
    mt: 'Session',
    name: w.name,
    lang,
    strings: { ...widgetStrings(lang) },
    type: w.type,
    appearance: w.appearance ?? {},
    contact: w.contact ?? {},
    session: token,
    uuid: w.uuid,
    texts: { title: w.texts?.title ?? '', greeting: w.texts?.greeting ?? '' },
    ...extras,
  };
}

/** Info for one agent entry: entry fields where set, else the directory user's (or group's). */
export function buildInfo(w: Pick<WidgetRecord, 'contact'>, r: ResolvedAgent, order: number): InfoMsg {
  const e = r.entry;
  const user = r.target.kind === 'user' ? r.target.user : undefined;
  const groupName = r.target.kind === 'group' ? r.target.group.name : undefined;
  const info: InfoMsg = {
    mt: 'Info',
    id: e.sipId,
    dn: e.displayName || user?.displayName || groupName || e.sipId,
    department: e.department || user?.department || '',
    phonenumber: e.phone || user?.phone || '',
    email: e.email || user?.email || '',
    company: w.contact ?? {},
    presence: r.visible,
    media: [...e.media],
    order,
  };
  if (e.link) info.link = e.link;
  if (e.address) info.address = e.address;
  return info;
}
