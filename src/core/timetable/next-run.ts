/**
 * When the next automated run of a DAG is due and which data it covers, and the data interval
 * of manual and legacy runs. Mirrors Apache Airflow 2.10's timetables (interval.py, simple.py,
 * DAG.infer_automated_data_interval) with the default `catchup_false_no_dagrun_airflow_2_fix`.
 */
import type { ScheduleSpec } from '../serialized-dag.ts';
import { cronStepper } from './cron-stepper.ts';
import { intervalStepper } from './interval-stepper.ts';
import { exactRunInfo, intervalRunInfo } from './types.ts';
import type { DagRunInfo, DataInterval, IntervalStepper, NextDagRunArgs } from './types.ts';

const STEPPER_CACHE_LIMIT = 512;
const stepperCache = new Map<string, IntervalStepper>();

/**
 * The stepper of a cron or interval schedule (cron in `timezone`), or null for schedules
 * without periodic data intervals (none, once, continuous, dataset).
 */
export function stepperFor(spec: ScheduleSpec, timezone: string): IntervalStepper | null {
  if (spec.kind !== 'cron' && spec.kind !== 'interval') return null;
  const key = spec.kind === 'cron' ? `cron|${timezone}|${spec.expression}` : `interval|${spec.seconds}`;
  let stepper = stepperCache.get(key);
  if (stepper === undefined) {
    stepper = spec.kind === 'cron' ? cronStepper(spec.expression, timezone) : intervalStepper(spec.seconds);
    if (stepperCache.size >= STEPPER_CACHE_LIMIT) stepperCache.delete(stepperCache.keys().next().value!);
    stepperCache.set(key, stepper);
  }
  return stepper;
}

/**
 * The next automated run after `lastAutomatedDataInterval` (null before the first one), or null
 * when none is due ever: no time-based schedule, past the end date, no start date, or @once done.
 * With catchup off, cron and interval schedules skip to the latest complete interval before `now`.
 */
export function nextDagRunInfo(spec: ScheduleSpec, timezone: string, args: NextDagRunArgs): DagRunInfo | null {
  const { lastAutomatedDataInterval: last, restriction, now } = args;
  const latest = restriction.latest?.getTime() ?? null;
  switch (spec.kind) {
    case 'none':
    case 'dataset':
      return null;
    case 'once': {
      // Always at the start date, whatever catchup says.
      if (last !== null || restriction.earliest === null) return null;
      if (latest !== null && restriction.earliest.getTime() > latest) return null;
      return exactRunInfo(restriction.earliest);
    }
    case 'continuous': {
      if (restriction.earliest === null) return null;
      const start = last !== null ? last.end : restriction.earliest;
      const end = last !== null ? now : new Date(Math.max(restriction.earliest.getTime(), now.getTime()));
      if (latest !== null && end.getTime() > latest) return null;
      return intervalRunInfo(start, end);
    }
    case 'cron':
    case 'interval':
      return nextPeriodicRun(stepperFor(spec, timezone)!, args);
  }
}

function nextPeriodicRun(stepper: IntervalStepper, args: NextDagRunArgs): DagRunInfo | null {
  const { lastAutomatedDataInterval: last, restriction, now } = args;
  let earliest = restriction.earliest?.getTime() ?? null;
  if (!restriction.catchup) {
    earliest = stepper.skipToLatest(earliest, now.getTime());
    if (earliest === null) return null;
  } else if (earliest !== null) {
    earliest = stepper.alignToNext(earliest);
  }
  let start: number;
  if (last === null) {
    if (earliest === null) return null;
    start = earliest;
  } else {
    // Re-aligning the previous end copes with a schedule that changed since that run.
    const alignedEnd = stepper.alignToPrev(last.end.getTime());
    start = earliest === null ? alignedEnd : Math.max(alignedEnd, earliest);
  }
  if (restriction.latest !== null && start > restriction.latest.getTime()) return null;
  return intervalRunInfo(new Date(start), new Date(stepper.next(start)));
}

/**
 * The data interval of a run triggered by hand at `runAfter`: for cron, the last complete
 * interval ending at or before `runAfter`; for an interval, [runAfter - interval, runAfter];
 * otherwise the empty interval [runAfter, runAfter].
 */
export function inferManualDataInterval(spec: ScheduleSpec, timezone: string, runAfter: Date): DataInterval {
  const stepper = stepperFor(spec, timezone);
  if (stepper === null) return { start: runAfter, end: runAfter };
  if (spec.kind === 'interval') return { start: new Date(stepper.prev(runAfter.getTime())), end: runAfter };
  const end = stepper.alignToPrev(runAfter.getTime());
  return { start: new Date(stepper.prev(end)), end: new Date(end) };
}

/**
 * The data interval of an automated run known only by its logical date (Airflow's
 * infer_automated_data_interval): [logicalDate, next schedule point) for cron and interval
 * schedules, and the empty interval for none, once and dataset schedules.
 * @throws Error for continuous schedules, whose intervals cannot be inferred.
 */
export function inferAutomatedDataInterval(spec: ScheduleSpec, timezone: string, logicalDate: Date): DataInterval {
  const stepper = stepperFor(spec, timezone);
  if (stepper !== null) return { start: logicalDate, end: new Date(stepper.next(logicalDate.getTime())) };
  if (spec.kind === 'continuous') {
    throw new Error('The data interval of a continuous run cannot be inferred from its logical date; store it when the run is created');
  }
  return { start: logicalDate, end: logicalDate };
}
