/** Small display helpers: durations, clock times, dates — in the user's language and time zone. */
import { language } from '../i18n.js';

/** 75_000 → "01:15"; an hour or more → "1:01:15". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mins = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const secs = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mins}:${secs}` : `${mins}:${secs}`;
}

export function clock(ts: number): string {
  return language.date(ts, { hour: '2-digit', minute: '2-digit' });
}

export function dateTime(ts: number): string {
  return language.date(ts, { dateStyle: 'medium', timeStyle: 'short' });
}
