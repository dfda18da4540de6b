/**
 * Datasets: list (uri_pattern, dag_ids), get by URL-encoded URI, list events, and record an
 * external event (`POST /datasets/events`), which queues the DAGs scheduled on the dataset
 * exactly as a producing task's success does and wakes the scheduler.
 */
import { Hono } from 'hono';
import { sql } from 'kysely';
import { recordDatasetEvents } from '../../scheduler/datasets.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { checkKey, keyParam } from '../http/ids.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { applyPage, countRows } from '../http/page-query.ts';
import { queryCsv, queryInt, queryPaging, queryString } from '../http/query.ts';
import { notFound } from '../problem.ts';
import { datasetEventQuery, renderDatasetEvents, renderDatasets } from '../views/datasets.ts';
import { escapeLike } from './dags.ts';

const DATASET_ORDER = { id: 'id', uri: 'uri', created_at: 'created_at', updated_at: 'updated_at' } as const;
const EVENT_ORDER = {
  timestamp: 'e.timestamp', id: 'e.id', dataset_id: 'e.dataset_id', source_dag_id: 'e.source_dag_id', source_task_id: 'e.source_task_id',
  source_run_id: 'e.source_run_id', source_map_index: 'e.source_map_index',
} as const;

const eventBody = bodyValidator<{ dataset_uri: string; extra?: Record<string, unknown> | null }>(
  closedObject({ dataset_uri: { type: 'string', minLength: 1 }, extra: { type: ['object', 'null'] } }, { required: ['dataset_uri'] }),
);

/** Dataset routes. */
export function datasetRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const read = requirePermission('read', 'Datasets');

  app.get('/datasets', read, async (c) => {
    const page = queryPaging(c, DATASET_ORDER, 'id');
    const pattern = queryString(c, 'uri_pattern');
    const dagIds = queryCsv(c, 'dag_ids');
    let q = deps.db.selectFrom('dataset').selectAll().where('is_orphaned', '=', 0);
    if (pattern) q = q.where(sql<boolean>`lower(uri) like ${`%${escapeLike(pattern.toLowerCase())}%`} escape '\\'`);
    if (dagIds?.length) {
      q = q.where((eb) => eb.or([
        eb('id', 'in', eb.selectFrom('dag_schedule_dataset_reference').select('dataset_id').where('dag_id', 'in', dagIds)),
        eb('id', 'in', eb.selectFrom('task_outlet_dataset_reference').select('dataset_id').where('dag_id', 'in', dagIds)),
      ]));
    }
    const total = await countRows(q);
    const rows = await applyPage(q, page).execute();
    return c.json({ datasets: await renderDatasets(deps.db, rows), total_entries: total });
  });

  app.get('/datasets/events', read, async (c) => {
    const page = queryPaging(c, EVENT_ORDER, 'timestamp');
    let q = datasetEventQuery(deps.db);
    const datasetId = queryInt(c, 'dataset_id');
    if (datasetId !== undefined) q = q.where('e.dataset_id', '=', datasetId);
    for (const name of ['source_dag_id', 'source_task_id', 'source_run_id'] as const) {
      const v = queryString(c, name);
      if (v !== undefined) q = q.where(`e.${name}`, '=', v);
    }
    const mapIndex = queryInt(c, 'source_map_index', -1);
    if (mapIndex !== undefined) q = q.where('e.source_map_index', '=', mapIndex);
    const total = await countRows(q);
    const order = page.order.some((o) => o.column === 'e.id') ? page.order : [...page.order, { column: 'e.id' as const, desc: false }];
    const rows = await applyPage(q, { ...page, order }).execute();
    return c.json({ dataset_events: await renderDatasetEvents(deps.db, rows), total_entries: total });
  });

  app.post('/datasets/events', requirePermission('create', 'Datasets'), async (c) => {
    const body = await readJsonBody(c, eventBody);
    const uri = checkKey(body.dataset_uri, 'Dataset URI', 3000);
    const dataset = await deps.db.selectFrom('dataset').select('id').where('uri', '=', uri).executeTakeFirst();
    if (!dataset) throw notFound(`Dataset with uri: '${uri}' not found; datasets come from DAGs that schedule on or produce them.`);
    const extra = { ...(body.extra ?? {}), from_rest_api: true };
    const eventId = await deps.db.transaction().execute(async (trx) => {
      await recordDatasetEvents(trx, [uri], { dagId: null, taskId: null, runId: null, mapIndex: null }, extra);
      const row = await trx.selectFrom('dataset_event').select('id').where('dataset_id', '=', dataset.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
      return row.id;
    });
    await deps.audit(c, { event: 'dataset_event.create', extra: { dataset_uri: uri, event_id: eventId } });
    deps.changed();
    const [event] = await renderDatasetEvents(deps.db, await datasetEventQuery(deps.db).where('e.id', '=', eventId).execute());
    return c.json(event);
  });

  app.get('/datasets/:uri{.+}', read, async (c) => {
    const uri = keyParam(c, 'uri', 'Dataset URI', 3000);
    const row = await deps.db.selectFrom('dataset').selectAll().where('uri', '=', uri).executeTakeFirst();
    if (!row) throw notFound(`The Dataset with uri: '${uri}' was not found`);
    return c.json((await renderDatasets(deps.db, [row]))[0]);
  });

  return app;
}
