/**
 * Schedule arithmetic for cron expressions in a time zone (Airflow's CronMixin and
 * CronDataIntervalTimetable), including its handling of daylight-saving changes.
 */
import type { Cron } from 'croner';
import { compileCron, coversEveryHour } from './cron-expression.ts';
import { assertTimeZone, fromWallTime, toWallTime } from './time-zone.ts';
import type { IntervalStepper } from './types.ts';

/**
 * A stepper for `expression` evaluated in `timezone`. Matches are found on the wall clock; a
 * wall time is then placed in the zone with Airflow's rules (second occurrence of a repeated
 * time, skipped times moved forward). Expressions that run every hour instead move by the
 * wall-clock distance in absolute time, so no hour is skipped or repeated.
 */
export function cronStepper(expression: string, timezone: string): IntervalStepper {
  assertTimeZone(timezone);
  const cron = compileCron(expression);
  const everyHour = coversEveryHour(expression);

  const next = (ms: number): number => {
    const wall = toWallTime(ms, timezone);
    const scheduled = wallNext(cron, expression, wall);
    return everyHour ? ms + (scheduled - wall) : fromWallTime(scheduled, timezone);
  };
  const prev = (ms: number): number => {
    const wall = toWallTime(ms, timezone);
    const scheduled = wallPrev(cron, expression, wall);
    return everyHour ? ms - (wall - scheduled) : fromWallTime(scheduled, timezone);
  };
  const alignToNext = (ms: number): number => {
    const n = next(ms);
    return prev(n) !== ms ? n : ms;
  };
  const alignToPrev = (ms: number): number => {
    const p = prev(ms);
    return next(p) !== ms ? p : ms;
  };
  const skipToLatest = (earliest: number | null, now: number): number | null => {
    const lastStart = prev(now);
    const nextStart = next(lastStart);
    let start: number;
    if (nextStart === now) start = lastStart; // now lies on a boundary
    else if (nextStart > now) start = prev(lastStart); // now lies inside an interval
    else return null;
    return earliest === null ? start : Math.max(start, alignToNext(earliest));
  };
  return { next, prev, alignToNext, alignToPrev, skipToLatest };
}

function wallNext(cron: Cron, expression: string, wall: number): number {
  const match = cron.nextRun(new Date(wall));
  if (match === null) throw noMatch(expression, 'after', wall);
  return match.getTime();
}

function wallPrev(cron: Cron, expression: string, wall: number): number {
  const match = cron.previousRuns(1, new Date(wall))[0];
  if (match === undefined) throw noMatch(expression, 'before', wall);
  return match.getTime();
}

function noMatch(expression: string, where: 'after' | 'before', wall: number): Error {
  const at = new Date(wall).toISOString().slice(0, 19);
  return new Error(`Cron expression ${JSON.stringify(expression)} has no match ${where} ${at} (local time)`);
}
