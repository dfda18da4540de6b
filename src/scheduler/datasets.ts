/**
 * Datasets: rows for URIs, events recorded when a producing task succeeds, and the queue of
 * DAGs waiting on them (Airflow's dataset_dag_run_queue).
 */
import type { Kysely } from 'kysely';
import { nowIso, type Schema } from '../store/index.ts';

/** Ids of the datasets with these URIs, creating missing ones. */
export async function ensureDatasets(trx: Kysely<Schema>, uris: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(uris)];
  const ids = new Map<string, number>();
  if (unique.length === 0) return ids;
  const ts = nowIso();
  await trx
    .insertInto('dataset')
    .values(unique.map((uri) => ({ uri, extra: '{}', created_at: ts, updated_at: ts })))
    .onConflict((oc) => oc.column('uri').doNothing())
    .execute();
  const rows = await trx.selectFrom('dataset').select(['id', 'uri']).where('uri', 'in', unique).execute();
  for (const r of rows) ids.set(r.uri, r.id);
  return ids;
}

export interface DatasetEventSource {
  dagId: string | null;
  taskId: string | null;
  runId: string | null;
  mapIndex: number | null;
}

/**
 * Records one event per URI and queues every DAG scheduled on those datasets.
 * Returns the ids of the DAGs that were queued (so the scheduler can look at them).
 */
export async function recordDatasetEvents(trx: Kysely<Schema>, uris: string[], source: DatasetEventSource, extra: Record<string, unknown> = {}, at = new Date()): Promise<string[]> {
  if (uris.length === 0) return [];
  const ids = await ensureDatasets(trx, uris);
  const ts = at.toISOString();
  await trx
    .insertInto('dataset_event')
    .values([...ids.values()].map((datasetId) => ({
      dataset_id: datasetId,
      extra: JSON.stringify(extra),
      source_dag_id: source.dagId,
      source_task_id: source.taskId,
      source_run_id: source.runId,
      source_map_index: source.mapIndex,
      timestamp: ts,
    })))
    .execute();
  const consumers = await trx
    .selectFrom('dag_schedule_dataset_reference as r')
    .innerJoin('dag as d', 'd.dag_id', 'r.dag_id')
    .select(['r.dag_id', 'r.dataset_id'])
    .where('r.dataset_id', 'in', [...ids.values()])
    .where('d.is_active', '=', 1)
    .execute();
  if (consumers.length) {
    await trx
      .insertInto('dataset_dag_run_queue')
      .values(consumers.map((c) => ({ dataset_id: c.dataset_id, target_dag_id: c.dag_id, created_at: ts })))
      .onConflict((oc) => oc.columns(['dataset_id', 'target_dag_id']).doNothing())
      .execute();
  }
  return [...new Set(consumers.map((c) => c.dag_id))];
}
