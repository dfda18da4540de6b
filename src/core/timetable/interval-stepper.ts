/** Schedule arithmetic for fixed intervals (Airflow's DeltaDataIntervalTimetable). */
import { mod } from './time-zone.ts';
import type { IntervalStepper } from './types.ts';

/**
 * A stepper for a schedule that runs every `seconds`. Intervals are absolute durations, so they
 * ignore time zones; with catchup off they are aligned to multiples of the interval since the epoch.
 */
export function intervalStepper(seconds: number): IntervalStepper {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`A schedule interval must be a positive number of seconds, got ${String(seconds)}`);
  }
  const delta = seconds * 1000;
  return {
    next: (ms) => ms + delta,
    prev: (ms) => ms - delta,
    alignToNext: (ms) => ms,
    alignToPrev: (ms) => ms,
    skipToLatest(earliest, now) {
      const latestStart = now - mod(now, delta) - delta;
      return earliest === null ? latestStart : Math.max(latestStart, earliest);
    },
  };
}
