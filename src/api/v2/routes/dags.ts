/**
 * DAGs: list (tags with any/all, owners, `dag_id_pattern`, `dag_display_name_pattern`,
 * paused, stale, import errors, last run state), pause/unpause one or many, delete, details,
 * tasks, the tags in use, and each user's favourite DAGs.
 */
import { sql, type Kysely } from 'kysely';
import { deleteDag } from '../../../scheduler/delete-dag.ts';
import { fromJson, type DagRow, type Schema } from '../../../store/index.ts';
import { requireDag, requireDagRow, requireTask } from '../../lookups.ts';
import { param, route, type RouteDef, type V2Deps } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { applyPage, countRows, patternCondition, readPage, type Page } from '../listing.ts';
import type { RequestInput } from '../request.ts';
import { dagDetailsResponse, dagResponse, taskResponse } from '../views/dag.ts';

const ORDER = { dag_id: 'dag_id', dag_display_name: 'dag_id', next_dagrun: 'next_dagrun', is_paused: 'is_paused', last_parsed_time: 'last_parsed_at', fileloc: 'fileloc', max_active_runs: 'max_active_runs', max_active_tasks: 'max_active_tasks' };

/** DAG routes. */
export function dagRoutes(deps: V2Deps): RouteDef[] {
  const render = async (rows: DagRow[]) => Promise.all(rows.map(async (r) => dagResponse(r, await deps.dags.get(deps.db, r.dag_id), deps.config.dagsFolder)));
  const setPaused = async (ids: string[], paused: boolean) => {
    if (!ids.length) return;
    await deps.db.updateTable('dag').set({ is_paused: paused ? 1 : 0 }).where('dag_id', 'in', ids).execute();
    if (!paused) deps.changed();
  };
  return [
    route('get_dags', ['read', 'DAGs'], async (c, input) => {
      const { rows, total } = await findDags(deps.db, input, readPage(input, ORDER, 'dag_id'), c.get('principal')?.username ?? '');
      return c.json({ dags: await render(rows), total_entries: total });
    }),
    route('patch_dags', ['edit', 'DAGs'], async (c, input) => {
      const paused = (input.body as { is_paused: boolean }).is_paused;
      checkMask(input);
      const { rows, total } = await findDags(deps.db, input, readPage(input, ORDER, 'dag_id'), c.get('principal')?.username ?? '');
      await setPaused(rows.map((r) => r.dag_id), paused);
      for (const r of rows) await deps.audit(c, { event: 'dag.edit', dagId: r.dag_id, extra: { is_paused: paused } });
      const fresh = rows.length ? await deps.db.selectFrom('dag').selectAll().where('dag_id', 'in', rows.map((r) => r.dag_id)).orderBy('dag_id').execute() : [];
      return c.json({ dags: await render(fresh), total_entries: total });
    }),
    route('get_dag', ['read', 'DAGs'], async (c, input) => {
      const [dag] = await render([await requireDagRow(deps.db, param(input, 'dag_id'))]);
      return c.json(dag);
    }),
    route('patch_dag', ['edit', 'DAGs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      checkMask(input);
      await requireDagRow(deps.db, dagId);
      const paused = (input.body as { is_paused: boolean }).is_paused;
      await setPaused([dagId], paused);
      await deps.audit(c, { event: 'dag.edit', dagId, extra: { is_paused: paused } });
      const [dag] = await render([await requireDagRow(deps.db, dagId)]);
      return c.json(dag);
    }),
    route('delete_dag', ['delete', 'DAGs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      await requireDagRow(deps.db, dagId);
      const busy = await deps.db.selectFrom('task_instance').select('task_id').where('dag_id', '=', dagId).where('state', 'in', ['queued', 'running', 'deferred', 'restarting']).executeTakeFirst();
      if (busy) throw conflict(`Task instances of DAG '${dagId}' are still running (e.g. '${busy.task_id}'): wait for them to finish, or mark them failed, before deleting the DAG.`);
      const deleted = await deleteDag(deps.db, dagId, { folder: deps.config.xcomFolder });
      if (!deleted) throw notFound(`Dag with id: '${dagId}' was not found`);
      for (const table of ['dag_version', 'dag_favorite', 'backfill'] as const) await deps.db.deleteFrom(table).where('dag_id', '=', dagId).execute();
      await deps.audit(c, { event: 'dag.delete', dagId, extra: { rows: deleted.rows, runs: deleted.runs } });
      return c.json({});
    }),
    route('get_dag_details', ['read', 'DAGs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const row = await requireDagRow(deps.db, dagId);
      const dag = await requireDag(deps, dagId);
      const latest = await deps.db.selectFrom('dag_version').select(['id', 'dag_id', 'version_number', 'created_at']).where('dag_id', '=', dagId).orderBy('version_number', 'desc').executeTakeFirst();
      const active = await deps.db.selectFrom('dag_run').select((eb) => eb.fn.countAll<number>().as('n')).where('dag_id', '=', dagId).where('state', '=', 'running').executeTakeFirst();
      const favorite = await deps.db.selectFrom('dag_favorite').select('dag_id').where('dag_id', '=', dagId).where('username', '=', c.get('principal')?.username ?? '').executeTakeFirst();
      return c.json({ ...dagDetailsResponse(row, dag, deps.config.dagsFolder, latest ?? null, Number(active?.n ?? 0)), is_favorite: favorite !== undefined });
    }),
    route('favorite_dag', ['read', 'DAGs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      await requireDagRow(deps.db, dagId);
      await deps.db.insertInto('dag_favorite').values({ username: c.get('principal')!.username, dag_id: dagId }).onConflict((oc) => oc.doNothing()).execute();
      return c.body(null, 204);
    }),
    route('unfavorite_dag', ['read', 'DAGs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      await requireDagRow(deps.db, dagId);
      const r = await deps.db.deleteFrom('dag_favorite').where('username', '=', c.get('principal')!.username).where('dag_id', '=', dagId).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw conflict(`Dag '${dagId}' is not marked as a favorite.`);
      return c.body(null, 204);
    }),
    route('get_tasks', ['read', 'DAGs'], async (c, input) => {
      const dag = await requireDag(deps, param(input, 'dag_id'));
      const orderBy = param<string>(input, 'order_by') ?? 'task_id';
      const desc = orderBy.startsWith('-');
      const key = desc ? orderBy.slice(1) : orderBy;
      const tasks = dag.tasks.map((t) => taskResponse(t, dag));
      if (tasks.length && !(key in tasks[0]!)) throw badRequest(`Ordering with '${key}' is disallowed or the attribute does not exist on the model`);
      tasks.sort((a, b) => String((a as Record<string, unknown>)[key] ?? '').localeCompare(String((b as Record<string, unknown>)[key] ?? '')) * (desc ? -1 : 1));
      return c.json({ tasks, total_entries: tasks.length });
    }),
    route('get_task', ['read', 'DAGs'], async (c, input) => {
      const dag = await requireDag(deps, param(input, 'dag_id'));
      return c.json(taskResponse(requireTask(dag, param(input, 'task_id')), dag));
    }),
    route('get_dag_tags', ['read', 'DAGs'], async (c, input) => {
      const rows = await deps.db.selectFrom('dag').select('tags').execute();
      const pattern = param<string | undefined>(input, 'tag_name_pattern');
      const terms = pattern ? pattern.split('|').map((t) => t.trim().toLowerCase()).filter(Boolean) : [];
      const like = (name: string) => !terms.length || terms.some((t) => likeMatch(name.toLowerCase(), `%${t}%`));
      let names = [...new Set(rows.flatMap((r) => fromJson<string[]>(r.tags, 'dag tags') ?? []))].filter(like).sort();
      const page = readPage(input, { name: 'name' }, 'name');
      if (page.order[0]?.desc) names = names.reverse();
      return c.json({ tags: names.slice(page.offset, page.offset + page.limit), total_entries: names.length });
    }),
  ];
}

/** SQL LIKE on a string (`%` any run, `_` any one character), for lists filtered in memory. */
export function likeMatch(text: string, pattern: string): boolean {
  const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${re}$`, 's').test(text);
}

function checkMask(input: RequestInput) {
  const mask = param<string[] | undefined>(input, 'update_mask');
  if (mask && mask.length && !mask.every((m) => m === 'is_paused')) {
    throw badRequest('Only the `is_paused` field can be updated through the REST API.');
  }
}

async function findDags(db: Kysely<Schema>, input: RequestInput, page: Page, username: string): Promise<{ rows: DagRow[]; total: number }> {
  const p = input.params;
  let q = db.selectFrom('dag').selectAll();
  if (typeof p.is_favorite === 'boolean') {
    const favorites = db.selectFrom('dag_favorite').select('dag_favorite.dag_id').where('username', '=', username);
    q = p.is_favorite ? q.where('dag_id', 'in', favorites) : q.where('dag_id', 'not in', favorites);
  }
  if (p.exclude_stale !== false) q = q.where('is_active', '=', 1);
  if (typeof p.paused === 'boolean') q = q.where('is_paused', '=', p.paused ? 1 : 0);
  if (typeof p.has_import_errors === 'boolean') q = q.where('has_import_errors', '=', p.has_import_errors ? 1 : 0);
  for (const name of ['dag_id_pattern', 'dag_display_name_pattern']) {
    const cond = patternCondition('dag_id', p[name]);
    if (cond) q = q.where(cond);
  }
  const tags = (p.tags as string[] | undefined) ?? [];
  const owners = (p.owners as string[] | undefined) ?? [];
  if (tags.length || owners.length) {
    const all = await db.selectFrom('dag').select(['dag_id', 'tags', 'owners']).execute();
    const matchAll = p.tags_match_mode === 'all';
    const ids = all
      .filter((r) => {
        const have = new Set(fromJson<string[]>(r.tags, 'dag tags') ?? []);
        const own = new Set(fromJson<string[]>(r.owners, 'dag owners') ?? []);
        const tagOk = !tags.length || (matchAll ? tags.every((t) => have.has(t)) : tags.some((t) => have.has(t)));
        return tagOk && (!owners.length || owners.some((o) => own.has(o)));
      })
      .map((r) => r.dag_id);
    q = q.where('dag_id', 'in', ids.length ? ids : ['\u0000']);
  }
  if (typeof p.last_dag_run_state === 'string') {
    q = q.where(sql<string>`(select r.state from dag_run r where r.dag_id = dag.dag_id order by r.logical_date desc limit 1)`, '=', p.last_dag_run_state);
  }
  const total = await countRows(q);
  return { rows: await applyPage(q, page).execute(), total };
}
