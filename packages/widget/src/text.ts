/** UI texts: the server's `Session.strings`, English built-in as fallback. */
// The subpath, not the package index: only this file of the protocol package goes into the bundle.
import { EN_STRINGS, type StringKey } from '@cw/protocol/strings';

export type T = (key: StringKey, name?: string) => string;

/** Builds the text lookup for one `Session.strings` table. */
export function makeT(strings: Record<string, string> | undefined): T {
  return (key, name) => {
    const s = strings?.[key] || EN_STRINGS[key] || key;
    return name === undefined ? s : s.split('{name}').join(name);
  };
}

/** `hh:mm` in the visitor's locale. */
export function clock(ts: number): string {
  return new Date(ts).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** `m:secs` / `h:mm:secs` for a call timer. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const secs = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${secs}` : `${m}:${secs}`;
}

/** Only http(s) links are rendered (never javascript: or data:). */
export function safeHttpUrl(u: string | undefined): string | null {
  if (!u) return null;
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A tel: URL from a phone number as people write it, or null. `#` is encoded (it would start a fragment). */
export function telUrl(phone: string | undefined): string | null {
  const digits = (phone ?? '').replace(/[^+0-9*#]/g, '');
  return digits.length >= 2 ? `tel:${digits.replace(/#/g, '%23')}` : null;
}

/**
 * A mailto: URL for an address, or null. An address with `?`, `&` or `%`
 * gets no link at all, and the parts are percent-encoded: nothing in the
 * address can add a hidden `bcc`, `subject` or `body` (issue 11.9).
 */
export function mailUrl(email: string | undefined): string | null {
  const e = (email ?? '').trim();
  const m = /^([^\s@<>"?&%]+)@([^\s@<>"?&%/#]+)$/.exec(e);
  return m ? `mailto:${encodeURIComponent(m[1]!)}@${encodeURIComponent(m[2]!)}` : null;
}
