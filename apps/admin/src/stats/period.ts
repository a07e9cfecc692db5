/** The period picker's arithmetic: local calendar dates, as the server reads bare dates (midnight in the time zone). */

export type Period = 'today' | '7d' | '30d' | 'custom';

/** yyyy-mm-dd of a local date. */
export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

/** from (inclusive) and to (exclusive) as dates, and the bucket that suits the period. */
export function periodRange(period: Period, custom: { from: string; to: string }, today = new Date()): { from: string; to: string; bucket: 'hour' | 'day' } {
  const tomorrow = isoDate(addDays(today, 1));
  switch (period) {
    case 'today':
      return { from: isoDate(today), to: tomorrow, bucket: 'hour' };
    case '7d':
      return { from: isoDate(addDays(today, -6)), to: tomorrow, bucket: 'day' };
    case '30d':
      return { from: isoDate(addDays(today, -29)), to: tomorrow, bucket: 'day' };
    case 'custom': {
      const [y, m, d] = custom.to.split('-').map(Number);
      const to = isoDate(new Date(y!, m! - 1, d! + 1));
      const days = (Date.parse(to) - Date.parse(custom.from)) / 86_400_000;
      return { from: custom.from, to, bucket: days <= 3 ? 'hour' : 'day' };
    }
  }
}

/** "1 min 5 s", "42 s", "—" */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
