/** Small display helpers: durations, clock times, dates — in the user's language and time zone. */
import { language } from '../i18n.js';

/** The call timer shared with the widget: 75_000 → "01:15"; an hour or more → "1:01:15". */
export { callTimer as duration } from '@cw/client-core';

export function clock(ts: number): string {
  return language.date(ts, { hour: '2-digit', minute: '2-digit' });
}

export function dateTime(ts: number): string {
  return language.date(ts, { dateStyle: 'medium', timeStyle: 'short' });
}
