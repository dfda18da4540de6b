/** DAG runs running longer than their DAG's dagrunTimeout fail; their unfinished tasks are skipped. */
import type { Kysely } from 'kysely';
import { casDagRunState, casTaskInstanceStates, nowIso, type Schema } from '../store/index.ts';
import type { SerializedDagCache } from './serialized-dags.ts';

export async function failTimedOutRuns(db: Kysely<Schema>, cache: SerializedDagCache, now: Date): Promise<string[]> {
  const runs = await db.selectFrom('dag_run').select(['dag_id', 'run_id', 'start_date']).where('state', '=', 'running').execute();
  const touched: string[] = [];
  for (const r of runs) {
    const d = await cache.get(db, r.dag_id);
    if (!d?.dagrunTimeout || !r.start_date) continue;
    if (now.getTime() - Date.parse(r.start_date) <= d.dagrunTimeout * 1000) continue;
    await db.transaction().execute(async (trx) => {
      const tis = await trx
        .selectFrom('task_instance')
        .select(['task_id', 'map_index', 'state'])
        .where('dag_id', '=', r.dag_id)
        .where('run_id', '=', r.run_id)
        .where('state', 'in', ['none', 'scheduled', 'queued', 'running', 'up_for_retry', 'up_for_reschedule', 'deferred'])
        .execute();
      await casTaskInstanceStates(trx, tis.map((t) => ({ dagId: r.dag_id, runId: r.run_id, taskId: t.task_id, mapIndex: t.map_index })), [...new Set(tis.map((t) => t.state))], { state: 'skipped', end_date: nowIso() });
      await casDagRunState(trx, { dagId: r.dag_id, runId: r.run_id }, 'running', { state: 'failed', end_date: nowIso() });
    });
    touched.push(`${r.dag_id}\u0000${r.run_id}`);
  }
  return touched;
}
