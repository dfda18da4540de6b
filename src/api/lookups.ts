/**
 * Finding what a request names — a DAG, its serialized form, a run, a task instance — or
 * answering 404 with what was missing; and the shared task-instance query (each TI with its
 * run's logical date).
 */
import type { Kysely } from 'kysely';
import type { SerializedDag, SerializedTask } from '../core/serialized-dag.ts';
import type { DagRow, DagRunRow, Schema } from '../store/index.ts';
import type { ApiDeps } from './deps.ts';
import { notFound } from './problem.ts';
import { taskInstanceView, type TiWithRun, type TriggerInfo } from './views/runs.ts';

/** The DAG's row, or 404. */
export async function requireDagRow(db: Kysely<Schema>, dagId: string): Promise<DagRow> {
  const row = await db.selectFrom('dag').selectAll().where('dag_id', '=', dagId).executeTakeFirst();
  if (!row) throw notFound(`DAG with dag_id: '${dagId}' not found`);
  return row;
}

/** The DAG's serialized form, or 404. */
export async function requireDag(deps: ApiDeps, dagId: string): Promise<SerializedDag> {
  const dag = await deps.dags.get(deps.db, dagId);
  if (!dag) throw notFound(`DAG with dag_id: '${dagId}' not found`);
  return dag;
}

/** A task of the DAG, or 404. */
export function requireTask(dag: SerializedDag, taskId: string): SerializedTask {
  const task = dag.tasks.find((t) => t.taskId === taskId);
  if (!task) throw notFound(`Task with task_id: '${taskId}' not found in DAG '${dag.dagId}'`);
  return task;
}

/** The run, or 404. */
export async function requireRun(db: Kysely<Schema>, dagId: string, runId: string): Promise<DagRunRow> {
  const run = await db.selectFrom('dag_run').selectAll().where('dag_id', '=', dagId).where('run_id', '=', runId).executeTakeFirst();
  if (!run) throw notFound(`DAGRun with DAG ID: '${dagId}' and DagRun ID: '${runId}' not found`);
  return run;
}

/** Task instances joined with their run's logical date, as `TiWithRun`. */
export function tiQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('task_instance as ti')
    .innerJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'ti.dag_id').onRef('r.run_id', '=', 'ti.run_id'))
    .selectAll('ti')
    .select('r.logical_date');
}

/** One task instance, or 404 (with a hint when the task is mapped and no map index was given). */
export async function requireTi(db: Kysely<Schema>, key: { dagId: string; runId: string; taskId: string; mapIndex: number }): Promise<TiWithRun> {
  const ti = await tiQuery(db)
    .where('ti.dag_id', '=', key.dagId)
    .where('ti.run_id', '=', key.runId)
    .where('ti.task_id', '=', key.taskId)
    .where('ti.map_index', '=', key.mapIndex)
    .executeTakeFirst();
  if (ti) return ti;
  if (key.mapIndex === -1) {
    const mapped = await db.selectFrom('task_instance').select('map_index').where('dag_id', '=', key.dagId).where('run_id', '=', key.runId).where('task_id', '=', key.taskId).executeTakeFirst();
    if (mapped) throw notFound(`Task instance '${key.taskId}' of run '${key.runId}' is mapped: add the map index to the URL (…/taskInstances/${key.taskId}/{map_index}).`);
  }
  throw notFound(`Task instance '${key.taskId}'${key.mapIndex >= 0 ? ` (map index ${key.mapIndex})` : ''} of DAG '${key.dagId}', run '${key.runId}' not found`);
}

/** Renders task instances, with the trigger and triggerer of deferred ones. */
export async function renderTis(db: Kysely<Schema>, tis: TiWithRun[]) {
  const triggerIds = [...new Set(tis.map((t) => t.trigger_id).filter((id): id is number => id !== null))];
  const triggers = new Map<number, NonNullable<TriggerInfo['trigger']>>();
  const jobs = new Map<number, NonNullable<TriggerInfo['triggererJob']>>();
  if (triggerIds.length) {
    for (const t of await db.selectFrom('trigger').selectAll().where('id', 'in', triggerIds).execute()) triggers.set(t.id, t);
    const jobIds = [...new Set([...triggers.values()].map((t) => t.triggerer_id).filter((id): id is number => id !== null))];
    if (jobIds.length) for (const j of await db.selectFrom('job').selectAll().where('id', 'in', jobIds).execute()) jobs.set(j.id, j);
  }
  return tis.map((ti) => {
    const trigger = ti.trigger_id === null ? null : triggers.get(ti.trigger_id) ?? null;
    const job = trigger?.triggerer_id == null ? null : jobs.get(trigger.triggerer_id) ?? null;
    return taskInstanceView(ti, { trigger, triggererJob: job });
  });
}
