/**
 * Clearing task instances, as Airflow's `clear`: each TI goes back to no state so the scheduler
 * runs it again. Its try number is kept, its max tries is raised to try number + the task's
 * retries (so the new attempt gets its retries), its XComs and reschedules are deleted, and a
 * finished run it belongs to goes back to `queued`. Queued and running TIs are left alone: an
 * executor owns them until they finish.
 */
import { rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { SerializedDag } from '../core/serialized-dag.ts';
import type { TaskInstanceState } from '../core/states.ts';
import { casDagRunState, casTaskInstanceState, nowIso, type DagRunKey, type Schema, type TaskInstanceKey } from '../store/index.ts';
import { inTransaction } from '../store/in-transaction.ts';

export interface ClearFilter {
  /** Tasks whose id matches (anywhere in the id, as Airflow's --task-regex); all when left out. */
  taskRegex?: RegExp;
  /** Also the tasks downstream / upstream of the matched ones (transitively). */
  downstream?: boolean;
  upstream?: boolean;
  /** Runs whose logical date is in [start, end]. */
  start?: Date;
  end?: Date;
  /** Only these runs. */
  runIds?: string[];
  /** Only TIs in `failed` or `upstream_failed`. */
  onlyFailed?: boolean;
}

export interface ClearCandidate extends TaskInstanceKey {
  state: TaskInstanceState;
  tryNumber: number;
  logicalDate: string;
}

export interface ClearResult {
  cleared: TaskInstanceKey[];
  /** Queued or running TIs, left alone. */
  active: TaskInstanceKey[];
  /** Finished runs moved back to queued. */
  requeuedRuns: DagRunKey[];
}

const ACTIVE: ReadonlySet<TaskInstanceState> = new Set(['queued', 'running']);

/** The task ids the filter selects, with downstream / upstream tasks when asked. */
export function selectTaskIds(dag: SerializedDag, f: Pick<ClearFilter, 'taskRegex' | 'downstream' | 'upstream'>): string[] {
  const matched = dag.tasks.filter((t) => !f.taskRegex || f.taskRegex.test(t.taskId)).map((t) => t.taskId);
  const byId = new Map(dag.tasks.map((t) => [t.taskId, t]));
  const out = new Set(matched);
  const walk = (start: string[], next: (id: string) => string[]) => {
    const stack = [...start];
    while (stack.length) {
      for (const n of next(stack.pop()!)) {
        if (!out.has(n)) {
          out.add(n);
          stack.push(n);
        }
      }
    }
  };
  if (f.downstream) walk(matched, (id) => byId.get(id)?.downstream ?? []);
  if (f.upstream) walk(matched, (id) => byId.get(id)?.upstream ?? []);
  return dag.tasks.map((t) => t.taskId).filter((id) => out.has(id));
}

/** The TIs a clear with this filter would touch (TIs already without a state are left out). */
export async function findTaskInstancesToClear(db: Kysely<Schema>, dag: SerializedDag, f: ClearFilter): Promise<ClearCandidate[]> {
  const taskIds = selectTaskIds(dag, f);
  if (taskIds.length === 0) return [];
  let q = db
    .selectFrom('task_instance as ti')
    .innerJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'ti.dag_id').onRef('r.run_id', '=', 'ti.run_id'))
    .select(['ti.dag_id', 'ti.run_id', 'ti.task_id', 'ti.map_index', 'ti.state', 'ti.try_number', 'r.logical_date'])
    .where('ti.dag_id', '=', dag.dagId)
    .where('ti.task_id', 'in', taskIds)
    .where('ti.state', '!=', 'none');
  if (f.start) q = q.where('r.logical_date', '>=', f.start.toISOString());
  if (f.end) q = q.where('r.logical_date', '<=', f.end.toISOString());
  if (f.runIds) q = q.where('ti.run_id', 'in', f.runIds.length ? f.runIds : ['\u0000']);
  if (f.onlyFailed) q = q.where('ti.state', 'in', ['failed', 'upstream_failed']);
  const rows = await q.orderBy('r.logical_date').orderBy('ti.task_id').orderBy('ti.map_index').execute();
  return rows.map((r) => ({ dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: r.map_index, state: r.state, tryNumber: r.try_number, logicalDate: r.logical_date }));
}

/** Clears the given TIs (compare-and-set against the state they were read in). */
export async function clearTaskInstances(db: Kysely<Schema>, dag: SerializedDag, tis: ClearCandidate[], o: { xcomFolder: string }): Promise<ClearResult> {
  const retries = new Map(dag.tasks.map((t) => [t.taskId, t.retries]));
  const result: ClearResult = { cleared: [], active: [], requeuedRuns: [] };
  const refs: string[] = [];
  // Joins the caller's transaction when given one (a backfill reprocesses runs as it is created).
  await inTransaction(db, async (trx) => {
    for (const ti of tis) {
      const key: TaskInstanceKey = { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex };
      if (ACTIVE.has(ti.state)) {
        result.active.push(key);
        continue;
      }
      const moved = await casTaskInstanceState(trx, key, ti.state, {
        state: 'none', max_tries: ti.tryNumber + (retries.get(ti.taskId) ?? 0), next_try_at: null, next_method: null,
        next_kwargs: null, trigger_id: null, external_executor_id: null, queued_by_job_id: null,
      });
      if (!moved) {
        result.active.push(key);
        continue;
      }
      result.cleared.push(key);
      const xcoms = await trx.selectFrom('xcom').select('value_ref').where('dag_id', '=', key.dagId).where('run_id', '=', key.runId).where('task_id', '=', key.taskId).where('map_index', '=', key.mapIndex).execute();
      for (const x of xcoms) if (x.value_ref) refs.push(x.value_ref);
      await trx.deleteFrom('xcom').where('dag_id', '=', key.dagId).where('run_id', '=', key.runId).where('task_id', '=', key.taskId).where('map_index', '=', key.mapIndex).execute();
      await trx.deleteFrom('task_reschedule').where('dag_id', '=', key.dagId).where('run_id', '=', key.runId).where('task_id', '=', key.taskId).where('map_index', '=', key.mapIndex).execute();
    }
    const runIds = [...new Set(result.cleared.map((k) => k.runId))];
    const ts = nowIso();
    for (const runId of runIds) {
      const key = { dagId: dag.dagId, runId };
      if (await casDagRunState(trx, key, ['success', 'failed'], { state: 'queued', queued_at: ts, start_date: null, end_date: null, last_scheduling_decision: null })) {
        result.requeuedRuns.push(key);
      }
    }
  });
  for (const ref of refs) {
    const path = resolve(o.xcomFolder, ref);
    if (!relative(o.xcomFolder, path).startsWith('..')) rmSync(path, { force: true });
  }
  return result;
}
