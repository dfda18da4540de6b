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
 * Records one event per URI and queues every DAG scheduled on those datasets (directly, or on an
 * asset alias that has resolved to one of them).
 * Returns the ids of the DAGs that were queued (so the scheduler can look at them).
 */
export async function recordDatasetEvents(trx: Kysely<Schema>, uris: string[], source: DatasetEventSource, extra: Record<string, unknown> = {}, at = new Date()): Promise<string[]> {
  if (uris.length === 0) return [];
  const ids = await ensureDatasets(trx, uris);
  const ts = at.toISOString();
  await trx
    .insertInto('dataset_event')
    .values([...ids.values()].map((datasetId) => eventRow(datasetId, source, extra, ts)))
    .execute();
  return queueConsumers(trx, [...ids.values()], ts);
}

/** An event added through asset aliases (see `recordAliasEvents`). */
export interface AliasEventInput {
  uri: string;
  extra: Record<string, unknown>;
  /** Names of the aliases it was added through. */
  aliases: string[];
}

/** Ids of the asset aliases with these names, creating missing ones (group "asset"). */
export async function ensureAliases(trx: Kysely<Schema>, names: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(names)];
  const ids = new Map<string, number>();
  if (unique.length === 0) return ids;
  await trx.insertInto('asset_alias').values(unique.map((name) => ({ name, group: 'asset' }))).onConflict((oc) => oc.column('name').doNothing()).execute();
  for (const r of await trx.selectFrom('asset_alias').select(['id', 'name']).where('name', 'in', unique).execute()) ids.set(r.name, r.id);
  return ids;
}

/**
 * Records events added through asset aliases at run time (Airflow 3): for each, the asset is
 * created when it does not exist, each alias resolves to it (asset_alias_asset), one event is
 * recorded and linked to those aliases (asset_alias_asset_event), and the DAGs scheduled on the
 * asset or on an alias resolved to it are queued. Returns the ids of the queued DAGs.
 */
export async function recordAliasEvents(trx: Kysely<Schema>, events: AliasEventInput[], source: DatasetEventSource, at = new Date()): Promise<string[]> {
  if (events.length === 0) return [];
  const ts = at.toISOString();
  const aliasIds = await ensureAliases(trx, events.flatMap((e) => e.aliases));
  const assetIds = await ensureDatasets(trx, events.map((e) => e.uri));
  const queued = new Set<string>();
  for (const e of events) {
    const assetId = assetIds.get(e.uri)!;
    const aliases = [...new Set(e.aliases)].map((name) => aliasIds.get(name)!);
    await trx.insertInto('asset_alias_asset').values(aliases.map((aliasId) => ({ alias_id: aliasId, asset_id: assetId }))).onConflict((oc) => oc.columns(['alias_id', 'asset_id']).doNothing()).execute();
    const { id } = await trx.insertInto('dataset_event').values(eventRow(assetId, source, e.extra, ts)).returning('id').executeTakeFirstOrThrow();
    await trx.insertInto('asset_alias_asset_event').values(aliases.map((aliasId) => ({ alias_id: aliasId, event_id: id }))).execute();
    for (const dagId of await queueConsumers(trx, [assetId], ts)) queued.add(dagId);
  }
  return [...queued];
}

function eventRow(datasetId: number, source: DatasetEventSource, extra: Record<string, unknown>, ts: string) {
  return {
    dataset_id: datasetId,
    extra: JSON.stringify(extra),
    source_dag_id: source.dagId,
    source_task_id: source.taskId,
    source_run_id: source.runId,
    source_map_index: source.mapIndex,
    timestamp: ts,
  };
}

/**
 * Queues (dataset_dag_run_queue) every active DAG scheduled on one of these datasets, directly
 * or through an asset alias that has resolved to it; returns their ids.
 */
async function queueConsumers(trx: Kysely<Schema>, datasetIds: number[], ts: string): Promise<string[]> {
  const consumers = await datasetConsumers(trx, datasetIds, { activeOnly: true });
  if (consumers.length) {
    await trx
      .insertInto('dataset_dag_run_queue')
      .values(consumers.map((c) => ({ dataset_id: c.dataset_id, target_dag_id: c.dag_id, created_at: ts })))
      .onConflict((oc) => oc.columns(['dataset_id', 'target_dag_id']).doNothing())
      .execute();
  }
  return [...new Set(consumers.map((c) => c.dag_id))];
}

/**
 * The DAGs scheduled on these datasets: directly (dag_schedule_dataset_reference) or on an
 * asset alias that has resolved to the dataset. One row per dataset and DAG.
 */
export async function datasetConsumers(db: Kysely<Schema>, datasetIds: number[], o: { activeOnly: boolean }): Promise<Array<{ dataset_id: number; dag_id: string }>> {
  if (datasetIds.length === 0) return [];
  let direct = db
    .selectFrom('dag_schedule_dataset_reference as r')
    .innerJoin('dag as d', 'd.dag_id', 'r.dag_id')
    .select(['r.dataset_id', 'r.dag_id'])
    .where('r.dataset_id', 'in', datasetIds);
  let viaAlias = db
    .selectFrom('dag_schedule_asset_alias_reference as r')
    .innerJoin('asset_alias_asset as aa', 'aa.alias_id', 'r.alias_id')
    .innerJoin('dag as d', 'd.dag_id', 'r.dag_id')
    .select(['aa.asset_id as dataset_id', 'r.dag_id'])
    .where('aa.asset_id', 'in', datasetIds);
  if (o.activeOnly) {
    direct = direct.where('d.is_active', '=', 1);
    viaAlias = viaAlias.where('d.is_active', '=', 1);
  }
  const rows = [...(await direct.execute()), ...(await viaAlias.execute())];
  return [...new Map(rows.map((r) => [`${r.dataset_id}\u0000${r.dag_id}`, r])).values()];
}

/** The URIs each of these asset aliases has resolved to, by alias name. */
export async function resolvedAliases(db: Kysely<Schema>, names: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (names.length === 0) return out;
  const rows = await db
    .selectFrom('asset_alias as a')
    .innerJoin('asset_alias_asset as aa', 'aa.alias_id', 'a.id')
    .innerJoin('dataset as ds', 'ds.id', 'aa.asset_id')
    .select(['a.name', 'ds.uri'])
    .where('a.name', 'in', [...new Set(names)])
    .orderBy('ds.uri')
    .execute();
  for (const r of rows) (out.get(r.name) ?? out.set(r.name, []).get(r.name)!).push(r.uri);
  return out;
}
