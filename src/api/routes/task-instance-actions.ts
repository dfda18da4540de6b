/**
 * Changing task instances: mark one (or a mapped copy) success / failed / skipped, mark a task
 * with its upstream / downstream tasks across past / future runs, clear task instances, and set
 * a task instance's note. Every change can be previewed with `dry_run` (the default, as in
 * Airflow) and wakes the scheduler when applied.
 */
import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import { selectTaskIds, type ClearFilter } from '../../scheduler/clear-tasks.ts';
import { allCandidates, clearAcrossDags, findTaskInstancesToClearAcrossDags, RecursiveClearError } from '../../scheduler/recursive-clear.ts';
import type { DagRunRow, Schema } from '../../store/index.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import { exactTaskIds, markTaskInstances, type MarkState } from '../actions/mark-tasks.ts';
import type { ApiDeps } from '../deps.ts';
import { dagIdParam, mapIndexParam, runIdParam, taskIdParam } from '../http/ids.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { parseDateTime } from '../http/query.ts';
import { renderTis, requireDag, requireRun, requireTask, requireTi, tiQuery } from '../lookups.ts';
import { badRequest, notFound } from '../problem.ts';
import { taskInstanceReference } from '../views/runs.ts';

const NEW_STATE = { type: 'string', enum: ['success', 'failed', 'skipped'] };
const DATE = { type: 'string', format: 'date-time' };

const patchBody = bodyValidator<{ dry_run?: boolean; new_state?: MarkState }>(closedObject({ dry_run: { type: 'boolean' }, new_state: NEW_STATE }, { required: ['new_state'] }));
const noteBody = bodyValidator<{ note: string | null }>(closedObject({ note: { type: ['string', 'null'] } }, { required: ['note'] }));

interface UpdateStatesBody {
  dry_run?: boolean; task_id: string; dag_run_id?: string; execution_date?: string; new_state: MarkState;
  include_upstream?: boolean; include_downstream?: boolean; include_future?: boolean; include_past?: boolean;
}
const flag = { type: 'boolean' };
const updateStatesBody = bodyValidator<UpdateStatesBody>(closedObject(
  { dry_run: flag, task_id: { type: 'string' }, dag_run_id: { type: 'string' }, execution_date: DATE, new_state: NEW_STATE, include_upstream: flag, include_downstream: flag, include_future: flag, include_past: flag },
  { required: ['task_id', 'new_state'] },
));

interface ClearBody {
  dry_run?: boolean; task_ids?: string[]; start_date?: string; end_date?: string; only_failed?: boolean; only_running?: boolean;
  include_subdags?: boolean; include_parentdag?: boolean; reset_dag_runs?: boolean; dag_run_id?: string | null;
  include_upstream?: boolean; include_downstream?: boolean; include_future?: boolean; include_past?: boolean;
}
const clearBody = bodyValidator<ClearBody>(closedObject({
  dry_run: flag, task_ids: { type: 'array', items: { type: 'string' }, minItems: 1 }, start_date: DATE, end_date: DATE, only_failed: flag, only_running: flag,
  include_subdags: flag, include_parentdag: flag, reset_dag_runs: flag, dag_run_id: { type: ['string', 'null'] },
  include_upstream: flag, include_downstream: flag, include_future: flag, include_past: flag,
}));

/** Task instance change routes. */
export function taskInstanceActionRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const edit = requirePermission('edit', 'Task Instances');
  const base = '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id';

  const patchOne = (mapped: boolean) => async (c: Context<ApiEnv>) => {
    const key = { dagId: dagIdParam(c), runId: runIdParam(c), taskId: taskIdParam(c), mapIndex: mapped ? mapIndexParam(c) : -1 };
    const body = await readJsonBody(c, patchBody);
    const ti = await requireTi(deps.db, key);
    const dag = await requireDag(deps, key.dagId);
    const dryRun = body.dry_run ?? true;
    await markTaskInstances(deps.db, dag, [ti], body.new_state!, { dryRun, xcomFolder: deps.config.xcomFolder });
    if (!dryRun) {
      await deps.audit(c, { event: 'task_instance.edit', dagId: key.dagId, runId: key.runId, taskId: key.taskId, mapIndex: key.mapIndex, extra: { new_state: body.new_state, previous_state: ti.state } });
      deps.changed();
    }
    return c.json(taskInstanceReference(ti));
  };

  const setNote = (mapped: boolean) => async (c: Context<ApiEnv>) => {
    const key = { dagId: dagIdParam(c), runId: runIdParam(c), taskId: taskIdParam(c), mapIndex: mapped ? mapIndexParam(c) : -1 };
    const { note } = await readJsonBody(c, noteBody);
    await requireTi(deps.db, key);
    await deps.db.updateTable('task_instance').set({ note }).where('dag_id', '=', key.dagId).where('run_id', '=', key.runId).where('task_id', '=', key.taskId).where('map_index', '=', key.mapIndex).execute();
    await deps.audit(c, { event: 'task_instance.note', dagId: key.dagId, runId: key.runId, taskId: key.taskId, mapIndex: key.mapIndex });
    return c.json((await renderTis(deps.db, [await requireTi(deps.db, key)]))[0]);
  };

  app.patch(`${base}/setNote`, edit, setNote(false));
  app.patch(`${base}/:map_index{-?[0-9]+}/setNote`, edit, setNote(true));
  app.patch(base, edit, patchOne(false));
  app.patch(`${base}/:map_index{-?[0-9]+}`, edit, patchOne(true));

  app.post('/dags/:dag_id/updateTaskInstancesState', edit, async (c) => {
    const dagId = dagIdParam(c);
    const b = await readJsonBody(c, updateStatesBody);
    if ((b.dag_run_id === undefined) === (b.execution_date === undefined)) throw badRequest('Give exactly one of dag_run_id and execution_date.');
    const dag = await requireDag(deps, dagId);
    requireTask(dag, b.task_id);
    const run = b.dag_run_id !== undefined ? await requireRun(deps.db, dagId, b.dag_run_id) : await runAt(deps.db, dagId, parseDateTime(b.execution_date!, "'execution_date'"));
    const taskIds = selectTaskIds(dag, { taskRegex: exactTaskIds([b.task_id]), upstream: b.include_upstream, downstream: b.include_downstream });
    let q = tiQuery(deps.db).where('ti.dag_id', '=', dagId).where('ti.task_id', 'in', taskIds);
    if (!b.include_past && !b.include_future) q = q.where('ti.run_id', '=', run.run_id);
    else {
      if (!b.include_past) q = q.where('r.logical_date', '>=', run.logical_date);
      if (!b.include_future) q = q.where('r.logical_date', '<=', run.logical_date);
    }
    const tis = await q.orderBy('r.logical_date').orderBy('ti.task_id').orderBy('ti.map_index').execute();
    const dryRun = b.dry_run ?? true;
    const altered = await markTaskInstances(deps.db, dag, tis, b.new_state, { dryRun, xcomFolder: deps.config.xcomFolder });
    if (!dryRun) {
      await deps.audit(c, { event: 'task_instance.edit', dagId, runId: run.run_id, taskId: b.task_id, extra: { new_state: b.new_state, changed: altered.length } });
      if (altered.length) deps.changed();
    }
    return c.json({ task_instances: altered.map(taskInstanceReference) });
  });

  app.post('/dags/:dag_id/clearTaskInstances', edit, async (c) => {
    const dagId = dagIdParam(c);
    const b = await readJsonBody(c, clearBody);
    const dag = await requireDag(deps, dagId);
    const unknown = (b.task_ids ?? []).filter((id) => !dag.tasks.some((t) => t.taskId === id));
    if (unknown.length) throw notFound(`DAG '${dagId}' has no task(s) ${unknown.map((u) => `'${u}'`).join(', ')}.`);
    const filter: ClearFilter = {
      taskRegex: b.task_ids ? exactTaskIds(b.task_ids) : undefined, upstream: b.include_upstream, downstream: b.include_downstream,
      start: b.start_date ? new Date(parseDateTime(b.start_date, "'start_date'")) : undefined,
      end: b.end_date ? new Date(parseDateTime(b.end_date, "'end_date'")) : undefined,
      onlyFailed: (b.only_failed ?? true) && !b.only_running,
    };
    if (b.dag_run_id) {
      const run = await requireRun(deps.db, dagId, b.dag_run_id);
      filter.start = b.include_past ? undefined : new Date(run.logical_date);
      filter.end = b.include_future ? undefined : new Date(run.logical_date);
    }
    // As in Airflow 2, include_subdags (default false) also clears what ExternalTaskMarkers point at.
    const groups = await recursiveClear(() => findTaskInstancesToClearAcrossDags(deps.db, (id) => deps.dags.get(deps.db, id), dag, filter, {
      recursive: b.include_subdags ?? false, keep: b.only_running ? (t) => t.state === 'running' : undefined,
    }));
    const candidates = allCandidates(groups);
    const dryRun = b.dry_run ?? true;
    let keys = candidates;
    if (!dryRun) {
      const result = await clearAcrossDags(deps.db, groups, { xcomFolder: deps.config.xcomFolder });
      const cleared = new Set(result.cleared.map((k) => `${k.dagId}\u0000${k.runId}\u0000${k.taskId}\u0000${k.mapIndex}`));
      keys = candidates.filter((t) => cleared.has(`${t.dagId}\u0000${t.runId}\u0000${t.taskId}\u0000${t.mapIndex}`));
      const external = groups.slice(1).filter((g) => g.tis.length).map((g) => g.dag.dagId);
      await deps.audit(c, { event: 'task_instance.clear', dagId, runId: b.dag_run_id ?? null, extra: { task_ids: b.task_ids ?? null, cleared: result.cleared.length, left_running: result.active.length, ...(external.length ? { external_dags: external } : {}) } });
      if (result.cleared.length) deps.changed();
    }
    return c.json({ task_instances: keys.map((k) => taskInstanceReference({ dag_id: k.dagId, run_id: k.runId, task_id: k.taskId, logical_date: k.logicalDate })) });
  });

  return app;
}

/** Runs a recursive clear's walk, answering 400 when it cannot be done. */
export async function recursiveClear<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RecursiveClearError) throw badRequest(e.message);
    throw e;
  }
}

async function runAt(db: Kysely<Schema>, dagId: string, logicalDate: string): Promise<DagRunRow> {
  const run = await db.selectFrom('dag_run').selectAll().where('dag_id', '=', dagId).where('logical_date', '=', logicalDate).executeTakeFirst();
  if (!run) throw notFound(`DAG '${dagId}' has no run with logical date ${logicalDate}`);
  return run;
}
