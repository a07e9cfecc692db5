/** From stored schedules to what the API and the visitor's Session show (spec 11). */
import type { Schedule } from '@cw/protocol';
import type { ScheduleRecord } from '../storage/types.js';
import { nextOpening, scheduleState, type SchedulePlan } from './schedule-engine.js';

export function planOf(r: Pick<ScheduleRecord, 'timeZone' | 'week' | 'exceptions'>): SchedulePlan {
  return { timeZone: r.timeZone, week: r.week, exceptions: r.exceptions };
}

/** The schedule as the API shows it, with `open` and `nextChange` at `now`. */
export function scheduleView(r: ScheduleRecord, now: number): Schedule {
  const s = scheduleState(planOf(r), now);
  return { id: r.id, name: r.name, timeZone: r.timeZone, week: r.week, exceptions: r.exceptions, open: s.open, nextChange: s.nextChange };
}

/** What a widget with this schedule tells its visitors: open now, and when it opens next while closed. */
export function widgetHours(r: ScheduleRecord | undefined, now: number): { open: boolean; nextOpen: number | null } | undefined {
  if (!r) return undefined;
  const plan = planOf(r);
  const s = scheduleState(plan, now);
  return { open: s.open, nextOpen: s.open ? null : s.nextChange ?? nextOpening(plan, now) };
}
