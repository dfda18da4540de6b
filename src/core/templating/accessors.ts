/**
 * Objects templates reach through: `ti` / `task_instance`, `dag_run`, `var` and `conn`, with
 * the attribute names and call forms Airflow templates use.
 */
import type { DagRunType } from '../states.ts';
import type { TemplateDateTime } from './datetime.ts';
import { bindArgs } from './python.ts';

/** What `ti.xcom_pull(...)` asks for. `key` undefined means any key (Airflow's key=None). */
export interface XComPullArgs {
  taskIds?: string | string[];
  key?: string;
  mapIndexes?: number | number[];
}

/** A connection as the host application describes it; snake_case names are read too. */
export interface TemplateConnectionInput {
  connId?: string;
  connType?: string | null;
  host?: string | null;
  login?: string | null;
  password?: string | null;
  schema?: string | null;
  port?: number | null;
  description?: string | null;
  /** A JSON string or an already-parsed object. */
  extra?: string | Record<string, unknown> | null;
  [key: string]: unknown;
}

/** Adds a non-enumerable Python-style `get(key, default)` to a copy of a JSON object. */
export function withGet<T extends Record<string, unknown>>(value: T | null | undefined): T {
  const copy = (value ? structuredClone(value) : {}) as T;
  Object.defineProperty(copy, 'get', {
    enumerable: false,
    value: (key: unknown, fallback: unknown = null) => {
      const v = (copy as Record<string, unknown>)[String(key)];
      return v === undefined ? fallback : v;
    },
  });
  return copy;
}

export interface TaskInstanceInfo {
  dagId: string;
  taskId: string;
  runId: string;
  tryNumber: number;
  mapIndex: number;
  logicalDate: TemplateDateTime;
  xcomPull: (args: XComPullArgs) => unknown;
}

/** `ti` / `task_instance`. */
export class TemplateTaskInstance {
  readonly dag_id: string;
  readonly task_id: string;
  readonly run_id: string;
  readonly try_number: number;
  readonly map_index: number;
  readonly logical_date: TemplateDateTime;
  readonly execution_date: TemplateDateTime;
  readonly state = 'running';
  readonly #pull: (args: XComPullArgs) => unknown;

  constructor(info: TaskInstanceInfo) {
    this.dag_id = info.dagId;
    this.task_id = info.taskId;
    this.run_id = info.runId;
    this.try_number = info.tryNumber;
    this.map_index = info.mapIndex;
    this.logical_date = info.logicalDate;
    this.execution_date = info.logicalDate;
    this.#pull = info.xcomPull;
  }

  /**
   * Airflow's `xcom_pull(task_ids=None, dag_id=None, key='return_value',
   * include_prior_dates=False, session=None, *, map_indexes=None, default=None)`.
   */
  xcom_pull(...args: unknown[]): unknown {
    const a = bindArgs('xcom_pull', ['task_ids', 'dag_id', 'key', 'include_prior_dates', 'session'], args, ['map_indexes', 'default']);
    if (a.dag_id != null && a.dag_id !== this.dag_id) {
      throw new Error(`xcom_pull(dag_id='${String(a.dag_id)}'): pulling XComs from another DAG is not supported; push the value from a task of DAG '${this.dag_id}'`);
    }
    if (a.include_prior_dates) throw new Error('xcom_pull(include_prior_dates=True) is not supported; pull from the current run only');
    const request: XComPullArgs = { key: 'key' in a ? (a.key == null ? undefined : String(a.key)) : 'return_value' };
    if (a.task_ids != null) request.taskIds = Array.isArray(a.task_ids) ? a.task_ids.map(String) : String(a.task_ids);
    if (a.map_indexes != null) request.mapIndexes = Array.isArray(a.map_indexes) ? a.map_indexes.map(Number) : Number(a.map_indexes);
    const value = this.#pull(request);
    return value === undefined || value === null ? (a.default ?? null) : value;
  }

  toString(): string {
    const map = this.map_index >= 0 ? ` map_index=${this.map_index}` : '';
    return `<TaskInstance: ${this.dag_id}.${this.task_id} ${this.run_id}${map} [${this.state}]>`;
  }
}

export interface DagRunInfo {
  dagId: string;
  runId: string;
  runType: DagRunType;
  conf: Record<string, unknown>;
  logicalDate: TemplateDateTime;
  dataIntervalStart: TemplateDateTime | null;
  dataIntervalEnd: TemplateDateTime | null;
}

/** `dag_run`. */
export class TemplateDagRun {
  readonly dag_id: string;
  readonly run_id: string;
  readonly run_type: DagRunType;
  readonly conf: Record<string, unknown>;
  readonly logical_date: TemplateDateTime;
  readonly execution_date: TemplateDateTime;
  readonly data_interval_start: TemplateDateTime | null;
  readonly data_interval_end: TemplateDateTime | null;
  readonly external_trigger: boolean;
  readonly state = 'running';

  constructor(info: DagRunInfo) {
    this.dag_id = info.dagId;
    this.run_id = info.runId;
    this.run_type = info.runType;
    this.conf = info.conf;
    this.logical_date = info.logicalDate;
    this.execution_date = info.logicalDate;
    this.data_interval_start = info.dataIntervalStart;
    this.data_interval_end = info.dataIntervalEnd;
    this.external_trigger = info.runType === 'manual';
  }

  toString(): string {
    return `<DagRun ${this.dag_id} @ ${this.logical_date.toString()}: ${this.run_id}, state:${this.state}, run_type: ${this.run_type}>`;
  }
}

/** `dag`: the DAG's id. */
export class TemplateDag {
  constructor(readonly dag_id: string) {}
  toString(): string {
    return `<DAG: ${this.dag_id}>`;
  }
}

/** `task`: the task's ids. */
export class TemplateTask {
  constructor(
    readonly task_id: string,
    readonly dag_id: string,
  ) {}
  toString(): string {
    return `<Task: ${this.task_id}>`;
  }
}

/** `conn.<id>`: Airflow's Connection attributes. */
export class TemplateConnection {
  readonly conn_id: string;
  readonly conn_type: string | null;
  readonly host: string | null;
  readonly login: string | null;
  readonly password: string | null;
  readonly schema: string | null;
  readonly port: number | null;
  readonly description: string | null;
  readonly extra: string | null;
  readonly extra_dejson: Record<string, unknown>;

  constructor(id: string, c: TemplateConnectionInput) {
    const pick = <T>(camel: string, snake: string): T | null => ((c[camel] ?? c[snake] ?? null) as T | null);
    this.conn_id = pick<string>('connId', 'conn_id') ?? id;
    this.conn_type = pick('connType', 'conn_type');
    this.host = pick('host', 'host');
    this.login = pick('login', 'login');
    this.password = pick('password', 'password');
    this.schema = pick('schema', 'schema');
    this.port = pick('port', 'port');
    this.description = pick('description', 'description');
    const extra = c.extra ?? null;
    this.extra = extra === null || typeof extra === 'string' ? extra : JSON.stringify(extra);
    this.extra_dejson = withGet(parseExtra(id, extra));
  }

  toString(): string {
    return this.conn_id;
  }
}

function parseExtra(id: string, extra: unknown): Record<string, unknown> {
  if (extra === null || extra === undefined || extra === '') return {};
  if (typeof extra !== 'string') return extra as Record<string, unknown>;
  try {
    const parsed = JSON.parse(extra) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new Error(`connection '${id}': its extra is not valid JSON, so extra_dejson cannot be read; fix the connection's extra`);
  }
}

/** Not Object.prototype, so namespaces are not mistaken for plain dicts when printed. */
const NAMESPACE_PROTO: object = Object.freeze(Object.create(null));
const NOT_NAMES = new Set(['then', 'toJSON', 'constructor', 'inspect', 'valueOf', '__keywords', 'length', 'prototype']);

/**
 * A read-only namespace whose attributes are looked up on demand (`var.value.x`, `conn.x`).
 * `lookup` returns undefined for a missing name; reading a missing attribute throws `missing`,
 * while `.get(name, default)` returns the default. `.get(name)` without a default throws too,
 * unless `getReturnsNone` (Airflow's `conn.get`, whose default is None).
 */
export function lazyNamespace(
  tag: string,
  lookup: (name: string) => unknown,
  missing: (name: string) => Error,
  getReturnsNone = false,
): Record<string, unknown> {
  const cache = new Map<string, unknown>();
  const find = (name: string) => {
    if (!cache.has(name)) cache.set(name, lookup(name));
    return cache.get(name);
  };
  const target = Object.create(NAMESPACE_PROTO) as Record<string, unknown>;
  return new Proxy(target, {
    get(_t, prop) {
      if (typeof prop === 'symbol') return prop === Symbol.toStringTag ? tag : undefined;
      if (prop === 'toString') return () => `<${tag}>`;
      if (prop === 'get') {
        return (...args: unknown[]) => {
          const bound = bindArgs('get', ['item', 'default'], args, ['default_var', 'default_conn']);
          const value = find(String(bound.item));
          if (value !== undefined) return value;
          for (const k of ['default', 'default_var', 'default_conn']) if (k in bound) return bound[k];
          if (getReturnsNone) return null;
          throw missing(String(bound.item));
        };
      }
      if (NOT_NAMES.has(prop)) return undefined;
      const value = find(prop);
      if (value === undefined) throw missing(prop);
      return value;
    },
    has: (_t, prop) => typeof prop === 'string' && find(prop) !== undefined,
    set: () => false,
  });
}
