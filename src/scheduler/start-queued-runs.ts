/**
 * Moves queued DAG runs to running, oldest logical date first, while the DAG has fewer than
 * maxActiveRuns running. Runs of paused DAGs stay queued, except backfill runs (as in Airflow,
 * a backfill runs whether or not its DAG is paused). A run that belongs to a backfill object
 * (backfills.ts) starts only while that backfill is not paused and has fewer than its own
 * max_active_runs running; backfills whose runs have all finished are marked completed.
 */
import { sql, type Kysely } from 'kysely';
import { casDagRunState, dialectOf, forUpdate, nowIso, type Schema } from '../store/index.ts';
import { completeFinishedBackfills } from './backfills.ts';

export async function startQueuedRuns(db: Kysely<Schema>): Promise<Array<{ id: number; dagId: string; runId: string }>> {
  const queued = await db
    .selectFrom('dag_run as r')
    .innerJoin('dag as d', 'd.dag_id', 'r.dag_id')
    .leftJoin('backfill as b', 'b.id', 'r.backfill_id')
    .leftJoin('backfill_dag_run as bdr', (j) => j.onRef('bdr.backfill_id', '=', 'r.backfill_id').onRef('bdr.run_id', '=', 'r.run_id'))
    .select(['r.id', 'r.dag_id', 'r.run_id', 'd.max_active_runs', 'r.backfill_id', 'b.max_active_runs as backfill_max_active_runs'])
    .where('r.state', '=', 'queued')
    .where((eb) => eb.or([eb('d.is_paused', '=', 0), eb('r.run_type', '=', 'backfill'), eb('r.backfill_id', 'is not', null)]))
    .where((eb) => eb.or([eb('r.backfill_id', 'is', null), eb('b.is_paused', '=', 0)]))
    .orderBy(sql`coalesce(bdr.sort_ordinal, 0)`)
    .orderBy('r.logical_date', 'asc')
    .execute();
  if (await db.selectFrom('backfill').select('id').where('completed_at', 'is', null).executeTakeFirst()) await completeFinishedBackfills(db);
  if (queued.length === 0) return [];
  const dagIds = [...new Set(queued.map((q) => q.dag_id))].sort();
  // Locked on PostgreSQL until the pass commits, so schedulers count running runs one at a time.
  if (dialectOf(db) === 'postgres') await forUpdate(db, db.selectFrom('dag').select('dag_id').where('dag_id', 'in', dagIds).orderBy('dag_id')).execute();
  const running = await db
    .selectFrom('dag_run')
    .select(['dag_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', '=', 'running')
    .where('dag_id', 'in', dagIds)
    .groupBy('dag_id')
    .execute();
  const count = new Map(running.map((r) => [r.dag_id, Number(r.n)]));
  const backfillIds = [...new Set(queued.map((q) => q.backfill_id).filter((id): id is number => id !== null))];
  const backfillRunning = new Map(
    (backfillIds.length ? await db.selectFrom('dag_run').select(['backfill_id', (eb) => eb.fn.countAll<number>().as('n')]).where('state', '=', 'running').where('backfill_id', 'in', backfillIds).groupBy('backfill_id').execute() : [])
      .map((r) => [r.backfill_id!, Number(r.n)]),
  );
  const started: Array<{ id: number; dagId: string; runId: string }> = [];
  for (const q of queued) {
    const n = count.get(q.dag_id) ?? 0;
    if (q.backfill_id !== null) {
      const b = backfillRunning.get(q.backfill_id) ?? 0;
      if (b >= (q.backfill_max_active_runs ?? 1)) continue;
    } else if (n >= q.max_active_runs) continue;
    const ts = nowIso();
    if (await casDagRunState(db, { dagId: q.dag_id, runId: q.run_id }, 'queued', { state: 'running', start_date: ts })) {
      if (q.backfill_id !== null) backfillRunning.set(q.backfill_id, (backfillRunning.get(q.backfill_id) ?? 0) + 1);
      count.set(q.dag_id, n + 1);
      started.push({ id: q.id, dagId: q.dag_id, runId: q.run_id });
    }
  }
  return started;
}
