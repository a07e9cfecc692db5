/**
 * Time-zone arithmetic for statistics, without a library: the offset of an
 * IANA zone at an instant comes from Intl, and a period is cut into
 * segments of constant offset (split at daylight-saving changes). SQL then
 * buckets each row with the offset of its segment, which works the same on
 * SQLite (no time-zone support at all) and PostgreSQL.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A stretch of time with one UTC offset: [from, to), offset in ms (local = utc + offset). */
export interface OffsetSegment {
  from: number;
  to: number;
  offsetMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when `tz` is an IANA zone name this runtime knows (e.g. "Europe/Berlin", "UTC"). */
export function isTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset at instant `t` in ms (Europe/Berlin in summer: +7,200,000). */
export function offsetAt(tz: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  // Intl has second precision; the instant's milliseconds are not part of the offset.
  return local - (t - (((t % 1000) + 1000) % 1000));
}

/**
 * Cuts [from, to) into segments of constant offset. The zone is sampled
 * every 6 hours (no zone changes its offset twice within that) and each
 * change is found to the minute by bisection.
 */
export function offsetSegments(tz: string, from: number, to: number): OffsetSegment[] {
  const out: OffsetSegment[] = [];
  let start = from;
  let off = offsetAt(tz, from);
  const STEP = 6 * HOUR;
  for (let t = from; t < to; ) {
    const next = Math.min(t + STEP, to);
    const o = next < to ? offsetAt(tz, next) : offsetAt(tz, to - 1);
    if (o !== off) {
      // The change lies in (t, next]: bisect to the first instant with the new offset.
      let lo = t;
      let hi = next;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 2 / 60_000) * 60_000 || lo + 60_000;
        if (offsetAt(tz, mid) === off) lo = mid;
        else hi = mid;
      }
      out.push({ from: start, to: hi, offsetMs: off });
      start = hi;
      off = offsetAt(tz, hi);
    }
    t = next;
  }
  out.push({ from: start, to, offsetMs: off });
  return out;
}

/** "2026-03-29T03:00:00+02:00": the instant in the zone's local time with its offset. */
export function isoInZone(t: number, offsetMs: number): string {
  const local = new Date(t + offsetMs).toISOString().slice(0, 19);
  if (offsetMs === 0) return `${local}Z`;
  const sign = offsetMs < 0 ? '-' : '+';
  const m = Math.abs(offsetMs) / 60_000;
  return `${local}${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

export type BucketSize = 'hour' | 'day';

/** One bucket of the answer: its first instant and its key as the SQL computes it. */
export interface Bucket {
  start: number;
  /** offset at `start`, for the ISO text */
  offsetMs: number;
  key: string;
}

/**
 * Local hour number of instant t with offset o: floor((t + o) / 1 h). Rows
 * are grouped by (segment, local hour); a day is 24 local hours. Within one
 * segment local hours are real hours, so the repeated hour of a change back
 * to standard time is two buckets (two segments), and the skipped hour of a
 * change to summer time is none.
 */
export function localHour(t: number, offsetMs: number): number {
  return Math.floor((t + offsetMs) / HOUR);
}

/** The key a (segment, local hour) row falls into for `size`. */
export function bucketKey(size: BucketSize, seg: number, lh: number): string {
  return size === 'hour' ? `${seg}:${lh}` : `${Math.floor(lh / 24)}`;
}

/**
 * Every bucket of [from, to) in order, including empty ones, DST-correct:
 * days start at local midnight (23 or 25 hours long across a change), hours
 * are real hours labelled in local time. The first and last bucket may be
 * partial when from/to are not on a boundary.
 */
export function bucketsOf(size: BucketSize, segments: OffsetSegment[]): Bucket[] {
  const out: Bucket[] = [];
  const seen = new Set<string>();
  segments.forEach((s, seg) => {
    const first = localHour(s.from, s.offsetMs);
    const last = localHour(s.to - 1, s.offsetMs);
    for (let lh = first; lh <= last; lh++) {
      const key = bucketKey(size, seg, lh);
      if (seen.has(key)) continue;
      seen.add(key);
      const boundary = size === 'hour' ? lh * HOUR - s.offsetMs : Math.floor(lh / 24) * DAY - s.offsetMs;
      // A day that began before this segment (a DST change mid-day) was already listed by the previous one.
      const start = Math.max(s.from, boundary);
      out.push({ start, offsetMs: offsetAtSegments(segments, start), key });
      if (size === 'day') lh = (Math.floor(lh / 24) + 1) * 24 - 1;
    }
  });
  return out;
}

function offsetAtSegments(segments: OffsetSegment[], t: number): number {
  for (const s of segments) if (t >= s.from && t < s.to) return s.offsetMs;
  return segments[segments.length - 1]!.offsetMs;
}
