/**
 * The variables a task's templates see, named and shaped as in Airflow 2.10's template
 * context (`ds`, `ts`, `ti`, `dag_run`, `params`, `var`, `conn`, `macros`, ...).
 */
import type { Json } from '../serialized-dag.ts';
import type { DagRunType } from '../states.ts';
import { lazyNamespace, TemplateConnection, TemplateDag, TemplateDagRun, TemplateTask, TemplateTaskInstance, withGet } from './accessors.ts';
import type { TemplateConnectionInput, XComPullArgs } from './accessors.ts';
import { TemplateDateTime } from './datetime.ts';
import { buildMacros } from './macros.ts';

export interface TemplateContextInput {
  logicalDate: Date;
  dataIntervalStart: Date | null;
  dataIntervalEnd: Date | null;
  runId: string;
  runType: DagRunType;
  dagId: string;
  taskId: string;
  /** -1 when the task is not mapped. */
  mapIndex: number;
  tryNumber: number;
  /** The run's resolved params. */
  params: Record<string, Json>;
  /** The run's conf, as passed when it was triggered. */
  conf: Record<string, unknown> | null | undefined;
  /** Synchronous XCom lookup for `ti.xcom_pull(...)`; undefined when nothing was pushed. */
  xcomPull: (args: XComPullArgs) => unknown;
  /** A Variable's stored text, or undefined when it does not exist. */
  getVariable: (key: string) => string | undefined;
  /** A connection's fields, or undefined when it does not exist. */
  getConnection: (connId: string) => TemplateConnectionInput | undefined;
}

/** The template namespace. Extra keys may be added (e.g. operator-specific variables). */
export interface TemplateContext {
  ds: string;
  ds_nodash: string;
  ts: string;
  ts_nodash: string;
  ts_nodash_with_tz: string;
  yesterday_ds: string;
  yesterday_ds_nodash: string;
  tomorrow_ds: string;
  tomorrow_ds_nodash: string;
  logical_date: TemplateDateTime;
  execution_date: TemplateDateTime;
  data_interval_start: TemplateDateTime | null;
  data_interval_end: TemplateDateTime | null;
  run_id: string;
  dag_run: TemplateDagRun;
  dag: TemplateDag;
  task: TemplateTask;
  ti: TemplateTaskInstance;
  task_instance: TemplateTaskInstance;
  task_instance_key_str: string;
  params: Record<string, Json>;
  var: { value: Record<string, unknown>; json: Record<string, unknown> };
  conn: Record<string, unknown>;
  macros: Record<string, unknown>;
  map_index: number;
  [name: string]: unknown;
}

/** Builds a task instance's template context. Nothing is fetched until a template asks. */
export function buildTemplateContext(input: TemplateContextInput): TemplateContext {
  const logical = new TemplateDateTime(input.logicalDate);
  const start = input.dataIntervalStart ? new TemplateDateTime(input.dataIntervalStart) : null;
  const end = input.dataIntervalEnd ? new TemplateDateTime(input.dataIntervalEnd) : null;
  const ds = logical.strftime('%Y-%m-%d');
  const ts = logical.isoformat();
  const yesterday = logical.subtract({ days: 1, __keywords: true }).strftime('%Y-%m-%d');
  const tomorrow = logical.add({ days: 1, __keywords: true }).strftime('%Y-%m-%d');
  const nodash = (d: string) => d.replace(/-/g, '');

  const ti = new TemplateTaskInstance({
    dagId: input.dagId,
    taskId: input.taskId,
    runId: input.runId,
    tryNumber: input.tryNumber,
    mapIndex: input.mapIndex,
    logicalDate: logical,
    xcomPull: input.xcomPull,
  });
  const dagRun = new TemplateDagRun({
    dagId: input.dagId,
    runId: input.runId,
    runType: input.runType,
    conf: withGet(input.conf ?? {}),
    logicalDate: logical,
    dataIntervalStart: start,
    dataIntervalEnd: end,
  });

  return {
    ds,
    ds_nodash: nodash(ds),
    ts,
    ts_nodash: logical.strftime('%Y%m%dT%H%M%S'),
    ts_nodash_with_tz: ts.replace(/[-:]/g, ''),
    yesterday_ds: yesterday,
    yesterday_ds_nodash: nodash(yesterday),
    tomorrow_ds: tomorrow,
    tomorrow_ds_nodash: nodash(tomorrow),
    logical_date: logical,
    execution_date: logical,
    data_interval_start: start,
    data_interval_end: end,
    run_id: input.runId,
    dag_run: dagRun,
    dag: new TemplateDag(input.dagId),
    task: new TemplateTask(input.taskId, input.dagId),
    ti,
    task_instance: ti,
    task_instance_key_str: `${input.dagId}__${input.taskId}__${nodash(ds)}`,
    params: withGet(input.params as Record<string, Json>),
    var: variableAccessors(input.getVariable),
    conn: connectionAccessor(input.getConnection),
    macros: buildMacros(),
    map_index: input.mapIndex,
  };
}

function variableAccessors(getVariable: (key: string) => string | undefined): TemplateContext['var'] {
  const missing = (key: string) =>
    new Error(`Variable '${key}' does not exist: define it, or write var.value.get('${key}', 'fallback') to use a default`);
  const value = lazyNamespace('VariableAccessor', getVariable, missing);
  const json = lazyNamespace(
    'VariableJsonAccessor',
    (key) => {
      const text = getVariable(key);
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new Error(`Variable '${key}' is not valid JSON, so var.json.${key} cannot read it (${err instanceof Error ? err.message : String(err)}); use var.value.${key} for plain text`);
      }
    },
    missing,
  );
  return { value, json };
}

function connectionAccessor(getConnection: (id: string) => TemplateConnectionInput | undefined): Record<string, unknown> {
  return lazyNamespace(
    'ConnectionAccessor',
    (id) => {
      const found = getConnection(id);
      return found === undefined ? undefined : new TemplateConnection(id, found);
    },
    (id) => new Error(`The conn_id '${id}' isn't defined: create the connection, or write conn.get('${id}') to allow it to be missing`),
    true,
  );
}
