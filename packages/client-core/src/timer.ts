/**
 * The one call-timer format of the widget and the agent console (issue 15):
 * `mm:ss` under an hour, `h:mm:ss` from an hour on. 75 000 ms → "01:15",
 * 3 675 000 ms → "1:01:15".
 */
export function callTimer(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mins = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const secs = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mins}:${secs}` : `${mins}:${secs}`;
}
