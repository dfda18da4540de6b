/**
 * DAG runs and task instances in Airflow's API shapes (DAGRun, BasicDAGRun, TaskInstance,
 * TaskInstanceReference). A task instance with no state is shown as null, as Airflow does.
 */
import { userInfo } from 'node:os';
import { fromFlag, fromJson, type DagRunRow, type TaskInstanceRow } from '../../store/index.ts';

/** The DAGRun shape. */
export function dagRunView(r: DagRunRow) {
  return {
    dag_run_id: r.run_id,
    dag_id: r.dag_id,
    logical_date: r.logical_date,
    execution_date: r.logical_date,
    start_date: r.start_date,
    end_date: r.end_date,
    data_interval_start: r.data_interval_start,
    data_interval_end: r.data_interval_end,
    last_scheduling_decision: r.last_scheduling_decision,
    run_type: r.run_type,
    state: r.state,
    external_trigger: fromFlag(r.external_trigger),
    conf: fromJson<Record<string, unknown>>(r.conf, 'dag run conf') ?? {},
    note: r.note,
  };
}

/** The BasicDAGRun shape (runs a dataset event created). */
export function basicDagRunView(r: Pick<DagRunRow, 'run_id' | 'dag_id' | 'logical_date' | 'start_date' | 'end_date' | 'state' | 'data_interval_start' | 'data_interval_end'>) {
  return {
    run_id: r.run_id,
    dag_id: r.dag_id,
    logical_date: r.logical_date,
    start_date: r.start_date,
    end_date: r.end_date,
    state: r.state,
    data_interval_start: r.data_interval_start,
    data_interval_end: r.data_interval_end,
  };
}

/** A task instance row with its run's logical date, and its trigger and triggerer when deferred. */
export interface TiWithRun extends TaskInstanceRow {
  logical_date: string;
}

/** The trigger a deferred task instance waits on, and the triggerer running it. */
export interface TriggerInfo {
  trigger: { id: number; classpath: string; kwargs: string; created_date: string; triggerer_id: number | null } | null;
  triggererJob: { id: number; job_type: string; state: string; hostname: string; start_date: string; end_date: string | null; latest_heartbeat: string } | null;
}

let unixName: string | undefined;
/** The OS user running the API server (Airflow's `unixname`), looked up once. */
export function currentUser(): string {
  if (unixName === undefined) {
    try {
      unixName = userInfo().username;
    } catch {
      unixName = process.env.USER ?? '';
    }
  }
  return unixName;
}

/** The TaskInstance shape. */
export function taskInstanceView(ti: TiWithRun, extra: TriggerInfo = { trigger: null, triggererJob: null }) {
  return {
    task_id: ti.task_id,
    task_display_name: ti.task_id,
    dag_id: ti.dag_id,
    dag_run_id: ti.run_id,
    execution_date: ti.logical_date,
    start_date: ti.start_date,
    end_date: ti.end_date,
    duration: ti.duration,
    state: ti.state === 'none' ? null : ti.state,
    try_number: ti.try_number,
    map_index: ti.map_index,
    rendered_map_index: null,
    max_tries: ti.max_tries,
    hostname: ti.hostname ?? '',
    unixname: currentUser(),
    pool: ti.pool,
    pool_slots: ti.pool_slots,
    queue: ti.queue,
    priority_weight: ti.priority_weight,
    operator: ti.operator,
    queued_when: ti.queued_at,
    pid: ti.pid,
    executor: ti.executor,
    executor_config: '{}',
    sla_miss: null,
    rendered_fields: (ti.rendered_fields && fromJson<Record<string, unknown>>(ti.rendered_fields, 'rendered fields')) || {},
    trigger: extra.trigger,
    triggerer_job: extra.triggererJob && {
      id: extra.triggererJob.id,
      dag_id: null,
      state: extra.triggererJob.state,
      job_type: 'TriggererJob',
      start_date: extra.triggererJob.start_date,
      end_date: extra.triggererJob.end_date,
      latest_heartbeat: extra.triggererJob.latest_heartbeat,
      executor_class: null,
      hostname: extra.triggererJob.hostname,
      unixname: null,
    },
    note: ti.note,
  };
}

/** The TaskInstanceReference shape (what a clear or a state change touched). */
export function taskInstanceReference(ti: { dag_id: string; run_id: string; task_id: string; logical_date: string }) {
  return { task_id: ti.task_id, dag_id: ti.dag_id, dag_run_id: ti.run_id, execution_date: ti.logical_date };
}
