/**
 * `dag(options, build)` defines a DAG; operators and TaskFlow calls made inside `build` become
 * its tasks. Every exported DAG object of a file in the DAGs folder is discovered.
 */
import type { ScheduleSpec } from '../core/serialized-dag.ts';
import { parseDuration } from '../core/timetable/duration.ts';
import { parseSchedule } from '../core/timetable/index.ts';
import type { BaseOperator } from './base-operator.ts';
import { withDag } from './build-context.ts';
import { isDatasetLike, type DatasetLike } from './dataset.ts';
import { DagDefinitionError } from './errors.ts';
import { toParamSpecs, type ParamInput } from './params.ts';
import type { TaskGroup } from './task-group.ts';
import type { DefaultArgs, Duration } from './task-options.ts';

export const DAG_BRAND = Symbol.for('baton.dag');

/**
 * When the DAG runs: `null` (manual only), a cron string, a preset ("@daily", "@once",
 * "@continuous", …), a fixed interval `{ every: "1h" }`, or datasets (a list means all of them).
 */
export type ScheduleInput = null | string | { every: Duration } | DatasetLike | DatasetLike[];

export interface DagOptions {
  id: string;
  description?: string;
  /** Default null: runs only when triggered. */
  schedule?: ScheduleInput;
  /** First logical date; strings without an offset are read in `timezone`. */
  startDate?: Date | string;
  endDate?: Date | string;
  /** Create runs for past intervals since startDate. Default false. */
  catchup?: boolean;
  tags?: string[];
  defaultArgs?: DefaultArgs;
  params?: Record<string, ParamInput>;
  /** Default 16. */
  maxActiveRuns?: number;
  /** Default 16. */
  maxActiveTasks?: number;
  /** Markdown documentation shown in the UI. */
  docs?: string;
  /** IANA time zone for cron schedules and start dates. Default "UTC". */
  timezone?: string;
  /** Fail a run that takes longer than this. Default none. */
  dagrunTimeout?: Duration;
  /** Override the installation's default for new DAGs. */
  isPausedUponCreation?: boolean;
}

const DAG_ID_RE = /^[A-Za-z0-9_.\-]+$/;

export class Dag {
  readonly [DAG_BRAND] = true;
  readonly dagId: string;
  readonly tasks = new Map<string, BaseOperator>();
  readonly groups = new Map<string, TaskGroup>();
  readonly schedule: ScheduleSpec;
  readonly startDate: Date | null;
  readonly endDate: Date | null;
  readonly timezone: string;
  readonly defaultArgs: DefaultArgs;
  readonly params: ReturnType<typeof toParamSpecs>;
  readonly maxActiveRuns: number;
  readonly maxActiveTasks: number;
  readonly dagrunTimeout: number | null;
  /** Where the DAG was defined (first frame outside Baton), for import errors. */
  fileloc: string | null = null;

  constructor(readonly options: DagOptions) {
    if (!options || typeof options.id !== 'string' || !DAG_ID_RE.test(options.id)) {
      throw new DagDefinitionError(`DAG id ${JSON.stringify(options?.id)} is not valid: use letters, digits, '_', '-' and '.'`);
    }
    this.dagId = options.id;
    this.timezone = options.timezone ?? 'UTC';
    checkTimezone(this.dagId, this.timezone);
    this.schedule = normalizeSchedule(this.dagId, options.schedule);
    this.startDate = toDate(this.dagId, 'startDate', options.startDate, this.timezone);
    this.endDate = toDate(this.dagId, 'endDate', options.endDate, this.timezone);
    if (this.startDate && this.endDate && this.endDate < this.startDate) {
      throw new DagDefinitionError(`DAG '${this.dagId}': endDate is before startDate`);
    }
    this.defaultArgs = options.defaultArgs ?? {};
    this.params = toParamSpecs(options.params);
    this.maxActiveRuns = positiveInt(this.dagId, 'maxActiveRuns', options.maxActiveRuns ?? 16);
    this.maxActiveTasks = positiveInt(this.dagId, 'maxActiveTasks', options.maxActiveTasks ?? 16);
    this.dagrunTimeout = options.dagrunTimeout === undefined ? null : parseDuration(options.dagrunTimeout, `DAG '${this.dagId}' dagrunTimeout`);
  }

  get description(): string | null {
    return this.options.description ?? null;
  }
  get tags(): string[] {
    return this.options.tags ?? [];
  }
  get catchup(): boolean {
    return this.options.catchup ?? false;
  }

  /** @internal Called by operators as they are created. */
  addTask(task: BaseOperator): void {
    if (this.tasks.has(task.taskId)) {
      throw new DagDefinitionError(`DAG '${this.dagId}' already has a task with id '${task.taskId}': task ids must be unique`);
    }
    if (this.groups.has(task.taskId)) throw new DagDefinitionError(`DAG '${this.dagId}': task id '${task.taskId}' clashes with a task group id`);
    this.tasks.set(task.taskId, task);
  }

  /** @internal */
  addGroup(group: TaskGroup): void {
    if (this.groups.has(group.groupId) || this.tasks.has(group.groupId)) {
      throw new DagDefinitionError(`DAG '${this.dagId}' already has a task or group with id '${group.groupId}'`);
    }
    this.groups.set(group.groupId, group);
  }

  getTask(taskId: string): BaseOperator {
    const t = this.tasks.get(taskId);
    if (!t) throw new Error(`DAG '${this.dagId}' has no task '${taskId}'; its tasks are: ${[...this.tasks.keys()].join(', ')}`);
    return t;
  }

  /**
   * A task id not yet used in this DAG, derived from `base` (Airflow adds `__1`, `__2`, …).
   * Inside a task group the check is on the group-prefixed id the task will get.
   */
  uniqueTaskId(base: string, group?: TaskGroup | null): string {
    const full = (id: string) => (group ? group.childId(id) : id);
    if (!this.tasks.has(full(base))) return base;
    for (let i = 1; ; i++) if (!this.tasks.has(full(`${base}__${i}`))) return `${base}__${i}`;
  }
}

/** Defines a DAG. The build function creates its tasks. */
export function dag(options: DagOptions, build: (dag: Dag) => void): Dag {
  const d = new Dag(options);
  d.fileloc = callerFile();
  withDag(d, () => build(d));
  return d;
}

export function isDag(v: unknown): v is Dag {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[DAG_BRAND] === true;
}

function normalizeSchedule(dagId: string, s: ScheduleInput | undefined): ScheduleSpec {
  try {
    if (s === undefined || s === null) return { kind: 'none' };
    if (Array.isArray(s)) {
      if (s.length === 0) throw new Error('an empty list of datasets never triggers a run; use null for manual-only DAGs');
      if (!s.every(isDatasetLike)) throw new Error('a schedule list must contain only Dataset objects');
      return { kind: 'dataset', condition: s.length === 1 ? s[0]!.toCondition() : { all: s.map((d) => d.toCondition()) } };
    }
    if (isDatasetLike(s)) return { kind: 'dataset', condition: s.toCondition() };
    return parseSchedule(s);
  } catch (e) {
    throw new DagDefinitionError(`DAG '${dagId}': invalid schedule ${safeJson(s)}: ${(e as Error).message}`);
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function checkTimezone(dagId: string, tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new DagDefinitionError(`DAG '${dagId}': unknown time zone ${JSON.stringify(tz)}; use an IANA name such as "UTC" or "Europe/Paris"`);
  }
}

function positiveInt(dagId: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new DagDefinitionError(`DAG '${dagId}': ${name} must be an integer ≥ 1 (got ${JSON.stringify(v)})`);
  return v;
}

/** Reads a date; a string with no offset is a wall-clock time in `tz`. */
export function toDate(dagId: string, name: string, v: Date | string | undefined, tz: string): Date | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new DagDefinitionError(`DAG '${dagId}': ${name} is an invalid Date`);
    return v;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(v.trim());
  if (!m) throw new DagDefinitionError(`DAG '${dagId}': ${name} ${JSON.stringify(v)} is not a date; use "2024-01-01" or an ISO-8601 timestamp`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0', off] = m;
  const wall = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, +ms.padEnd(3, '0'));
  if (off) return new Date(off === 'Z' ? wall : wall - offsetMinutes(off) * 60_000);
  return new Date(wall - zoneOffsetMs(wall, tz));
}

function offsetMinutes(off: string): number {
  const sign = off.startsWith('-') ? -1 : 1;
  const digits = off.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

/** Offset of `tz` from UTC (ms) at the wall-clock instant `wallUtcMs` interpreted in that zone. */
function zoneOffsetMs(wallUtcMs: number, tz: string): number {
  const at = (utc: number): number => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(utc));
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(utc / 1000) * 1000;
  };
  const first = at(wallUtcMs);
  return at(wallUtcMs - first);
}

/** This SDK's folders (its sources and its build), whose frames are not the caller's. */
const SDK_DIR = decodeURIComponent(new URL('./', import.meta.url).pathname);
const SDK_SOURCE_DIR = SDK_DIR.replace(/\/dist\/sdk\/$/, '/src/sdk/');

/**
 * The file that called `dag()`: the first stack frame outside the SDK. Frames show the SDK's
 * sources or its build depending on whether source maps are on, so both are skipped.
 */
function callerFile(): string | null {
  const stack = new Error().stack?.split('\n') ?? [];
  for (const line of stack.slice(2)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const file = decodeURIComponent(m[1]!.replace(/^file:\/\//, ''));
    if (!file.startsWith(SDK_DIR) && !file.startsWith(SDK_SOURCE_DIR)) return file;
  }
  return null;
}
