/** Tables describing DAGs, their runs, task instances and what tasks exchange. */
import type { ColumnType } from 'kysely';
import type { DagRunState, DagRunType, TaskInstanceState } from '../../core/states.ts';
import type { AutoId, FlagWithDefault, IsoTimestamp, JsonText } from './column-types.ts';

/** One row per DAG the processor has seen, with what the scheduler needs to plan its next run. */
export interface DagTable {
  dag_id: string;
  is_paused: FlagWithDefault;
  is_active: FlagWithDefault;
  fileloc: string;
  description: string | null;
  /** JSON array of owner names. */
  owners: ColumnType<JsonText, JsonText | undefined, JsonText>;
  /** JSON array of tags. */
  tags: ColumnType<JsonText, JsonText | undefined, JsonText>;
  schedule_summary: string | null;
  /** JSON `ScheduleSpec`. */
  timetable: JsonText;
  max_active_runs: number;
  max_active_tasks: number;
  has_import_errors: FlagWithDefault;
  last_parsed_at: IsoTimestamp | null;
  last_expired: IsoTimestamp | null;
  /** Logical date of the next run the scheduler will create. */
  next_dagrun: IsoTimestamp | null;
  next_dagrun_data_interval_start: IsoTimestamp | null;
  next_dagrun_data_interval_end: IsoTimestamp | null;
  next_dagrun_create_after: IsoTimestamp | null;
}

/** The latest serialized form of each DAG (JSON `SerializedDag`) and its hash. */
export interface SerializedDagTable {
  dag_id: string;
  /** JSON `SerializedDag`. */
  data: JsonText;
  dag_hash: string;
  fileloc: string;
  last_updated: IsoTimestamp;
}

/** One run of a DAG. `(dag_id, run_id)` and `(dag_id, logical_date)` are each unique. */
export interface DagRunTable {
  id: AutoId;
  dag_id: string;
  run_id: string;
  run_type: DagRunType;
  logical_date: IsoTimestamp;
  data_interval_start: IsoTimestamp | null;
  data_interval_end: IsoTimestamp | null;
  /** JSON object. */
  conf: ColumnType<JsonText, JsonText | undefined, JsonText>;
  state: DagRunState;
  queued_at: IsoTimestamp | null;
  start_date: IsoTimestamp | null;
  end_date: IsoTimestamp | null;
  last_scheduling_decision: IsoTimestamp | null;
  external_trigger: FlagWithDefault;
  note: string | null;
  creating_job_id: number | null;
  updated_at: IsoTimestamp;
  /**
   * Incremented by every change to this run's task instances made outside a scheduling pass
   * (and by each pass that changed them): a scheduler's in-memory picture of the run is current
   * while this is the version it last saw.
   */
  ti_version: ColumnType<number, number | undefined, number>;
  /** The DAG version the run was created from (null for runs made before versions were kept). */
  dag_version_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** The backfill that made the run, if any. */
  backfill_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** 0 for a manual run triggered without a logical date (`logical_date` then holds when it was triggered). */
  has_logical_date: FlagWithDefault;
  /** Who triggered the run through the API (null for runs the scheduler made). */
  triggering_user_name: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One task in one run (one copy per map index). Change `state` only through `cas.ts`. */
export interface TaskInstanceTable {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  state: ColumnType<TaskInstanceState, TaskInstanceState | undefined, TaskInstanceState>;
  try_number: ColumnType<number, number | undefined, number>;
  max_tries: ColumnType<number, number | undefined, number>;
  pool: string;
  pool_slots: ColumnType<number, number | undefined, number>;
  queue: string;
  priority_weight: ColumnType<number, number | undefined, number>;
  operator: string | null;
  queued_at: IsoTimestamp | null;
  start_date: IsoTimestamp | null;
  end_date: IsoTimestamp | null;
  /** Seconds. */
  duration: number | null;
  hostname: string | null;
  pid: number | null;
  executor: string | null;
  external_executor_id: string | null;
  /** When an `up_for_retry` or `up_for_reschedule` TI may be scheduled again. */
  next_try_at: IsoTimestamp | null;
  trigger_id: number | null;
  next_method: string | null;
  /** JSON object passed to `next_method` when a deferred TI resumes. */
  next_kwargs: JsonText | null;
  /** JSON object of rendered template fields. */
  rendered_fields: JsonText | null;
  note: string | null;
  last_heartbeat_at: IsoTimestamp | null;
  queued_by_job_id: number | null;
  updated_at: IsoTimestamp;
}

/** One row per finished try of a task instance, kept when it is retried or cleared. */
export interface TaskInstanceHistoryTable {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  try_number: number;
  state: TaskInstanceState;
  start_date: IsoTimestamp | null;
  end_date: IsoTimestamp | null;
  duration: number | null;
  hostname: string | null;
  pid: number | null;
  executor: string | null;
  operator: string | null;
}

/** How many copies a mapped downstream gets from this task instance's output. */
export interface TaskMapTable {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  length: number;
  /** JSON array of keys when the mapped value was an object; null for a list. */
  keys: JsonText | null;
}

/** One row per reschedule of a sensor in `reschedule` mode. */
export interface TaskRescheduleTable {
  id: AutoId;
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  try_number: number;
  start_date: IsoTimestamp;
  end_date: IsoTimestamp;
  reschedule_date: IsoTimestamp;
}

/** Values tasks pass to each other, one per task instance and key. */
export interface XcomTable {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  key: string;
  /** JSON value; null when the value lives in the file store (`value_ref`). */
  value: JsonText | null;
  /** Path in the file store for large values. */
  value_ref: string | null;
  size_bytes: number;
  /** Length of the value when it is a list (mapped tasks expand over it); null otherwise. */
  list_length: number | null;
  timestamp: IsoTimestamp;
}
