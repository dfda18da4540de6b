/**
 * Creates dataset-triggered runs: a DAG scheduled on datasets (or asset aliases, which stand for
 * the assets they have resolved to) gets one run when its dataset condition holds over the events
 * queued since its last run; several events collapse into
 * that one run, which records them (dagrun_dataset_event).
 */
import type { Kysely } from 'kysely';
import { aliasNames, evaluateDatasetCondition } from '../core/timetable/index.ts';
import { forUpdate, inTransaction, type Schema } from '../store/index.ts';
import { createDagRun } from './create-run.ts';
import { resolvedAliases } from './datasets.ts';
import type { SerializedDagCache } from './serialized-dags.ts';

export async function createDatasetRuns(db: Kysely<Schema>, cache: SerializedDagCache, now: Date, jobId: number | null): Promise<Array<{ dagId: string; runId: string }>> {
  const queued = await db
    .selectFrom('dataset_dag_run_queue as q')
    .innerJoin('dataset as ds', 'ds.id', 'q.dataset_id')
    .innerJoin('dag as d', 'd.dag_id', 'q.target_dag_id')
    .select(['q.target_dag_id', 'q.dataset_id', 'q.created_at', 'ds.uri'])
    .where('d.is_paused', '=', 0)
    .where('d.is_active', '=', 1)
    .execute();
  const byDag = new Map<string, typeof queued>();
  for (const q of queued) (byDag.get(q.target_dag_id) ?? byDag.set(q.target_dag_id, []).get(q.target_dag_id)!).push(q);
  const created: Array<{ dagId: string; runId: string }> = [];
  for (const [dagId, rows] of byDag) {
    const d = await cache.get(db, dagId);
    if (!d || d.schedule.kind !== 'dataset') continue;
    // An alias in the condition holds when an asset it has resolved to has queued events.
    const aliases = await resolvedAliases(db, aliasNames(d.schedule.condition));
    if (!evaluateDatasetCondition(d.schedule.condition, new Set(rows.map((r) => r.uri)), aliases)) continue;
    await inTransaction(db, async (trx) => {
      // One scheduler at a time per DAG (PostgreSQL): another one holding it is creating this run.
      if (!(await forUpdate(trx, trx.selectFrom('dag').select('dag_id').where('dag_id', '=', dagId), { skipLocked: true }).executeTakeFirst())) return;
      const still = await trx.selectFrom('dataset_dag_run_queue').select('dataset_id').where('target_dag_id', '=', dagId).execute();
      const stillIds = new Set(still.map((r) => r.dataset_id));
      if (d.schedule.kind !== 'dataset' || !evaluateDatasetCondition(d.schedule.condition, new Set(rows.filter((r) => stillIds.has(r.dataset_id)).map((r) => r.uri)), aliases)) return;
      const ids = rows.map((r) => r.dataset_id);
      const since = await trx
        .selectFrom('dag_run')
        .select((eb) => eb.fn.max('logical_date').as('last'))
        .where('dag_id', '=', dagId)
        .where('run_type', '=', 'dataset_triggered')
        .executeTakeFirst();
      let events = trx
        .selectFrom('dataset_event')
        .select(['id', 'timestamp'])
        .where('dataset_id', 'in', ids);
      if (since?.last) events = events.where('timestamp', '>', since.last as string);
      const evs = await events.orderBy('timestamp', 'asc').execute();
      const first = evs[0]?.timestamp ?? now.toISOString();
      const last = evs[evs.length - 1]?.timestamp ?? now.toISOString();
      let logical = new Date(last);
      const taken = await trx.selectFrom('dag_run').select('id').where('dag_id', '=', dagId).where('logical_date', '=', logical.toISOString()).executeTakeFirst();
      if (taken) logical = new Date(Math.max(now.getTime(), logical.getTime() + 1));
      const run = await createDagRun(trx, {
        dag: d, runType: 'dataset_triggered', logicalDate: logical, dataInterval: { start: new Date(first), end: new Date(last) },
        externalTrigger: false, creatingJobId: jobId,
      });
      if (evs.length) await trx.insertInto('dagrun_dataset_event').values(evs.map((e) => ({ dag_run_id: run.id, event_id: e.id }))).onConflict((oc) => oc.doNothing()).execute();
      await trx.deleteFrom('dataset_dag_run_queue').where('target_dag_id', '=', dagId).where('dataset_id', 'in', ids).execute();
      created.push({ dagId, runId: run.runId });
    });
  }
  return created;
}
