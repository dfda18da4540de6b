/**
 * Assets (Airflow 3's name for datasets: the same rows and events as v1's `/datasets`): list
 * (`name_pattern`, `uri_pattern`, `dag_ids`), get by id, events (list with ranges; create an
 * external event, which queues the DAGs scheduled on the asset and wakes the scheduler),
 * materialize (trigger the DAG that produces the asset), queued events per asset and per DAG,
 * a run's upstream events, and asset aliases (list with `name_pattern`, get by id). An asset's
 * `aliases` are the aliases that have resolved to it, and its `scheduled_dags` include the DAGs
 * scheduled on those aliases.
 */
import type { Kysely } from 'kysely';
import { createDagRun, RunConflictError } from '../../../scheduler/create-run.ts';
import { recordDatasetEvents } from '../../../scheduler/datasets.ts';
import type { Schema } from '../../../store/index.ts';
import { requireDag, requireDagRow, requireRun } from '../../lookups.ts';
import { datasetEventQuery, renderDatasetEvents, renderDatasets, type DatasetEventRow } from '../../views/datasets.ts';
import { param, route, type RouteDef, type V2Deps } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { applyPage, applyPatterns, applyRanges, countRows, readPage } from '../listing.ts';
import { renderRuns } from './dag-runs.ts';

const ASSET_ORDER = { id: 'id', name: 'uri', uri: 'uri', created_at: 'created_at', updated_at: 'updated_at' };
const EVENT_ORDER = { timestamp: 'e.timestamp', id: 'e.id', source_task_id: 'e.source_task_id', source_dag_id: 'e.source_dag_id', source_run_id: 'e.source_run_id', source_map_index: 'e.source_map_index' };

/** Assets in the AssetResponse shape (an asset's name is its URI). */
async function renderAssets(db: Kysely<Schema>, rows: Array<{ id: number; uri: string; extra: string; created_at: string; updated_at: string }>) {
  const base = await renderDatasets(db, rows);
  const last = new Map<number, { id: number; timestamp: string }>();
  if (rows.length) {
    for (const e of await db.selectFrom('dataset_event').select(['dataset_id', 'id', 'timestamp']).where('dataset_id', 'in', rows.map((r) => r.id)).orderBy('id').execute()) last.set(e.dataset_id, { id: e.id, timestamp: e.timestamp });
  }
  const aliases = new Map<number, Array<{ id: number; name: string; group: string }>>();
  if (rows.length) {
    const linked = await db.selectFrom('asset_alias_asset as aa').innerJoin('asset_alias as a', 'a.id', 'aa.alias_id')
      .select(['aa.asset_id', 'a.id', 'a.name', 'a.group']).where('aa.asset_id', 'in', rows.map((r) => r.id)).orderBy('a.name').execute();
    for (const a of linked) (aliases.get(a.asset_id) ?? aliases.set(a.asset_id, []).get(a.asset_id)!).push({ id: a.id, name: a.name, group: a.group });
  }
  return base.map((d) => ({
    id: d.id, name: d.uri, uri: d.uri, group: 'asset', extra: d.extra, created_at: d.created_at, updated_at: d.updated_at,
    scheduled_dags: d.consuming_dags, producing_tasks: d.producing_tasks, consuming_tasks: [], aliases: aliases.get(d.id) ?? [], watchers: [],
    last_asset_event: last.get(d.id) ?? null,
  }));
}

/** Events in the AssetEventResponse shape. */
export async function renderAssetEvents(db: Kysely<Schema>, rows: DatasetEventRow[]) {
  return (await renderDatasetEvents(db, rows)).map((e) => ({
    id: e.id, asset_id: e.dataset_id, uri: e.dataset_uri, name: e.dataset_uri, group: 'asset', extra: e.extra, source_task_id: e.source_task_id,
    source_dag_id: e.source_dag_id, source_run_id: e.source_run_id, source_map_index: e.source_map_index ?? -1, partition_key: null, timestamp: e.timestamp,
    created_dagruns: e.created_dagruns.map((r) => ({ run_id: r.run_id, dag_id: r.dag_id, logical_date: r.logical_date, start_date: r.start_date ?? r.logical_date, end_date: r.end_date, state: r.state, data_interval_start: r.data_interval_start, data_interval_end: r.data_interval_end })),
  }));
}

/** Asset routes. */
export function assetRoutes(deps: V2Deps): RouteDef[] {
  const requireAsset = async (id: number) => {
    const row = await deps.db.selectFrom('dataset').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`The Asset with ID: \`${id}\` was not found`);
    return row;
  };
  const queued = (q: { dataset_id: number; target_dag_id: string; created_at: string }) => ({ asset_id: q.dataset_id, dag_id: q.target_dag_id, created_at: q.created_at, dag_display_name: q.target_dag_id });
  const queueQuery = () => deps.db.selectFrom('dataset_dag_run_queue').selectAll();
  return [
    route('get_assets', ['read', 'Datasets'], async (c, input) => {
      const p = input.params;
      let q = deps.db.selectFrom('dataset').selectAll();
      if (p.only_active !== false) q = q.where('is_orphaned', '=', 0);
      q = applyPatterns(q, p, { name_pattern: 'uri', uri_pattern: 'uri' });
      const dagIds = (p.dag_ids as string[] | undefined)?.flatMap((v) => v.split(',')).filter(Boolean);
      if (dagIds?.length) {
        q = q.where((eb) => eb.or([
          eb('id', 'in', eb.selectFrom('dag_schedule_dataset_reference').select('dataset_id').where('dag_id', 'in', dagIds)),
          eb('id', 'in', eb.selectFrom('dag_schedule_asset_alias_reference as r').innerJoin('asset_alias_asset as aa', 'aa.alias_id', 'r.alias_id').select('aa.asset_id').where('r.dag_id', 'in', dagIds)),
          eb('id', 'in', eb.selectFrom('task_outlet_dataset_reference').select('dataset_id').where('dag_id', 'in', dagIds)),
        ]));
      }
      const total = await countRows(q);
      return c.json({ assets: await renderAssets(deps.db, await applyPage(q, readPage(input, ASSET_ORDER, 'id')).execute()), total_entries: total });
    }),
    route('get_asset', ['read', 'Datasets'], async (c, input) => c.json((await renderAssets(deps.db, [await requireAsset(param<number>(input, 'asset_id'))]))[0])),
    route('get_asset_events', ['read', 'Datasets'], async (c, input) => {
      const p = input.params;
      let q = datasetEventQuery(deps.db);
      if (typeof p.asset_id === 'number') q = q.where('e.dataset_id', '=', p.asset_id);
      for (const name of ['source_dag_id', 'source_task_id', 'source_run_id'] as const) if (typeof p[name] === 'string') q = q.where(`e.${name}`, '=', p[name] as string);
      if (typeof p.source_map_index === 'number') q = q.where('e.source_map_index', '=', p.source_map_index);
      q = applyRanges(q, p, { timestamp: 'e.timestamp' });
      q = applyPatterns(q, p, { name_pattern: 'd.uri' });
      const total = await countRows(q);
      const rows = await applyPage(q, readPage(input, EVENT_ORDER, 'timestamp')).orderBy('e.id').execute();
      return c.json({ asset_events: await renderAssetEvents(deps.db, rows), total_entries: total });
    }),
    route('create_asset_event', ['create', 'Datasets'], async (c, input) => {
      const b = input.body as { asset_id: number; extra?: Record<string, unknown> };
      const asset = await requireAsset(b.asset_id);
      const extra = { ...(b.extra ?? {}), from_rest_api: true };
      const eventId = await deps.db.transaction().execute(async (trx) => {
        await recordDatasetEvents(trx, [asset.uri], { dagId: null, taskId: null, runId: null, mapIndex: null }, extra);
        return (await trx.selectFrom('dataset_event').select('id').where('dataset_id', '=', asset.id).orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
      });
      await deps.audit(c, { event: 'asset_event.create', extra: { asset_id: asset.id, uri: asset.uri, event_id: eventId } });
      deps.changed();
      return c.json((await renderAssetEvents(deps.db, await datasetEventQuery(deps.db).where('e.id', '=', eventId).execute()))[0]);
    }),
    route('materialize_asset', ['create', 'DAG Runs'], async (c, input) => {
      const asset = await requireAsset(param<number>(input, 'asset_id'));
      const producers = [...new Set((await deps.db.selectFrom('task_outlet_dataset_reference').select('dag_id').where('dataset_id', '=', asset.id).execute()).map((r) => r.dag_id))];
      if (producers.length === 0) throw notFound(`No DAG produces the asset \`${asset.uri}\`.`);
      if (producers.length > 1) throw conflict(`More than one DAG produces the asset \`${asset.uri}\` (${producers.join(', ')}); trigger the one you mean.`);
      const dagId = producers[0]!;
      const row = await requireDagRow(deps.db, dagId);
      if (row.has_import_errors) throw badRequest(`Dag with dag_id: '${dagId}' has import errors.`);
      const dag = await requireDag(deps, dagId);
      const created = await deps.db.transaction().execute(async (trx) => {
        const made = await createDagRun(trx, { dag, runType: 'manual', externalTrigger: true, conf: {} });
        await trx.updateTable('dag_run').set({ has_logical_date: 0, triggering_user_name: c.get('principal')?.username ?? null }).where('id', '=', made.id).execute();
        return made;
      }).catch((e: unknown) => {
        if (e instanceof RunConflictError) throw conflict(e.message);
        throw e;
      });
      await deps.audit(c, { event: 'asset.materialize', dagId, runId: created.runId, extra: { asset_id: asset.id } });
      deps.changed();
      return c.json((await renderRuns(deps.db, [await requireRun(deps.db, dagId, created.runId)]))[0]);
    }),
    route('get_asset_queued_events', ['read', 'Datasets'], async (c, input) => {
      const asset = await requireAsset(param<number>(input, 'asset_id'));
      let q = queueQuery().where('dataset_id', '=', asset.id);
      if (typeof input.params.before === 'string') q = q.where('created_at', '<', input.params.before);
      const rows = await q.orderBy('target_dag_id').execute();
      return c.json({ queued_events: rows.map(queued), total_entries: rows.length });
    }),
    route('delete_asset_queued_events', ['delete', 'Datasets'], async (c, input) => {
      const asset = await requireAsset(param<number>(input, 'asset_id'));
      let q = deps.db.deleteFrom('dataset_dag_run_queue').where('dataset_id', '=', asset.id);
      if (typeof input.params.before === 'string') q = q.where('created_at', '<', input.params.before);
      const r = await q.executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound(`Queue event with asset_id: \`${asset.id}\` was not found`);
      await deps.audit(c, { event: 'asset.queued_events.delete', extra: { asset_id: asset.id } });
      return c.body(null, 204);
    }),
    route('get_dag_asset_queued_events', ['read', 'Datasets'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      let q = queueQuery().where('target_dag_id', '=', dagId);
      if (typeof input.params.before === 'string') q = q.where('created_at', '<', input.params.before);
      const rows = await q.orderBy('dataset_id').execute();
      if (!rows.length) throw notFound(`Queue event with dag_id: \`${dagId}\` was not found`);
      return c.json({ queued_events: rows.map(queued), total_entries: rows.length });
    }),
    route('delete_dag_asset_queued_events', ['delete', 'Datasets'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      let q = deps.db.deleteFrom('dataset_dag_run_queue').where('target_dag_id', '=', dagId);
      if (typeof input.params.before === 'string') q = q.where('created_at', '<', input.params.before);
      if (Number((await q.executeTakeFirst()).numDeletedRows) === 0) throw notFound(`Queue event with dag_id: \`${dagId}\` was not found`);
      await deps.audit(c, { event: 'asset.queued_events.delete', dagId });
      return c.body(null, 204);
    }),
    route('get_dag_asset_queued_event', ['read', 'Datasets'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const assetId = param<number>(input, 'asset_id');
      let q = queueQuery().where('target_dag_id', '=', dagId).where('dataset_id', '=', assetId);
      if (typeof input.params.before === 'string') q = q.where('created_at', '<', input.params.before);
      const row = await q.executeTakeFirst();
      if (!row) throw notFound(`Queued event with dag_id: \`${dagId}\` and asset_id: \`${assetId}\` was not found`);
      return c.json(queued(row));
    }),
    route('delete_dag_asset_queued_event', ['delete', 'Datasets'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const assetId = param<number>(input, 'asset_id');
      let q = deps.db.deleteFrom('dataset_dag_run_queue').where('target_dag_id', '=', dagId).where('dataset_id', '=', assetId);
      if (typeof input.params.before === 'string') q = q.where('created_at', '<', input.params.before);
      if (Number((await q.executeTakeFirst()).numDeletedRows) === 0) throw notFound(`Queued event with dag_id: \`${dagId}\` and asset_id: \`${assetId}\` was not found`);
      await deps.audit(c, { event: 'asset.queued_events.delete', dagId, extra: { asset_id: assetId } });
      return c.body(null, 204);
    }),
    route('get_upstream_asset_events', ['read', 'DAG Runs'], async (c, input) => {
      const run = await requireRun(deps.db, param(input, 'dag_id'), param(input, 'dag_run_id'));
      const rows = await datasetEventQuery(deps.db).innerJoin('dagrun_dataset_event as l', 'l.event_id', 'e.id').where('l.dag_run_id', '=', run.id).orderBy('e.timestamp').orderBy('e.id').execute();
      return c.json({ asset_events: await renderAssetEvents(deps.db, rows), total_entries: rows.length });
    }),
    route('get_asset_aliases', ['read', 'Datasets'], async (c, input) => {
      const q = applyPatterns(deps.db.selectFrom('asset_alias').select(['id', 'name', 'group']), input.params, { name_pattern: 'name' });
      const total = await countRows(q);
      const rows = await applyPage(q, readPage(input, { id: 'id', name: 'name' }, 'id')).execute();
      return c.json({ asset_aliases: rows, total_entries: total });
    }),
    route('get_asset_alias', ['read', 'Datasets'], async (c, input) => {
      const id = param<number>(input, 'asset_alias_id');
      const row = await deps.db.selectFrom('asset_alias').select(['id', 'name', 'group']).where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound(`The Asset Alias with ID: \`${id}\` was not found`);
      return c.json(row);
    }),
  ];
}

