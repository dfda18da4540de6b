/**
 * The serialized DAG: plain JSON describing a DAG's structure and policies, with no functions.
 * The DAG processor produces it from user code; the scheduler, the API and `dags test` read it.
 * Durations are in seconds; dates are ISO-8601 strings in UTC.
 */
import type { TriggerRule, WeightRule } from './trigger-rule.ts';

export const SERIALIZED_DAG_FORMAT = 1;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A dataset condition: one URI, one asset alias (by name: it holds when any asset the alias has
 * resolved to has new events), or all/any of nested conditions (Airflow's `&` / `|`).
 */
export type DatasetCondition = { uri: string } | { alias: string } | { all: DatasetCondition[] } | { any: DatasetCondition[] };

export type ScheduleSpec =
  | { kind: 'none' }
  | { kind: 'once' }
  | { kind: 'continuous' }
  /** `expression` is a 5-field cron; `preset` keeps the preset the author wrote (e.g. "@daily"). */
  | { kind: 'cron'; expression: string; preset?: string }
  | { kind: 'interval'; seconds: number }
  | { kind: 'dataset'; condition: DatasetCondition };

/** A DAG param: a default and a JSON-schema-like description checked against a run's conf. */
export interface ParamSpec {
  default?: Json;
  type?: ParamType | ParamType[];
  description?: string;
  enum?: Json[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  items?: Record<string, Json>;
  properties?: Record<string, Json>;
  required?: string[];
  title?: string;
}
export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null';

/** Where the values of one expanded argument of a mapped task come from. */
export type MapSource =
  | { kind: 'literal'; length: number }
  /** A list produced at run time by an upstream task (its XCom `xcomKey`). */
  | { kind: 'xcom'; taskId: string; xcomKey: string };

export interface MappedSpec {
  /** `expand`: the cross product of every key; `expandKwargs`: one list of argument objects. */
  mode: 'expand' | 'expandKwargs';
  /** For `expand`, one entry per expanded argument name; for `expandKwargs`, one entry with key "". */
  sources: Array<{ key: string; source: MapSource }>;
  /** Refuse to expand past this many copies (Airflow's max_map_length, default 1024). */
  maxMapLength: number;
}

export interface TaskCallbacksPresent {
  onExecute: boolean;
  onSuccess: boolean;
  onFailure: boolean;
  onRetry: boolean;
  onSkipped: boolean;
}

/** What an ExternalTaskMarker points at; the strings are templates, rendered when clearing. */
export interface MarkerSpec {
  externalDagId: string;
  externalTaskId: string;
  /** Logical date of the external run (a template; by default the marker run's logical date). */
  logicalDate: string;
  /** How many markers a recursive clear may follow in a chain starting at this one. */
  recursionDepth: number;
}

export interface SerializedTask {
  taskId: string;
  /** Operator class name, e.g. "BashOperator"; TaskFlow tasks say "@task". */
  operator: string;
  upstream: string[];
  downstream: string[];
  triggerRule: TriggerRule;
  retries: number;
  retryDelay: number;
  retryExponentialBackoff: boolean;
  maxRetryDelay: number | null;
  executionTimeout: number | null;
  pool: string;
  poolSlots: number;
  priorityWeight: number;
  weightRule: WeightRule;
  queue: string;
  owner: string;
  doc: string | null;
  /** Per-task concurrency across all runs of the DAG (Airflow's max_active_tis_per_dag). */
  maxActiveTisPerDag: number | null;
  groupId: string | null;
  mapped: MappedSpec | null;
  /** Dataset URIs this task updates on success. */
  outlets: string[];
  /**
   * Names of the asset aliases among the task's outlets: at run time the task adds events
   * through them (`ctx.outletEvents`). Absent when there are none.
   */
  outletAliases?: string[];
  inlets: string[];
  templateFields: string[];
  callbacks: TaskCallbacksPresent;
  /** Sensors and deferrable operators report how they wait; null for other tasks. */
  sensor: { mode: 'poke' | 'reschedule'; pokeInterval: number; timeout: number; softFail: boolean; exponentialBackoff: boolean; deferrable: boolean } | null;
  /** Display-only values of operator fields (e.g. the bash command), as written. */
  fields: Record<string, Json>;
  ui: { color: string };
  /** Set on ExternalTaskMarker tasks only. */
  externalTaskMarker?: MarkerSpec;
}

export interface SerializedTaskGroup {
  groupId: string;
  parentGroupId: string | null;
  tooltip: string | null;
  /** Direct children: task ids and group ids. */
  children: string[];
}

export interface SerializedDag {
  format: typeof SERIALIZED_DAG_FORMAT;
  dagId: string;
  /** Absolute path of the file that defines the DAG. */
  fileloc: string;
  description: string | null;
  docMd: string | null;
  schedule: ScheduleSpec;
  /** IANA time zone used for cron schedules and for `startDate` strings without an offset. */
  timezone: string;
  startDate: string | null;
  endDate: string | null;
  catchup: boolean;
  tags: string[];
  owners: string[];
  params: Record<string, ParamSpec>;
  maxActiveRuns: number;
  maxActiveTasks: number;
  /** Fail a run that has been running longer than this many seconds. */
  dagrunTimeout: number | null;
  isPausedUponCreation: boolean | null;
  /** Tasks in a topological order (every task after all of its upstream tasks). */
  tasks: SerializedTask[];
  taskGroups: SerializedTaskGroup[];
}
