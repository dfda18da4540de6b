/**
 * Marking task instances success, failed or skipped by hand, as Airflow's
 * `set_task_instance_state`: each TI moves by compare-and-set from the state it was read in,
 * then the failed and upstream_failed task instances downstream of the marked tasks in the same
 * runs are cleared, so a run blocked by the marked task can go on.
 */
import type { Kysely } from 'kysely';
import type { SerializedDag } from '../../core/serialized-dag.ts';
import { clearTaskInstances, findTaskInstancesToClear, selectTaskIds } from '../../scheduler/clear-tasks.ts';
import { casTaskInstanceState, nowIso, type Schema } from '../../store/index.ts';
import type { TiWithRun } from '../views/runs.ts';

/** The states a user may mark a task instance with. */
export type MarkState = 'success' | 'failed' | 'skipped';

/** A regular expression matching exactly these task ids. */
export function exactTaskIds(ids: string[]): RegExp {
  return new RegExp(`^(?:${ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
}

/**
 * Marks `tis` (those not already in `state`); returns the ones that moved, or with `dryRun`
 * the ones that would.
 */
export async function markTaskInstances(db: Kysely<Schema>, dag: SerializedDag, tis: TiWithRun[], state: MarkState, o: { dryRun: boolean; xcomFolder: string }): Promise<TiWithRun[]> {
  const todo = tis.filter((t) => t.state !== state);
  if (o.dryRun || todo.length === 0) return todo;
  const ts = nowIso();
  const moved = await db.transaction().execute(async (trx) => {
    const out: TiWithRun[] = [];
    for (const ti of todo) {
      const ok = await casTaskInstanceState(trx, { dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index }, ti.state, {
        state, end_date: ts, start_date: ti.start_date ?? ts, next_try_at: null, trigger_id: null, next_method: null, next_kwargs: null,
      });
      if (ok) out.push({ ...ti, state });
    }
    return out;
  });
  if (moved.length) {
    const marked = [...new Set(moved.map((t) => t.task_id))];
    const downstream = selectTaskIds(dag, { taskRegex: exactTaskIds(marked), downstream: true }).filter((id) => !marked.includes(id));
    if (downstream.length) {
      const runIds = [...new Set(moved.map((t) => t.run_id))];
      const failed = await findTaskInstancesToClear(db, dag, { taskRegex: exactTaskIds(downstream), runIds, onlyFailed: true });
      if (failed.length) await clearTaskInstances(db, dag, failed, { xcomFolder: o.xcomFolder });
    }
  }
  return moved;
}
