// The schedule engine (spec 11) with a fake clock: boundaries, daylight-saving changes on both sides,
// overlapping exceptions, and a plan edited while a timer runs.
import { describe, expect, it } from 'vitest';
import { localToInstant, nextOpening, scheduleState, type SchedulePlan } from '../src/schedules/schedule-engine.js';
import { FakeClock } from './realtime-fakes.js';

const BERLIN = 'Europe/Berlin';
/** A UTC instant from an ISO text. */
const at = (iso: string) => Date.parse(iso);

const office: SchedulePlan = {
  timeZone: BERLIN,
  week: { mon: [['08:00', '12:00'], ['13:00', '17:00']], tue: [['08:00', '17:00']], wed: [], thu: [], fri: [['08:00', '15:00']], sat: [], sun: [] },
  exceptions: [],
};

describe('schedule engine', () => {
  it('opens at a start and closes at an end (half-open), in the zone’s local time', () => {
    // Monday 2026-01-05, Berlin is UTC+1 in winter.
    expect(scheduleState(office, at('2026-01-05T06:59:59.999Z'))).toEqual({ open: false, nextChange: at('2026-01-05T07:00:00Z') });
    expect(scheduleState(office, at('2026-01-05T07:00:00Z'))).toEqual({ open: true, nextChange: at('2026-01-05T11:00:00Z') });
    expect(scheduleState(office, at('2026-01-05T11:00:00Z'))).toEqual({ open: false, nextChange: at('2026-01-05T12:00:00Z') });
    expect(scheduleState(office, at('2026-01-05T15:59:59Z'))).toEqual({ open: true, nextChange: at('2026-01-05T16:00:00Z') });
    // Friday 15:00 closes until Monday 08:00 ("We're back Monday at 8:00").
    expect(scheduleState(office, at('2026-01-09T14:00:00Z'))).toEqual({ open: false, nextChange: at('2026-01-12T07:00:00Z') });
    expect(nextOpening(office, at('2026-01-09T13:00:00Z'))).toBe(at('2026-01-12T07:00:00Z'));
    // Wednesday and Thursday are closed: from Tuesday's close to Friday's opening.
    expect(scheduleState(office, at('2026-01-06T16:00:00Z'))).toEqual({ open: false, nextChange: at('2026-01-09T07:00:00Z') });
  });

  it('handles the spring change (Berlin 2026-03-29, 02:00 → 03:00) on both sides', () => {
    const plan: SchedulePlan = { timeZone: BERLIN, week: { sat: [['08:00', '17:00']], sun: [['01:00', '05:00']], mon: [['08:00', '17:00']] }, exceptions: [] };
    // Saturday before: UTC+1.
    expect(scheduleState(plan, at('2026-03-28T06:00:00Z'))).toEqual({ open: false, nextChange: at('2026-03-28T07:00:00Z') });
    // Sunday 01:00 CET = 00:00 UTC; 05:00 CEST = 03:00 UTC: three real hours.
    expect(scheduleState(plan, at('2026-03-28T23:30:00Z'))).toEqual({ open: false, nextChange: at('2026-03-29T00:00:00Z') });
    expect(scheduleState(plan, at('2026-03-29T00:00:00Z'))).toEqual({ open: true, nextChange: at('2026-03-29T03:00:00Z') });
    // Monday after: UTC+2, so 08:00 is 06:00 UTC.
    expect(scheduleState(plan, at('2026-03-29T03:00:00Z'))).toEqual({ open: false, nextChange: at('2026-03-30T06:00:00Z') });
    // A time in the gap moves forward by the gap: 02:00 is read as 03:00 CEST.
    expect(localToInstant(BERLIN, Date.UTC(2026, 2, 29, 2, 0))).toBe(at('2026-03-29T01:00:00Z'));
    const gap: SchedulePlan = { timeZone: BERLIN, week: { sun: [['02:00', '04:00']] }, exceptions: [] };
    expect(scheduleState(gap, at('2026-03-28T23:00:00Z'))).toEqual({ open: false, nextChange: at('2026-03-29T01:00:00Z') });
    expect(scheduleState(gap, at('2026-03-29T01:00:00Z'))).toEqual({ open: true, nextChange: at('2026-03-29T02:00:00Z') });
  });

  it('handles the autumn change (Berlin 2026-10-25, 03:00 → 02:00) on both sides', () => {
    const plan: SchedulePlan = { timeZone: BERLIN, week: { sat: [['08:00', '17:00']], sun: [['02:30', '04:00']], mon: [['08:00', '17:00']] }, exceptions: [] };
    // Saturday: UTC+2.
    expect(scheduleState(plan, at('2026-10-24T05:00:00Z'))).toEqual({ open: false, nextChange: at('2026-10-24T06:00:00Z') });
    // 02:30 happens twice: the first (CEST, 00:30 UTC) opens; 04:00 CET is 03:00 UTC: two and a half real hours.
    expect(scheduleState(plan, at('2026-10-24T14:00:00Z'))).toEqual({ open: true, nextChange: at('2026-10-24T15:00:00Z') });
    expect(scheduleState(plan, at('2026-10-24T20:00:00Z'))).toEqual({ open: false, nextChange: at('2026-10-25T00:30:00Z') });
    expect(scheduleState(plan, at('2026-10-25T01:45:00Z'))).toEqual({ open: true, nextChange: at('2026-10-25T03:00:00Z') });
    // Monday: UTC+1.
    expect(scheduleState(plan, at('2026-10-25T03:00:00Z'))).toEqual({ open: false, nextChange: at('2026-10-26T07:00:00Z') });
  });

  it('other zones: New York’s change on another date', () => {
    const plan: SchedulePlan = { timeZone: 'America/New_York', week: { mon: [['09:00', '17:00']] }, exceptions: [] };
    // 2026-03-09 (Monday after the US change on 03-08): EDT, UTC-4.
    expect(scheduleState(plan, at('2026-03-09T12:00:00Z'))).toEqual({ open: false, nextChange: at('2026-03-09T13:00:00Z') });
    // 2026-03-02: EST, UTC-5.
    expect(scheduleState(plan, at('2026-03-02T12:00:00Z'))).toEqual({ open: false, nextChange: at('2026-03-02T14:00:00Z') });
  });

  it('exceptions replace the day; overlapping exceptions and intervals add up', () => {
    const plan: SchedulePlan = {
      ...office,
      exceptions: [
        { date: '2026-12-24', intervals: [], label: 'Christmas Eve' },
        { date: '2026-12-28', intervals: [], label: 'Closed' },
        { date: '2026-12-28', intervals: [['10:00', '11:00']], label: 'Emergency hour' },
        { date: '2026-12-29', intervals: [['09:00', '12:00'], ['11:00', '14:00'], ['14:00', '15:00']], label: 'Short day' },
        { date: '2026-12-27', intervals: [['10:00', '12:00']], label: 'Sunday opening' },
      ],
    };
    // Thursday the 24th would be closed anyway; Wednesday the 23rd too. Sunday the 27th opens 10–12 (UTC+1).
    expect(scheduleState(plan, at('2026-12-22T16:00:00Z'))).toEqual({ open: false, nextChange: at('2026-12-25T07:00:00Z') });
    expect(scheduleState(plan, at('2026-12-26T12:00:00Z'))).toEqual({ open: false, nextChange: at('2026-12-27T09:00:00Z') });
    // Monday the 28th: "closed" and "10–11" together: open 10–11 only.
    expect(scheduleState(plan, at('2026-12-27T11:00:00Z'))).toEqual({ open: false, nextChange: at('2026-12-28T09:00:00Z') });
    expect(scheduleState(plan, at('2026-12-28T09:30:00Z'))).toEqual({ open: true, nextChange: at('2026-12-28T10:00:00Z') });
    // Tuesday the 29th: 09–12, 11–14 and 14–15 are one opening 09–15.
    expect(scheduleState(plan, at('2026-12-29T08:00:00Z'))).toEqual({ open: true, nextChange: at('2026-12-29T14:00:00Z') });
  });

  it('"24:00" joins a day to the next; plans that never change say so', () => {
    const night: SchedulePlan = { timeZone: 'UTC', week: { mon: [['20:00', '24:00']], tue: [['00:00', '06:00']] }, exceptions: [] };
    expect(scheduleState(night, at('2026-01-05T21:00:00Z'))).toEqual({ open: true, nextChange: at('2026-01-06T06:00:00Z') });
    const always: SchedulePlan = { timeZone: BERLIN, week: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])), exceptions: [] };
    expect(scheduleState(always, at('2026-07-01T00:00:00Z'))).toEqual({ open: true, nextChange: null });
    expect(scheduleState({ timeZone: BERLIN, week: {}, exceptions: [] }, at('2026-07-01T00:00:00Z'))).toEqual({ open: false, nextChange: null });
    // An exception far ahead is still found.
    const later: SchedulePlan = { timeZone: 'UTC', week: {}, exceptions: [{ date: '2028-02-29', intervals: [['10:00', '11:00']] }] };
    expect(scheduleState(later, at('2026-07-01T00:00:00Z'))).toEqual({ open: false, nextChange: at('2028-02-29T10:00:00Z') });
  });

  it('a timer set to the next change with a fake clock flips exactly there, and follows an edited plan', () => {
    const clock = new FakeClock(at('2026-01-05T06:00:00Z'));
    let plan: SchedulePlan = office;
    const flips: { t: number; open: boolean }[] = [];
    let timer: { cancel(): void } | undefined;
    const arm = () => {
      timer?.cancel();
      const s = scheduleState(plan, clock.now());
      flips.push({ t: clock.now(), open: s.open });
      if (s.nextChange !== null) timer = clock.setTimeout(arm, s.nextChange - clock.now());
    };
    arm();
    clock.advance(6 * 3_600_000); // to 12:00 UTC (13:00 local)
    expect(flips.map((f) => [new Date(f.t).toISOString(), f.open])).toEqual([
      ['2026-01-05T06:00:00.000Z', false],
      ['2026-01-05T07:00:00.000Z', true],
      ['2026-01-05T11:00:00.000Z', false],
      ['2026-01-05T12:00:00.000Z', true],
    ]);
    // Edited while running: Monday afternoon now ends at 14:00 local; the pending 17:00 timer is replaced.
    plan = { ...office, week: { ...office.week, mon: [['08:00', '12:00'], ['13:00', '14:00']] } };
    arm();
    clock.advance(6 * 3_600_000);
    expect(flips.slice(4).map((f) => [new Date(f.t).toISOString(), f.open])).toEqual([
      ['2026-01-05T12:00:00.000Z', true],
      ['2026-01-05T13:00:00.000Z', false],
    ]);
    expect(clock.pending).toBe(1);
  });
});
