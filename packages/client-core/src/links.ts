/** Safe mailto:/tel: links from what people type (shared by the widget and the agent console). */

/** A tel: URL from a phone number as people write it, or null. `#` is encoded (it would start a fragment). */
export function telUrl(phone: string | undefined): string | null {
  const digits = (phone ?? '').replace(/[^+0-9*#]/g, '');
  return digits.length >= 2 ? `tel:${digits.replace(/#/g, '%23')}` : null;
}

/**
 * A mailto: URL for an address, or null. An address with `?`, `&` or `%`
 * gets no link at all, and the parts are percent-encoded: nothing in the
 * address can add a hidden `bcc`, `subject` or `body` (issue 11.9). A
 * subject and body, when given, are percent-encoded as a whole.
 */
export function mailUrl(email: string | undefined, fields: { subject?: string; body?: string } = {}): string | null {
  const e = (email ?? '').trim();
  const m = /^([^\s@<>"?&%]+)@([^\s@<>"?&%/#]+)$/.exec(e);
  if (!m) return null;
  const query = (['subject', 'body'] as const).filter((k) => fields[k]).map((k) => `${k}=${encodeURIComponent(fields[k]!)}`);
  return `mailto:${encodeURIComponent(m[1]!)}@${encodeURIComponent(m[2]!)}${query.length ? `?${query.join('&')}` : ''}`;
}
