/**
 * Changing a DAG run as a user does through the API, as Airflow's `set_dag_run_state_to_*`:
 * marking it success (every unfinished task instance success), failed (running task instances
 * failed, the others not yet finished skipped) or queued; and deleting it with everything
 * recorded about it. Every state change is a compare-and-set.
 */
import type { Kysely } from 'kysely';
import type { TaskInstanceState } from '../../core/states.ts';
import { deleteRunXComFiles } from '../../scheduler/xcom-store.ts';
import { casDagRunState, casTaskInstanceStates, nowIso, type DagRunRow, type Schema } from '../../store/index.ts';

/** The states a user may set a DAG run to. */
export type SettableRunState = 'success' | 'failed' | 'queued';

const UNFINISHED: readonly TaskInstanceState[] = ['none', 'scheduled', 'queued', 'running', 'up_for_retry', 'up_for_reschedule', 'deferred', 'restarting'];
const RUNNING: readonly TaskInstanceState[] = ['running', 'deferred', 'restarting'];
const NOT_STARTED: readonly TaskInstanceState[] = ['none', 'scheduled', 'queued', 'up_for_retry', 'up_for_reschedule'];
const RUN_STATES = ['queued', 'running', 'success', 'failed'] as const;

/** Sets a run's state (and its task instances' as Airflow does); returns false when the run is gone. */
export async function setDagRunState(db: Kysely<Schema>, run: DagRunRow, state: SettableRunState): Promise<boolean> {
  const ts = nowIso();
  return db.transaction().execute(async (trx) => {
    const keys = async (states: readonly TaskInstanceState[]) =>
      (await trx.selectFrom('task_instance').select(['task_id', 'map_index']).where('dag_id', '=', run.dag_id).where('run_id', '=', run.run_id).where('state', 'in', states).execute())
        .map((t) => ({ dagId: run.dag_id, runId: run.run_id, taskId: t.task_id, mapIndex: t.map_index }));
    if (state === 'success') {
      const tis = await keys(UNFINISHED);
      if (tis.length) await casTaskInstanceStates(trx, tis, UNFINISHED, { state: 'success', end_date: ts, next_try_at: null });
    } else if (state === 'failed') {
      const running = await keys(RUNNING);
      if (running.length) await casTaskInstanceStates(trx, running, RUNNING, { state: 'failed', end_date: ts, next_try_at: null });
      const waiting = await keys(NOT_STARTED);
      if (waiting.length) await casTaskInstanceStates(trx, waiting, NOT_STARTED, { state: 'skipped', end_date: ts, next_try_at: null });
    }
    const patch = state === 'queued'
      ? { state, queued_at: ts, start_date: null, end_date: null, last_scheduling_decision: null }
      : { state, end_date: ts, ...(run.start_date ? {} : { start_date: ts }) };
    return casDagRunState(trx, { dagId: run.dag_id, runId: run.run_id }, RUN_STATES, patch);
  });
}

/** Deletes a run, its task instances, their history, XComs (files too) and dataset links. */
export async function deleteDagRun(db: Kysely<Schema>, run: DagRunRow, xcomFolder: string): Promise<boolean> {
  const deleted = await db.transaction().execute(async (trx) => {
    for (const table of ['xcom', 'task_reschedule', 'task_map', 'task_instance_history', 'task_instance'] as const) {
      await trx.deleteFrom(table).where('dag_id', '=', run.dag_id).where('run_id', '=', run.run_id).execute();
    }
    await trx.deleteFrom('dagrun_dataset_event').where('dag_run_id', '=', run.id).execute();
    const r = await trx.deleteFrom('dag_run').where('id', '=', run.id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  });
  if (deleted) deleteRunXComFiles({ folder: xcomFolder, maxInlineBytes: 0 }, run.dag_id, run.run_id);
  return deleted;
}
