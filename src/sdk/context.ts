/** What a running task sees: Airflow's template context, typed. */
import type { DagRunType } from '../core/states.ts';
import type { Json } from '../core/serialized-dag.ts';
import type { TaskMl } from '../providers/ml/tracking/types.ts';
import type { AssetAlias, Dataset } from './dataset.ts';

export interface XComPullOptions {
  /** One task id (the value is returned) or a list (a list of values is returned). Default: none. */
  taskIds?: string | string[];
  /** Default `return_value`. */
  key?: string;
  /** Restrict to these map indexes of a mapped task. */
  mapIndexes?: number | number[];
  /** Returned when nothing is found (default `null`). */
  default?: unknown;
}

export interface TaskLogger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

export interface TaskInstanceHandle {
  readonly dagId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly mapIndex: number;
  /** 1 on the first attempt. */
  readonly tryNumber: number;
  /** How many tries beyond the first are allowed (the task's retries). */
  readonly maxTries: number;
  xcomPush(key: string, value: unknown): Promise<void>;
  xcomPull<T = unknown>(options?: XComPullOptions): Promise<T>;
}

export interface DagRunInfoView {
  readonly runId: string;
  readonly runType: DagRunType;
  readonly logicalDate: Date;
  readonly dataIntervalStart: Date;
  readonly dataIntervalEnd: Date;
  readonly conf: Record<string, unknown>;
  readonly externalTrigger: boolean;
}

export interface ConnectionView {
  connId: string;
  connType: string;
  host: string | null;
  login: string | null;
  password: string | null;
  schema: string | null;
  port: number | null;
  extra: Record<string, unknown>;
}

/** What `extra` an asset event may carry: a JSON object. */
export type AssetEventExtra = Record<string, Json>;

/** Adds asset events through one asset alias of the running task (Airflow's `outlet_events[alias]`). */
export interface AssetAliasEventAccessor {
  readonly alias: AssetAlias;
  /**
   * Records, when the try succeeds, an event for `asset` added through this alias (with `extra`),
   * and resolves the alias to the asset. Events for the same asset and extra added through
   * several aliases are one event linked to each of them.
   */
  add(asset: Dataset, options?: { extra?: AssetEventExtra }): void;
}

/** The running task's outlet events (Airflow's `outlet_events`). */
export interface OutletEventAccessors {
  /** The accessor of one asset alias; the alias must be among the task's outlets. */
  get(alias: AssetAlias): AssetAliasEventAccessor;
}

export interface TaskContext {
  readonly dag: { readonly dagId: string; readonly tags: readonly string[] };
  readonly task: { readonly taskId: string; readonly operator: string };
  readonly ti: TaskInstanceHandle;
  readonly dagRun: DagRunInfoView;
  readonly runId: string;
  readonly runType: DagRunType;
  readonly logicalDate: Date;
  readonly dataIntervalStart: Date;
  readonly dataIntervalEnd: Date;
  /** Logical date as YYYY-MM-DD. */
  readonly ds: string;
  readonly dsNodash: string;
  /** Logical date as ISO-8601 with offset, e.g. 2024-01-01T00:00:00+00:00. */
  readonly ts: string;
  readonly params: Record<string, Json>;
  readonly conf: Record<string, unknown>;
  readonly log: TaskLogger;
  /** Aborted when the execution timeout elapses or the task is being stopped. */
  readonly signal: AbortSignal;
  /** Renders a Jinja template with this task's context. */
  render(template: string): string;
  /** Variables and connections from the metadata database. */
  readonly variables: { get(key: string): Promise<string | undefined>; getJson<T = unknown>(key: string): Promise<T | undefined> };
  readonly connections: { get(connId: string): Promise<ConnectionView | undefined> };
  /** Filled by the sensor machinery when a deferred task resumes: the trigger's event payload. */
  readonly triggerEvent?: unknown;
  /**
   * When the sensor began waiting: for a sensor in reschedule mode, the start of its first try
   * (its timeout counts from there); otherwise the start of this try.
   */
  readonly sensorStartedAt: Date;
  /**
   * The state of another DAG's task instance (or of its DAG run when `taskId` is null) at a
   * logical date, or null when there is none. Used by ExternalTaskSensor.
   */
  externalState(query: ExternalStateQuery): Promise<string | null>;
  /**
   * Experiment tracking and the model registry: params, metrics and artifacts logged here are
   * tied to this task instance and try; models are registered, fetched, promoted and rolled back.
   */
  readonly ml: TaskMl;
  /** Asset events the task adds at run time through the asset aliases among its outlets. */
  readonly outletEvents: OutletEventAccessors;
}

export interface ExternalStateQuery {
  dagId: string;
  /** Null asks for the state of the DAG run itself. */
  taskId: string | null;
  logicalDate: Date;
}
