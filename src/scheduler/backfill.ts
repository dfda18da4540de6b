/**
 * Backfill: one run of type `backfill` per schedule interval whose logical date lies in
 * [start, end]. A run that already exists at one of those logical dates is skipped, or — when
 * resetting — cleared and queued again.
 */
import type { Kysely } from 'kysely';
import type { SerializedDag } from '../core/serialized-dag.ts';
import type { DagRunState, DagRunType } from '../core/states.ts';
import { dataIntervalsBetween, type DagRunInfo } from '../core/timetable/index.ts';
import { casDagRunState, nowIso, type Schema } from '../store/index.ts';
import { clearTaskInstances, findTaskInstancesToClear } from './clear-tasks.ts';
import { createDagRun, defaultRunId } from './create-run.ts';

export interface BackfillSlot {
  info: DagRunInfo;
  /** The run to create, or the existing run at this logical date. */
  runId: string;
  existing: { state: DagRunState; runType: DagRunType } | null;
  action: 'create' | 'skip' | 'reset';
}

/**
 * The slots of a backfill, in logical-date order.
 * @throws Error when the DAG's schedule has no time-based intervals.
 */
export async function planBackfill(db: Kysely<Schema>, dag: SerializedDag, start: Date, end: Date, resetDagRuns: boolean): Promise<BackfillSlot[]> {
  const infos = dataIntervalsBetween(dag.schedule, dag.timezone, start, end);
  if (infos.length === 0) return [];
  const rows = await db
    .selectFrom('dag_run')
    .select(['run_id', 'logical_date', 'state', 'run_type'])
    .where('dag_id', '=', dag.dagId)
    .where('logical_date', '>=', infos[0]!.logicalDate.toISOString())
    .where('logical_date', '<=', infos.at(-1)!.logicalDate.toISOString())
    .execute();
  const byDate = new Map(rows.map((r) => [r.logical_date, r]));
  return infos.map((info) => {
    const row = byDate.get(info.logicalDate.toISOString());
    if (!row) return { info, runId: defaultRunId('backfill', info.logicalDate), existing: null, action: 'create' };
    return { info, runId: row.run_id, existing: { state: row.state, runType: row.run_type }, action: resetDagRuns ? 'reset' : 'skip' };
  });
}

/**
 * Creates the planned runs (queued) and resets the existing ones when asked. Returns the ids of
 * the runs the backfill now waits for. `conf` is validated against the DAG's params.
 */
export async function applyBackfill(
  db: Kysely<Schema>,
  dag: SerializedDag,
  slots: BackfillSlot[],
  o: { conf?: Record<string, unknown>; xcomFolder: string; creatingJobId?: number | null },
): Promise<string[]> {
  const toCreate = slots.filter((s) => s.action === 'create');
  const toReset = slots.filter((s) => s.action === 'reset');
  await db.transaction().execute(async (trx) => {
    for (const s of toCreate) {
      await createDagRun(trx, {
        dag, runType: 'backfill', runId: s.runId, logicalDate: s.info.logicalDate, dataInterval: s.info.dataInterval,
        conf: o.conf ?? {}, externalTrigger: false, creatingJobId: o.creatingJobId ?? null,
      });
    }
  });
  if (toReset.length) {
    const tis = await findTaskInstancesToClear(db, dag, { runIds: toReset.map((s) => s.runId) });
    await clearTaskInstances(db, dag, tis, { xcomFolder: o.xcomFolder });
    // A finished run with nothing to clear (its tasks never ran) is queued again as well.
    const ts = nowIso();
    for (const s of toReset) {
      await casDagRunState(db, { dagId: dag.dagId, runId: s.runId }, ['success', 'failed'], { state: 'queued', queued_at: ts, start_date: null, end_date: null, last_scheduling_decision: null });
    }
  }
  return [...toCreate, ...toReset].map((s) => s.runId);
}
