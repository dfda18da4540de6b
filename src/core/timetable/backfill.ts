/** The runs a backfill creates over a date range (Airflow's DAG.iter_dagrun_infos_between). */
import type { ScheduleSpec } from '../serialized-dag.ts';
import { describeSchedule } from './schedule.ts';
import { nextDagRunInfo } from './next-run.ts';
import type { DagRunInfo, TimeRestriction } from './types.ts';

/**
 * Every run whose logical date lies in [start, end] (both inclusive), in order. Cron schedules
 * begin at the first schedule point at or after `start`; @once yields a single run at `start`.
 * @throws Error for schedules without time-based intervals (none, dataset, continuous).
 */
export function dataIntervalsBetween(spec: ScheduleSpec, timezone: string, start: Date, end: Date): DagRunInfo[] {
  if (spec.kind === 'none' || spec.kind === 'dataset' || spec.kind === 'continuous') {
    throw new Error(
      `Backfill needs a time-based schedule (a cron expression, a preset such as "@daily", an interval or "@once"); ` +
        `this DAG's schedule is ${describeSchedule(spec)}. Trigger runs one by one instead.`,
    );
  }
  const restriction: TimeRestriction = { earliest: start, latest: end, catchup: true };
  const runs: DagRunInfo[] = [];
  // `now` only matters with catchup off or for continuous schedules, neither of which applies.
  let info = nextDagRunInfo(spec, timezone, { lastAutomatedDataInterval: null, restriction, now: end });
  while (info !== null) {
    const previous = runs.at(-1);
    if (previous !== undefined && info.logicalDate.getTime() <= previous.logicalDate.getTime()) {
      throw new Error(`Schedule ${describeSchedule(spec)} did not advance past ${previous.logicalDate.toISOString()}`);
    }
    runs.push(info);
    info = nextDagRunInfo(spec, timezone, { lastAutomatedDataInterval: info.dataInterval, restriction, now: end });
  }
  return runs;
}
