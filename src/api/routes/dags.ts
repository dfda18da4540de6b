/**
 * DAGs: list (tags, only_active, paused, dag_id_pattern), get, pause/unpause one or many
 * (`is_paused` with `update_mask`), delete.
 */
import { Hono, type Context } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { SerializedDag } from '../../core/serialized-dag.ts';
import { deleteDag } from '../../scheduler/delete-dag.ts';
import { fromJson, type DagRow, type Schema } from '../../store/index.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { pickFields, requestedFields, updateMask } from '../http/fields.ts';
import { dagIdParam } from '../http/ids.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { applyPage, countRows } from '../http/page-query.ts';
import { queryBool, queryList, queryPaging, queryString, type Paging } from '../http/query.ts';
import { requireDagRow } from '../lookups.ts';
import { badRequest, conflict, notFound } from '../problem.ts';
import { dagView } from '../views/dag.ts';

const DAG_FIELDS = Object.keys(dagView(
  { dag_id: '', is_paused: 0, is_active: 0, fileloc: '', description: null, owners: '[]', tags: '[]', schedule_summary: null, timetable: '{"kind":"none"}', max_active_runs: 0, max_active_tasks: 0, has_import_errors: 0, last_parsed_at: null, last_expired: null, next_dagrun: null, next_dagrun_data_interval_start: null, next_dagrun_data_interval_end: null, next_dagrun_create_after: null },
  undefined,
));

const ORDER = {
  dag_id: 'dag_id', dag_display_name: 'dag_id', is_paused: 'is_paused', is_active: 'is_active', last_parsed_time: 'last_parsed_at',
  next_dagrun: 'next_dagrun', next_dagrun_create_after: 'next_dagrun_create_after', fileloc: 'fileloc', description: 'description',
  max_active_runs: 'max_active_runs', max_active_tasks: 'max_active_tasks', timetable_description: 'schedule_summary',
} as const;

const patchBody = bodyValidator<{ is_paused?: boolean | null }>(
  closedObject({ is_paused: { type: ['boolean', 'null'] } }, { readOnly: DAG_FIELDS.filter((f) => f !== 'is_paused') }),
);

interface DagFilter {
  onlyActive: boolean;
  paused?: boolean;
  pattern?: string;
  tags?: string[];
}

/** DAG routes. */
export function dagRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/dags', requirePermission('read', 'DAGs'), async (c) => {
    const fields = requestedFields(c, DAG_FIELDS);
    const page = queryPaging(c, ORDER, 'dag_id');
    const { rows, total } = await findDags(deps.db, readFilter(c, queryString(c, 'dag_id_pattern')), page);
    // Only has_task_concurrency_limits needs the serialized DAGs: a list that does not ask for it
    // (the web UI's DAG list) is answered from the dag table alone, in one query.
    const dags = !fields || fields.includes('has_task_concurrency_limits') ? await withSerialized(deps, rows) : rows.map((r) => [r, undefined] as const);
    return c.json({ dags: dags.map(([row, dag]) => pickFields(dagView(row, dag), fields)), total_entries: total });
  });

  app.patch('/dags', requirePermission('edit', 'DAGs'), async (c) => {
    const pattern = queryString(c, 'dag_id_pattern');
    if (pattern === undefined) throw badRequest("Query parameter 'dag_id_pattern' is required; use '~' to update every DAG.");
    const paused = await readPaused(c);
    const page = queryPaging(c, ORDER, 'dag_id');
    const { rows, total } = await findDags(deps.db, readFilter(c, pattern === '~' ? undefined : pattern), page);
    const ids = rows.map((r) => r.dag_id);
    if (ids.length) await deps.db.updateTable('dag').set({ is_paused: paused ? 1 : 0 }).where('dag_id', 'in', ids).execute();
    for (const dagId of ids) await deps.audit(c, { event: 'dag.edit', dagId, extra: { is_paused: paused } });
    if (ids.length && !paused) deps.changed();
    const updated = new Map((ids.length ? await deps.db.selectFrom('dag').selectAll().where('dag_id', 'in', ids).execute() : []).map((r) => [r.dag_id, r]));
    const dags = await withSerialized(deps, rows.map((r) => updated.get(r.dag_id) ?? r));
    return c.json({ dags: dags.map(([row, dag]) => dagView(row, dag)), total_entries: total });
  });

  app.get('/dags/:dag_id', requirePermission('read', 'DAGs'), async (c) => {
    const fields = requestedFields(c, DAG_FIELDS);
    const row = await requireDagRow(deps.db, dagIdParam(c));
    return c.json(pickFields(dagView(row, await deps.dags.get(deps.db, row.dag_id)), fields));
  });

  app.patch('/dags/:dag_id', requirePermission('edit', 'DAGs'), async (c) => {
    const dagId = dagIdParam(c);
    const paused = await readPaused(c);
    await requireDagRow(deps.db, dagId);
    await deps.db.updateTable('dag').set({ is_paused: paused ? 1 : 0 }).where('dag_id', '=', dagId).execute();
    await deps.audit(c, { event: 'dag.edit', dagId, extra: { is_paused: paused } });
    if (!paused) deps.changed();
    const row = await requireDagRow(deps.db, dagId);
    return c.json(dagView(row, await deps.dags.get(deps.db, dagId)));
  });

  app.delete('/dags/:dag_id', requirePermission('delete', 'DAGs'), async (c) => {
    const dagId = dagIdParam(c);
    await requireDagRow(deps.db, dagId);
    const busy = await deps.db.selectFrom('task_instance').select('task_id').where('dag_id', '=', dagId).where('state', 'in', ['queued', 'running', 'deferred', 'restarting']).executeTakeFirst();
    if (busy) throw conflict(`Task instances of DAG '${dagId}' are still running (e.g. '${busy.task_id}'): wait for them to finish, or mark them failed, before deleting the DAG.`);
    const deleted = await deleteDag(deps.db, dagId, { folder: deps.config.xcomFolder });
    if (!deleted) throw notFound(`DAG with dag_id: '${dagId}' not found`);
    await deps.audit(c, { event: 'dag.delete', dagId, extra: { rows: deleted.rows, runs: deleted.runs } });
    return c.body(null, 204);
  });

  return app;
}

/** Reads `{"is_paused": …}` with an update_mask that may name only is_paused. */
async function readPaused(c: Context<ApiEnv>): Promise<boolean> {
  const mask = updateMask(c, ['is_paused']);
  const body = await readJsonBody(c, patchBody);
  if (mask && !mask.includes('is_paused')) throw badRequest('Only the `is_paused` field can be updated through the REST API.');
  if (typeof body.is_paused !== 'boolean') throw badRequest("The body must set 'is_paused' to true or false.");
  return body.is_paused;
}

function readFilter(c: Context, pattern: string | undefined): DagFilter {
  return { onlyActive: queryBool(c, 'only_active') ?? true, paused: queryBool(c, 'paused'), pattern, tags: queryList(c, 'tags') };
}

async function findDags(db: Kysely<Schema>, f: DagFilter, page: Paging): Promise<{ rows: DagRow[]; total: number }> {
  let q = db.selectFrom('dag').selectAll();
  if (f.onlyActive) q = q.where('is_active', '=', 1);
  if (f.paused !== undefined) q = q.where('is_paused', '=', f.paused ? 1 : 0);
  if (f.pattern) q = q.where(sql<boolean>`lower(dag_id) like ${`%${escapeLike(f.pattern.toLowerCase())}%`} escape '\\'`);
  if (f.tags?.length) {
    const wanted = new Set(f.tags);
    const all = await db.selectFrom('dag').select(['dag_id', 'tags']).execute();
    const ids = all.filter((r) => (fromJson<string[]>(r.tags, 'dag tags') ?? []).some((t) => wanted.has(t))).map((r) => r.dag_id);
    q = q.where('dag_id', 'in', ids.length ? ids : ['\u0000']);
  }
  const total = await countRows(q);
  return { rows: await applyPage(q, page).execute(), total };
}

/** Escapes LIKE wildcards so a pattern matches literally (with `escape '\'`). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

async function withSerialized(deps: ApiDeps, rows: DagRow[]): Promise<Array<[DagRow, SerializedDag | undefined]>> {
  const out: Array<[DagRow, SerializedDag | undefined]> = [];
  for (const row of rows) out.push([row, await deps.dags.get(deps.db, row.dag_id)]);
  return out;
}
