/**
 * Task instances: list (one run, or `~` for every DAG / run, with v2's filters), the batch form
 * `POST /dags/~/dagRuns/~/taskInstances/list`, one (mapped copies by map index), a mapped
 * task's copies, tries, dependencies, extra links, marking (with `dry_run` variants and note),
 * and clearing across runs.
 */
import type { Kysely } from 'kysely';
import { clearTaskInstances, findTaskInstancesToClear, type ClearCandidate } from '../../../scheduler/clear-tasks.ts';
import { clearAcrossDags, findTaskInstancesToClearAcrossDags } from '../../../scheduler/recursive-clear.ts';
import { recursiveClear } from '../../routes/task-instance-actions.ts';
import type { Schema, TaskInstanceRow } from '../../../store/index.ts';
import { exactTaskIds, markTaskInstances, type MarkState } from '../../actions/mark-tasks.ts';
import { failedDependencies } from '../../actions/ti-dependencies.ts';
import { requireDag, requireDagRow, requireRun } from '../../lookups.ts';
import { param, route, type RouteDef, type V2Deps } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { applyPage, applyPatterns, applyRanges, countRows, listParam, readPage, type Page } from '../listing.ts';
import { requireTiRow, tiQuery, versionsById } from '../lookups.ts';
import type { RequestInput } from '../request.ts';
import { parseDateTime } from '../request.ts';
import { taskInstanceTryResponse, type TiRow } from '../views/runs.ts';
import { renderTis } from './dag-runs.ts';

const ORDER = {
  id: 'ti.task_id', state: 'ti.state', duration: 'ti.duration', start_date: 'ti.start_date', end_date: 'ti.end_date', map_index: 'ti.map_index',
  try_number: 'ti.try_number', logical_date: 'r.logical_date', run_after: 'r.logical_date', data_interval_start: 'r.data_interval_start',
  data_interval_end: 'r.data_interval_end', rendered_map_index: 'ti.map_index', operator: 'ti.operator', task_id: 'ti.task_id', dag_id: 'ti.dag_id',
  run_id: 'ti.run_id', dag_run_id: 'ti.run_id', pool: 'ti.pool', queue: 'ti.queue', priority_weight: 'ti.priority_weight', updated_at: 'ti.updated_at',
};
const RANGES = { logical_date: 'r.logical_date', run_after: 'r.logical_date', start_date: 'ti.start_date', end_date: 'ti.end_date', updated_at: 'ti.updated_at', duration: 'ti.duration' };
const PATTERNS = { task_display_name_pattern: 'ti.task_id', dag_id_pattern: 'ti.dag_id', run_id_pattern: 'ti.run_id', pool_name_pattern: 'ti.pool', queue_name_pattern: 'ti.queue', operator_name_pattern: 'ti.operator' };

type Filter = Record<string, unknown>;

async function listTis(db: Kysely<Schema>, f: Filter, page: Page) {
  let q = tiQuery(db);
  const eq = (column: 'ti.dag_id' | 'ti.run_id' | 'ti.task_id', v: unknown) => {
    if (typeof v === 'string') q = q.where(column, '=', v);
    else if (Array.isArray(v) && v.length) q = q.where(column, 'in', v as string[]);
  };
  eq('ti.dag_id', f.dag_id ?? f.dag_ids);
  eq('ti.run_id', f.dag_run_id ?? f.dag_run_ids);
  eq('ti.task_id', f.task_id ?? f.task_ids);
  const states = f.state as Array<string | null> | undefined;
  if (states?.length) q = q.where('ti.state', 'in', states.map((s) => (s === null || s === 'none' || s === 'no_status' ? 'none' : s)) as Array<TaskInstanceRow['state']>);
  for (const [name, column] of [['pool', 'ti.pool'], ['queue', 'ti.queue'], ['executor', 'ti.executor'], ['operator', 'ti.operator']] as const) {
    const v = f[name] as string[] | undefined;
    if (v?.length) q = q.where(column, 'in', v);
  }
  for (const [name, column] of [['try_number', 'ti.try_number'], ['map_index', 'ti.map_index']] as const) {
    const v = f[name] as number[] | undefined;
    if (v?.length) q = q.where(column, 'in', v);
  }
  const versions = f.version_number as number[] | undefined;
  if (versions?.length) q = q.where('r.dag_version_id', 'in', (eb) => eb.selectFrom('dag_version').select('id').whereRef('dag_version.dag_id', '=', 'ti.dag_id').where('version_number', 'in', versions));
  q = applyRanges(q, f, RANGES);
  q = applyPatterns(q, f, PATTERNS);
  const total = await countRows(q);
  // The page's order first, then a stable order for ties.
  const rows = (await applyPage(q, page).orderBy('ti.dag_id').orderBy('ti.run_id').orderBy('ti.task_id').orderBy('ti.map_index').execute()) as TiRow[];
  return { task_instances: await renderTis(db, rows), total_entries: total };
}

/** Every try of a task instance, oldest first, each as a task instance row. */
async function triesOf(db: Kysely<Schema>, ti: TiRow): Promise<TiRow[]> {
  const history = await db.selectFrom('task_instance_history').selectAll()
    .where('dag_id', '=', ti.dag_id).where('run_id', '=', ti.run_id).where('task_id', '=', ti.task_id).where('map_index', '=', ti.map_index)
    .orderBy('try_number').execute();
  const tries: TiRow[] = history.map((h) => ({ ...ti, state: h.state, try_number: h.try_number, start_date: h.start_date, end_date: h.end_date, duration: h.duration, hostname: h.hostname, pid: h.pid, executor: h.executor, operator: h.operator }));
  if (ti.try_number >= 1 && !history.some((h) => h.try_number === ti.try_number)) tries.push(ti);
  return tries;
}

/** Task instance routes. */
export function taskInstanceRoutes(deps: V2Deps): RouteDef[] {
  const key = (input: RequestInput) => ({
    dagId: param(input, 'dag_id'), runId: param(input, 'dag_run_id'), taskId: param(input, 'task_id'),
    mapIndex: typeof input.params.map_index === 'number' ? (input.params.map_index as number) : -1,
  });
  const renderTries = async (tries: TiRow[]) => {
    const versions = await versionsById(deps.db, tries.map((t) => t.dag_version_id));
    return tries.map((t) => taskInstanceTryResponse(t, t.dag_version_id === null ? null : versions.get(t.dag_version_id) ?? null));
  };
  const listTries: RouteDef['handle'] = async (c, input) => {
    const tries = await triesOf(deps.db, await requireTiRow(deps.db, key(input)));
    return c.json({ task_instances: await renderTries(tries), total_entries: tries.length });
  };
  const oneTry: RouteDef['handle'] = async (c, input) => {
    const ti = await requireTiRow(deps.db, key(input));
    const n = param<number>(input, 'task_try_number');
    const found = (await triesOf(deps.db, ti)).find((t) => t.try_number === n);
    if (!found) throw notFound(`The Task Instance with dag_id: \`${ti.dag_id}\`, run_id: \`${ti.run_id}\`, task_id: \`${ti.task_id}\`, try_number: \`${n}\` and map_index: \`${ti.map_index}\` was not found`);
    return c.json((await renderTries([found]))[0]);
  };
  const getOne: RouteDef['handle'] = async (c, input) => c.json((await renderTis(deps.db, [await requireTiRow(deps.db, key(input))]))[0]);
  const dependencies: RouteDef['handle'] = async (c, input) => {
    const k = key(input);
    const ti = await requireTiRow(deps.db, k);
    const dag = await requireDag(deps, k.dagId);
    return c.json({ dependencies: await failedDependencies(deps.db, dag, await requireDagRow(deps.db, k.dagId), await requireRun(deps.db, k.dagId, k.runId), ti) });
  };
  const patch = (dryRunPath: boolean): RouteDef['handle'] => async (c, input) => {
    const k = key(input);
    const b = input.body as { new_state?: string | null; note?: string | null; include_upstream?: boolean; include_downstream?: boolean; include_future?: boolean; include_past?: boolean; dry_run?: boolean };
    const mask = param<string[] | undefined>(input, 'update_mask');
    const fields = mask?.length ? mask : Object.keys(b).filter((f) => f === 'new_state' || f === 'note');
    const bad = fields.filter((f) => f !== 'new_state' && f !== 'note');
    if (bad.length) throw badRequest(`Invalid field(s) in update_mask: ${bad.join(', ')}; use 'new_state' or 'note'.`);
    const ti = await requireTiRow(deps.db, k);
    const dag = await requireDag(deps, k.dagId);
    let affected: TiRow[] = [ti];
    if (fields.includes('new_state') && b.new_state) {
      if (!['success', 'failed', 'skipped'].includes(b.new_state)) throw badRequest(`A task instance can be set to success, failed or skipped, not '${b.new_state}'.`);
      const taskIds = [k.taskId];
      let candidates = [ti];
      if (b.include_upstream || b.include_downstream || b.include_future || b.include_past) {
        const found = await findTaskInstancesToClear(deps.db, dag, { taskRegex: exactTaskIds(taskIds), upstream: b.include_upstream, downstream: b.include_downstream, runIds: b.include_future || b.include_past ? undefined : [k.runId] });
        const run = await requireRun(deps.db, k.dagId, k.runId);
        const keep = found.filter((f) => (!b.include_past ? f.logicalDate >= run.logical_date : true) && (!b.include_future ? f.logicalDate <= run.logical_date : true));
        candidates = keep.length ? ((await tiQuery(deps.db).where('ti.dag_id', '=', k.dagId).execute()) as TiRow[]).filter((t) => keep.some((f) => f.runId === t.run_id && f.taskId === t.task_id && f.mapIndex === t.map_index)) : [ti];
      }
      const dryRun = dryRunPath;
      const moved = await markTaskInstances(deps.db, dag, candidates, b.new_state as MarkState, { dryRun, xcomFolder: deps.config.xcomFolder });
      affected = moved as TiRow[];
      if (!dryRun) {
        await deps.audit(c, { event: 'task_instance.mark', dagId: k.dagId, runId: k.runId, taskId: k.taskId, extra: { new_state: b.new_state, marked: moved.length } });
        if (moved.length) deps.changed();
      }
    }
    if (fields.includes('note') && 'note' in b && !dryRunPath) {
      await deps.db.updateTable('task_instance').set({ note: b.note ?? null }).where('dag_id', '=', k.dagId).where('run_id', '=', k.runId).where('task_id', '=', k.taskId).where('map_index', '=', k.mapIndex).execute();
      await deps.audit(c, { event: 'task_instance.note', dagId: k.dagId, runId: k.runId, taskId: k.taskId });
    }
    const fresh = dryRunPath ? affected : ((await Promise.all(affected.map((t) => requireTiRow(deps.db, { dagId: t.dag_id, runId: t.run_id, taskId: t.task_id, mapIndex: t.map_index })))) as TiRow[]);
    return c.json({ task_instances: await renderTis(deps.db, fresh), total_entries: fresh.length });
  };

  return [
    route('get_task_instances', ['read', 'Task Instances'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const runId = param(input, 'dag_run_id');
      if (dagId !== '~') await requireDagRow(deps.db, dagId);
      if (dagId !== '~' && runId !== '~') await requireRun(deps.db, dagId, runId);
      const f: Filter = { ...input.params, dag_id: dagId === '~' ? undefined : dagId, dag_run_id: runId === '~' ? undefined : runId, state: listParam(input.params, 'state') };
      return c.json(await listTis(deps.db, f, readPage(input, ORDER, 'map_index')));
    }),
    route('get_task_instances_batch', ['read', 'Task Instances'], async (c, input) => {
      if (param(input, 'dag_id') !== '~' || param(input, 'dag_run_id') !== '~') throw badRequest("The batch list is across DAGs and runs: use '~' for dag_id and dag_run_id, and name them in the body.");
      const b = input.body as Record<string, unknown>;
      const f: Filter = { ...b };
      for (const [k, v] of Object.entries(b)) if (/_(gte|gt|lte|lt)$/.test(k) && typeof v === 'string') f[k] = parseDateTime(v) ?? v;
      return c.json(await listTis(deps.db, f, readPage(input, ORDER, 'map_index', { limit: b.page_limit ?? 100, offset: b.page_offset, order_by: b.order_by })));
    }),
    route('get_task_instance', ['read', 'Task Instances'], getOne),
    route('get_mapped_task_instance', ['read', 'Task Instances'], getOne),
    route('get_mapped_task_instances', ['read', 'Task Instances'], async (c, input) => {
      const k = key(input);
      await requireRun(deps.db, k.dagId, k.runId);
      const f: Filter = { ...input.params, dag_id: k.dagId, dag_run_id: k.runId, task_id: k.taskId, state: listParam(input.params, 'state') };
      const result = await listTis(deps.db, f, readPage(input, ORDER, 'map_index'));
      if (result.total_entries === 0) throw notFound(`Task id ${k.taskId} not found`);
      return c.json(result);
    }),
    route('get_task_instance_tries', ['read', 'Task Instances'], listTries),
    route('get_mapped_task_instance_tries', ['read', 'Task Instances'], listTries),
    route('get_task_instance_try_details', ['read', 'Task Instances'], oneTry),
    route('get_mapped_task_instance_try_details', ['read', 'Task Instances'], oneTry),
    route('get_task_instance_dependencies', ['read', 'Task Instances'], dependencies),
    route('get_task_instance_dependencies_by_map_index', ['read', 'Task Instances'], dependencies),
    route('get_extra_links', ['read', 'Task Instances'], async (c, input) => {
      await requireTiRow(deps.db, key(input));
      return c.json({ extra_links: {}, total_entries: 0 });
    }),
    route('patch_task_instance', ['edit', 'Task Instances'], patch(false)),
    route('patch_task_instance_by_map_index', ['edit', 'Task Instances'], patch(false)),
    route('patch_task_instance_dry_run', ['edit', 'Task Instances'], patch(true)),
    route('patch_task_instance_dry_run_by_map_index', ['edit', 'Task Instances'], patch(true)),
    route('post_clear_task_instances', ['edit', 'Task Instances'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const dag = await requireDag(deps, dagId);
      const b = input.body as { dry_run?: boolean; task_ids?: Array<string | [string, number]> | null; start_date?: string | null; end_date?: string | null; only_failed?: boolean; only_running?: boolean; dag_run_id?: string | null; include_upstream?: boolean; include_downstream?: boolean; include_future?: boolean; include_past?: boolean };
      let runIds = b.dag_run_id ? [b.dag_run_id] : undefined;
      if (b.dag_run_id) {
        const run = await requireRun(deps.db, dagId, b.dag_run_id);
        if (b.include_future || b.include_past) {
          const runs = await deps.db.selectFrom('dag_run').select(['run_id', 'logical_date']).where('dag_id', '=', dagId).execute();
          runIds = runs.filter((r) => r.run_id === run.run_id || (b.include_future && r.logical_date > run.logical_date) || (b.include_past && r.logical_date < run.logical_date)).map((r) => r.run_id);
        }
      }
      const ids = b.task_ids?.map((t) => (Array.isArray(t) ? t[0] : t));
      const mapped = b.task_ids?.filter((t): t is [string, number] => Array.isArray(t));
      const filter = {
        taskRegex: ids?.length ? exactTaskIds(ids) : undefined, upstream: b.include_upstream, downstream: b.include_downstream,
        start: b.start_date ? new Date(b.start_date) : undefined, end: b.end_date ? new Date(b.end_date) : undefined, runIds, onlyFailed: b.only_failed ?? true,
      };
      const keep = (t: ClearCandidate) => (!b.only_running || t.state === 'running')
        && (!mapped?.length || !ids!.includes(t.taskId) || b.task_ids!.some((x) => (Array.isArray(x) ? x[0] === t.taskId && x[1] === t.mapIndex : x === t.taskId)));
      // As Airflow 3, a clear always follows the ExternalTaskMarkers among the cleared tasks.
      const groups = await recursiveClear(() => findTaskInstancesToClearAcrossDags(deps.db, (id) => deps.dags.get(deps.db, id), dag, filter, { recursive: true, keep }));
      const rows: TiRow[] = [];
      for (const g of groups) {
        if (g.tis.length === 0) continue;
        const keys = new Set(g.tis.map((t) => `${t.runId}\0${t.taskId}\0${t.mapIndex}`));
        const all = (await tiQuery(deps.db).where('ti.dag_id', '=', g.dag.dagId).where('ti.run_id', 'in', [...new Set(g.tis.map((t) => t.runId))]).orderBy('ti.run_id').orderBy('ti.task_id').orderBy('ti.map_index').execute()) as TiRow[];
        rows.push(...all.filter((t) => keys.has(`${t.run_id}\0${t.task_id}\0${t.map_index}`)));
      }
      if (!(b.dry_run ?? true)) {
        const result = await clearAcrossDags(deps.db, groups, { xcomFolder: deps.config.xcomFolder });
        const external = groups.slice(1).filter((g) => g.tis.length).map((g) => g.dag.dagId);
        await deps.audit(c, { event: 'task_instance.clear', dagId, extra: { cleared: result.cleared.length, left_running: result.active.length, ...(external.length ? { external_dags: external } : {}) } });
        deps.changed();
      }
      return c.json({ task_instances: await renderTis(deps.db, rows), total_entries: rows.length });
    }),
  ];
}
