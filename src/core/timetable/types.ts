/** Shared types of the timetable: data intervals, run infos and time restrictions. */

/** The period of data a run processes: [start, end). Both ends are equal for exact runs. */
export interface DataInterval {
  start: Date;
  end: Date;
}

/** When a run may be created, the data it covers, and its logical date (the interval start). */
export interface DagRunInfo {
  runAfter: Date;
  dataInterval: DataInterval;
  logicalDate: Date;
}

/** Bounds on automated runs: the DAG's start date, its end date, and its catchup flag. */
export interface TimeRestriction {
  earliest: Date | null;
  latest: Date | null;
  catchup: boolean;
}

/** Inputs of nextDagRunInfo; `now` is the current time, always passed in. */
export interface NextDagRunArgs {
  lastAutomatedDataInterval: DataInterval | null;
  restriction: TimeRestriction;
  now: Date;
}

/**
 * The operations a periodic schedule (cron or fixed interval) provides, on epoch milliseconds.
 * They mirror the private helpers of Airflow's data-interval timetables.
 */
export interface IntervalStepper {
  /** The first schedule point strictly after `ms`. */
  next(ms: number): number;
  /** The last schedule point strictly before `ms`. */
  prev(ms: number): number;
  /** `ms` when it lies on the schedule, otherwise the next schedule point. */
  alignToNext(ms: number): number;
  /** `ms` when it lies on the schedule, otherwise the previous schedule point. */
  alignToPrev(ms: number): number;
  /**
   * With catchup off: the start of the latest complete interval before `now`, but not before
   * `earliest`. Null when no consistent answer exists (Airflow then schedules nothing).
   */
  skipToLatest(earliest: number | null, now: number): number | null;
}

/** A run covering [start, end), due at `end`. */
export function intervalRunInfo(start: Date, end: Date): DagRunInfo {
  return { runAfter: end, dataInterval: { start, end }, logicalDate: start };
}

/** A run with an empty interval at `at`, due at `at`. */
export function exactRunInfo(at: Date): DagRunInfo {
  return { runAfter: at, dataInterval: { start: at, end: at }, logicalDate: at };
}
