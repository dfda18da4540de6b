/** DAGs and tasks in Airflow 3's shapes (DAGResponse, DAGDetailsResponse, TaskResponse). */
import { relative } from 'node:path';
import type { ParamSpec, SerializedDag, SerializedTask } from '../../../core/serialized-dag.ts';
import { fromFlag, fromJson, type DagRow } from '../../../store/index.ts';
import { fileToken } from '../../views/dag.ts';
import { dagVersionView, type DagVersionLike } from './dag-version.ts';

/** An asset condition as Airflow 3 shows it: `{"all": […]}` / `{"any": […]}` of `{"asset": {uri, name}}` and `{"alias": {name, group}}`. */
export function assetExpression(c: unknown): unknown {
  const x = c as { uri?: string; alias?: string; all?: unknown[]; any?: unknown[] };
  if (typeof x.uri === 'string') return { asset: { uri: x.uri, name: x.uri, group: 'asset' } };
  if (typeof x.alias === 'string') return { alias: { name: x.alias, group: 'asset' } };
  if (Array.isArray(x.all)) return { all: x.all.map(assetExpression) };
  if (Array.isArray(x.any)) return { any: x.any.map(assetExpression) };
  return null;
}

/** The DAGResponse shape. */
export function dagResponse(row: DagRow, dag: SerializedDag | undefined, dagsFolder: string) {
  return {
    dag_id: row.dag_id,
    dag_display_name: row.dag_id,
    is_paused: fromFlag(row.is_paused),
    is_stale: !fromFlag(row.is_active),
    last_parsed_time: row.last_parsed_at,
    last_parse_duration: null,
    last_expired: row.last_expired,
    bundle_name: 'dags-folder',
    bundle_version: null,
    relative_fileloc: relativeFile(row.fileloc, dagsFolder),
    fileloc: row.fileloc,
    description: row.description,
    timetable_summary: row.schedule_summary,
    timetable_description: row.schedule_summary,
    timetable_partitioned: false,
    tags: (fromJson<string[]>(row.tags, 'dag tags') ?? []).map((name) => ({ name, dag_id: row.dag_id, dag_display_name: row.dag_id })),
    max_active_tasks: row.max_active_tasks,
    max_active_runs: row.max_active_runs,
    max_consecutive_failed_dag_runs: 0,
    has_task_concurrency_limits: dag ? dag.tasks.some((t) => t.maxActiveTisPerDag !== null) : false,
    has_import_errors: fromFlag(row.has_import_errors),
    next_dagrun_logical_date: row.next_dagrun,
    next_dagrun_data_interval_start: row.next_dagrun_data_interval_start,
    next_dagrun_data_interval_end: row.next_dagrun_data_interval_end,
    next_dagrun_run_after: row.next_dagrun_create_after,
    allowed_run_types: null,
    owners: fromJson<string[]>(row.owners, 'dag owners') ?? [],
    file_token: fileToken(row.fileloc),
  };
}

function relativeFile(fileloc: string, folder: string): string | null {
  const r = relative(folder, fileloc);
  return r.startsWith('..') ? null : r;
}

/** The DAGDetailsResponse shape. */
export function dagDetailsResponse(row: DagRow, dag: SerializedDag, dagsFolder: string, latest: DagVersionLike | null, activeRuns: number) {
  return {
    ...dagResponse(row, dag, dagsFolder),
    catchup: dag.catchup,
    dag_run_timeout: isoDuration(dag.dagrunTimeout),
    asset_expression: dag.schedule.kind === 'dataset' ? (assetExpression(dag.schedule.condition) as Record<string, unknown>) : null,
    doc_md: dag.docMd,
    start_date: dag.startDate,
    end_date: dag.endDate,
    is_paused_upon_creation: dag.isPausedUponCreation,
    params: paramsView(dag.params),
    render_template_as_native_obj: false,
    template_search_path: null,
    timezone: dag.timezone,
    last_parsed: row.last_parsed_at,
    default_args: null,
    owner_links: null,
    is_favorite: false,
    active_runs_count: activeRuns,
    latest_dag_version: latest ? dagVersionView(latest) : null,
    concurrency: dag.maxActiveTasks,
  };
}

/** Seconds as an ISO-8601 duration (`PT90S`), or null. */
export function isoDuration(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  return `PT${seconds}S`;
}

/** Airflow's TimeDelta object for a number of seconds. */
function timeDelta(seconds: number | null | undefined) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  const whole = Math.floor(seconds);
  return { __type: 'TimeDelta', days: Math.floor(whole / 86400), seconds: whole % 86400, microseconds: Math.round((seconds - whole) * 1e6) };
}

/** Params as Airflow serializes them. */
export function paramsView(params: Record<string, ParamSpec>) {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(params)) {
    const { default: value, description, ...schema } = spec;
    out[name] = { __class: 'airflow.sdk.definitions.param.Param', value: value ?? null, description: description ?? null, schema };
  }
  return out;
}

/** The TaskResponse shape. */
export function taskResponse(task: SerializedTask, dag: SerializedDag) {
  return {
    task_id: task.taskId,
    task_display_name: task.taskId,
    owner: task.owner,
    start_date: dag.startDate,
    end_date: dag.endDate,
    trigger_rule: task.triggerRule,
    depends_on_past: false,
    wait_for_downstream: false,
    retries: task.retries,
    queue: task.queue,
    pool: task.pool,
    pool_slots: task.poolSlots,
    execution_timeout: timeDelta(task.executionTimeout),
    retry_delay: timeDelta(task.retryDelay),
    retry_exponential_backoff: task.retryExponentialBackoff ? 2 : 0,
    priority_weight: task.priorityWeight,
    weight_rule: task.weightRule,
    ui_color: task.ui.color,
    ui_fgcolor: '#000',
    template_fields: task.templateFields,
    downstream_task_ids: task.downstream,
    doc_md: task.doc,
    operator_name: task.operator,
    params: {},
    class_ref: { class_name: task.operator, module_path: 'baton' },
    is_mapped: task.mapped !== null,
    extra_links: [],
  };
}
