/**
 * DAGs and tasks in Airflow's API shapes (DAG, DAGDetail, Task): snake_case fields, schedule
 * intervals as `CronExpression` / `TimeDelta` objects, tags as `{name}` objects, and a
 * `file_token` that stands for the DAG's file without revealing a readable path to fetch.
 */
import type { DatasetCondition, ParamSpec, ScheduleSpec, SerializedDag, SerializedTask } from '../../core/serialized-dag.ts';
import { fromFlag, fromJson, type DagRow } from '../../store/index.ts';

/** Airflow's TimeDelta object for a number of seconds (null stays null). */
export function timeDelta(seconds: number | null | undefined) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  const whole = Math.floor(seconds);
  return { __type: 'TimeDelta', days: Math.floor(whole / 86400), seconds: whole % 86400, microseconds: Math.round((seconds - whole) * 1e6) };
}

/** Airflow's `schedule_interval`: a cron expression or preset, a TimeDelta, or null. */
export function scheduleInterval(spec: ScheduleSpec | null) {
  if (!spec) return null;
  switch (spec.kind) {
    case 'none':
      return null;
    case 'once':
      return { __type: 'CronExpression', value: '@once' };
    case 'continuous':
      return { __type: 'CronExpression', value: '@continuous' };
    case 'cron':
      return { __type: 'CronExpression', value: spec.preset ?? spec.expression };
    case 'interval':
      return timeDelta(spec.seconds);
    case 'dataset':
      return { __type: 'CronExpression', value: 'Dataset' };
  }
}

/** The opaque token naming a DAG file (verified against known files when used). */
export function fileToken(fileloc: string): string {
  return Buffer.from(fileloc, 'utf8').toString('base64url');
}

/** The file a token names, or undefined when it is not a token. */
export function fileFromToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,4000}$/.test(token)) return undefined;
  const path = Buffer.from(token, 'base64url').toString('utf8');
  return fileToken(path) === token ? path : undefined;
}

/** The DAG shape (GET /dags, GET /dags/{dag_id}). */
export function dagView(row: DagRow, dag: SerializedDag | undefined) {
  const schedule = fromJson<ScheduleSpec>(row.timetable, 'dag timetable');
  return {
    dag_id: row.dag_id,
    dag_display_name: row.dag_id,
    root_dag_id: null,
    is_paused: fromFlag(row.is_paused),
    is_active: fromFlag(row.is_active),
    is_subdag: false,
    last_parsed_time: row.last_parsed_at,
    last_pickled: null,
    last_expired: row.last_expired,
    scheduler_lock: null,
    pickle_id: null,
    default_view: 'grid',
    fileloc: row.fileloc,
    file_token: fileToken(row.fileloc),
    owners: fromJson<string[]>(row.owners, 'dag owners') ?? [],
    description: row.description,
    schedule_interval: scheduleInterval(schedule),
    timetable_description: row.schedule_summary,
    tags: (fromJson<string[]>(row.tags, 'dag tags') ?? []).map((name) => ({ name })),
    max_active_tasks: row.max_active_tasks,
    max_active_runs: row.max_active_runs,
    max_consecutive_failed_dag_runs: 0,
    has_task_concurrency_limits: dag ? dag.tasks.some((t) => t.maxActiveTisPerDag !== null) : null,
    has_import_errors: fromFlag(row.has_import_errors),
    next_dagrun: row.next_dagrun,
    next_dagrun_data_interval_start: row.next_dagrun_data_interval_start,
    next_dagrun_data_interval_end: row.next_dagrun_data_interval_end,
    next_dagrun_create_after: row.next_dagrun_create_after,
  };
}

/** The DAGDetail shape (GET /dags/{dag_id}/details). */
export function dagDetailView(row: DagRow, dag: SerializedDag) {
  return {
    ...dagView(row, dag),
    catchup: dag.catchup,
    concurrency: dag.maxActiveTasks,
    dag_run_timeout: timeDelta(dag.dagrunTimeout),
    dataset_expression: dag.schedule.kind === 'dataset' ? datasetExpression(dag.schedule.condition, true) : null,
    doc_md: dag.docMd,
    end_date: dag.endDate,
    is_paused_upon_creation: dag.isPausedUponCreation,
    last_parsed: row.last_parsed_at,
    orientation: 'LR',
    params: paramsView(dag.params),
    render_template_as_native_obj: false,
    start_date: dag.startDate,
    template_search_path: null,
    timezone: dag.timezone,
  };
}

/** Airflow's nested `{all: [...]}` / `{any: [...]}` form of a dataset condition. */
function datasetExpression(c: DatasetCondition, top: boolean): unknown {
  if ('uri' in c) return top ? { all: [c.uri] } : c.uri;
  if ('alias' in c) return top ? { all: [{ alias: c.alias }] } : { alias: c.alias };
  if ('all' in c) return { all: c.all.map((x) => datasetExpression(x, false)) };
  return { any: c.any.map((x) => datasetExpression(x, false)) };
}

/** Params as Airflow serializes them: value, description and JSON schema per param. */
function paramsView(params: Record<string, ParamSpec>) {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(params)) {
    const { default: value, description, ...schema } = spec;
    out[name] = { __class: 'airflow.models.param.Param', value: value ?? null, description: description ?? null, schema };
  }
  return out;
}

const COLOR = /^#[a-fA-F0-9]{3,6}$/;

/** The Task shape (GET /dags/{dag_id}/tasks). */
export function taskView(task: SerializedTask, dag: SerializedDag) {
  return {
    class_ref: { class_name: task.operator, module_path: 'baton' },
    task_id: task.taskId,
    task_display_name: task.taskId,
    owner: task.owner,
    start_date: dag.startDate,
    end_date: dag.endDate,
    trigger_rule: task.triggerRule,
    extra_links: [],
    depends_on_past: false,
    wait_for_downstream: false,
    retries: task.retries,
    queue: task.queue,
    executor: null,
    pool: task.pool,
    pool_slots: task.poolSlots,
    execution_timeout: timeDelta(task.executionTimeout),
    retry_delay: timeDelta(task.retryDelay),
    retry_exponential_backoff: task.retryExponentialBackoff,
    priority_weight: task.priorityWeight,
    weight_rule: task.weightRule,
    ui_color: COLOR.test(task.ui.color) ? task.ui.color : '#fff',
    ui_fgcolor: '#000',
    template_fields: task.templateFields,
    downstream_task_ids: task.downstream,
    doc_md: task.doc,
    is_mapped: task.mapped !== null,
  };
}
