/**
 * DAG runs and task instances in Airflow 3's shapes (DAGRunResponse, TaskInstanceResponse,
 * TaskInstanceHistoryResponse). `run_after` is when the run was due (its logical date, or when it
 * was triggered); a manual run triggered without a logical date shows `logical_date: null`.
 */
import { fromFlag, fromJson, type DagRunRow, type TaskInstanceRow } from '../../../store/index.ts';
import { dagVersionView, type DagVersionLike } from './dag-version.ts';
import { stableUuid } from './ids.ts';
import { currentUser } from '../../views/runs.ts';

/** Airflow 3's run type for a stored one. */
export function runTypeV2(t: string): string {
  return t === 'dataset_triggered' ? 'asset_triggered' : t;
}

/** The stored run type for an Airflow 3 one. */
export function runTypeV1(t: string): string {
  return t === 'asset_triggered' ? 'dataset_triggered' : t;
}

function triggeredBy(r: DagRunRow): string {
  switch (r.run_type) {
    case 'scheduled':
      return 'timetable';
    case 'dataset_triggered':
      return 'asset';
    case 'backfill':
      return 'backfill';
    default:
      return 'rest_api';
  }
}

/** The DAGRunResponse shape. */
export function dagRunResponse(r: DagRunRow, version: DagVersionLike | null) {
  const hasLogical = fromFlag(r.has_logical_date);
  const duration = r.start_date && r.end_date ? (Date.parse(r.end_date) - Date.parse(r.start_date)) / 1000 : null;
  return {
    dag_run_id: r.run_id,
    dag_id: r.dag_id,
    logical_date: hasLogical ? r.logical_date : null,
    queued_at: r.queued_at,
    start_date: r.start_date,
    end_date: r.end_date,
    duration,
    data_interval_start: hasLogical ? r.data_interval_start : null,
    data_interval_end: hasLogical ? r.data_interval_end : null,
    run_after: r.logical_date,
    last_scheduling_decision: r.last_scheduling_decision,
    run_type: runTypeV2(r.run_type),
    state: r.state,
    triggered_by: triggeredBy(r),
    triggering_user_name: r.triggering_user_name,
    conf: fromJson<Record<string, unknown>>(r.conf, 'dag run conf') ?? {},
    note: r.note,
    dag_versions: version ? [dagVersionView(version)] : [],
    bundle_version: null,
    dag_display_name: r.dag_id,
    partition_key: null,
  };
}

/** A task instance row with what its view needs of its run. */
export interface TiRow extends TaskInstanceRow {
  logical_date: string;
  has_logical_date: number;
  dag_version_id: number | null;
}

/** The fields task instances and their tries share. */
function tiCommon(ti: TiRow, version: DagVersionLike | null) {
  return {
    task_id: ti.task_id,
    dag_id: ti.dag_id,
    dag_run_id: ti.run_id,
    map_index: ti.map_index,
    start_date: ti.start_date,
    end_date: ti.end_date,
    duration: ti.duration,
    state: ti.state === 'none' ? null : ti.state,
    try_number: ti.try_number,
    max_tries: ti.max_tries,
    task_display_name: ti.task_id,
    dag_display_name: ti.dag_id,
    hostname: ti.hostname,
    unixname: currentUser(),
    pool: ti.pool,
    pool_slots: ti.pool_slots,
    queue: ti.queue,
    priority_weight: ti.priority_weight,
    operator: ti.operator,
    operator_name: ti.operator,
    queued_when: ti.queued_at,
    scheduled_when: null,
    pid: ti.pid,
    executor: ti.executor,
    executor_config: '{}',
    dag_version: version ? dagVersionView(version) : null,
  };
}

/** The TaskInstanceResponse shape. */
export function taskInstanceResponse(ti: TiRow, version: DagVersionLike | null) {
  return {
    id: stableUuid('ti', ti.dag_id, ti.run_id, ti.task_id, ti.map_index),
    ...tiCommon(ti, version),
    logical_date: ti.has_logical_date ? ti.logical_date : null,
    run_after: ti.logical_date,
    rendered_map_index: null,
    rendered_fields: (ti.rendered_fields && fromJson<Record<string, unknown>>(ti.rendered_fields, 'rendered fields')) || {},
    trigger: null,
    triggerer_job: null,
    note: ti.note,
  };
}

/** The TaskInstanceHistoryResponse shape (one try). */
export function taskInstanceTryResponse(ti: TiRow, version: DagVersionLike | null) {
  return tiCommon(ti, version);
}
