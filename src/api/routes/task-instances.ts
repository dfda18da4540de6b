/**
 * Task instances: list (`~` for every DAG and run; filters by dates, duration, state, pool,
 * queue, executor), the batch form `POST /dags/~/dagRuns/~/taskInstances/list`, get one
 * (mapped ones by map index), list a mapped task's copies, and its extra links.
 */
import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import { isTiState, type TaskInstanceState } from '../../core/states.ts';
import type { Schema } from '../../store/index.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { dagIdParam, mapIndexParam, runIdParam, taskIdParam, WILDCARD } from '../http/ids.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { applyPage, countRows } from '../http/page-query.ts';
import { checkLimit, MAX_PAGE_LIMIT, parseDateTime, queryDate, queryInt, queryList, queryNumber, queryPaging, type Paging } from '../http/query.ts';
import { renderTis, requireDag, requireTask, requireTi, tiQuery } from '../lookups.ts';
import { badRequest, notFound } from '../problem.ts';

const ORDER = {
  execution_date: 'r.logical_date', logical_date: 'r.logical_date', dag_id: 'ti.dag_id', dag_run_id: 'ti.run_id', task_id: 'ti.task_id',
  map_index: 'ti.map_index', state: 'ti.state', start_date: 'ti.start_date', end_date: 'ti.end_date', duration: 'ti.duration',
  try_number: 'ti.try_number', pool: 'ti.pool', queue: 'ti.queue', priority_weight: 'ti.priority_weight', updated_at: 'ti.updated_at',
  operator: 'ti.operator',
} as const;
type OrderColumn = (typeof ORDER)[keyof typeof ORDER];
const STABLE: OrderColumn[] = ['ti.dag_id', 'ti.run_id', 'ti.task_id', 'ti.map_index'];

/** What a task instance list may filter on. */
export interface TiFilter {
  dagIds?: string[];
  runIds?: string[];
  taskIds?: string[];
  mapped?: boolean;
  mapIndexEquals?: number;
  states?: TaskInstanceState[];
  pools?: string[];
  queues?: string[];
  executors?: string[];
  range: Partial<Record<'r.logical_date' | 'ti.start_date' | 'ti.end_date' | 'ti.updated_at' | 'ti.duration', { gte?: string | number; lte?: string | number }>>;
}

const DATE = { type: 'string', format: 'date-time' };
const STRINGS = { type: 'array', items: { type: 'string' } };
interface BatchBody {
  dag_ids?: string[]; dag_run_ids?: string[]; task_ids?: string[]; state?: Array<string | null>; pool?: string[]; queue?: string[]; executor?: string[];
  execution_date_gte?: string; execution_date_lte?: string; start_date_gte?: string; start_date_lte?: string; end_date_gte?: string; end_date_lte?: string;
  duration_gte?: number; duration_lte?: number; page_limit?: number; page_offset?: number;
}
const batchBody = bodyValidator<BatchBody>(closedObject({
  dag_ids: STRINGS, dag_run_ids: STRINGS, task_ids: STRINGS, state: { type: 'array', items: { type: ['string', 'null'] } }, pool: STRINGS, queue: STRINGS, executor: STRINGS,
  execution_date_gte: DATE, execution_date_lte: DATE, start_date_gte: DATE, start_date_lte: DATE, end_date_gte: DATE, end_date_lte: DATE,
  duration_gte: { type: 'number' }, duration_lte: { type: 'number' }, page_limit: { type: 'integer', minimum: 1 }, page_offset: { type: 'integer', minimum: 0 },
}));

/** Task instance read routes. */
export function taskInstanceRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const guard = requirePermission('read', 'Task Instances');

  app.post('/dags/~/dagRuns/~/taskInstances/list', guard, async (c) => {
    const b = await readJsonBody(c, batchBody);
    const d = (v: string | undefined, name: string) => (v === undefined ? undefined : parseDateTime(v, `'${name}'`));
    const filter: TiFilter = {
      dagIds: b.dag_ids, runIds: b.dag_run_ids, taskIds: b.task_ids, states: checkStates(b.state?.map((s) => s ?? 'none')),
      pools: b.pool, queues: b.queue, executors: b.executor,
      range: {
        'r.logical_date': { gte: d(b.execution_date_gte, 'execution_date_gte'), lte: d(b.execution_date_lte, 'execution_date_lte') },
        'ti.start_date': { gte: d(b.start_date_gte, 'start_date_gte'), lte: d(b.start_date_lte, 'start_date_lte') },
        'ti.end_date': { gte: d(b.end_date_gte, 'end_date_gte'), lte: d(b.end_date_lte, 'end_date_lte') },
        'ti.duration': { gte: b.duration_gte, lte: b.duration_lte },
      },
    };
    const page: Paging<OrderColumn> = { limit: b.page_limit === undefined ? MAX_PAGE_LIMIT : checkLimit(b.page_limit, "'page_limit'"), offset: b.page_offset ?? 0, order: [{ column: 'r.logical_date', desc: false }] };
    return c.json(await listTis(deps.db, filter, page));
  });

  app.get('/dags/:dag_id/dagRuns/:dag_run_id/taskInstances', guard, async (c) => {
    const dagId = dagIdParam(c, { wildcard: true });
    const runId = runIdParam(c, { wildcard: true });
    const filter = queryFilter(c);
    if (dagId !== WILDCARD) filter.dagIds = [dagId];
    if (runId !== WILDCARD) filter.runIds = [runId];
    return c.json(await listTis(deps.db, filter, queryPaging(c, ORDER, 'execution_date')));
  });

  app.get('/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/listMapped', guard, async (c) => {
    const dagId = dagIdParam(c);
    const runId = runIdParam(c);
    const taskId = taskIdParam(c);
    const task = requireTask(await requireDag(deps, dagId), taskId);
    if (!task.mapped) throw notFound(`Task '${taskId}' of DAG '${dagId}' is not mapped.`);
    const filter = queryFilter(c);
    Object.assign(filter, { dagIds: [dagId], runIds: [runId], taskIds: [taskId], mapped: true });
    return c.json(await listTis(deps.db, filter, queryPaging(c, ORDER, 'map_index')));
  });

  app.get('/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/links', guard, async (c) => {
    await requireTi(deps.db, { dagId: dagIdParam(c), runId: runIdParam(c), taskId: taskIdParam(c), mapIndex: -1 });
    return c.json({ extra_links: [] });
  });

  app.get('/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id', guard, async (c) => {
    const ti = await requireTi(deps.db, { dagId: dagIdParam(c), runId: runIdParam(c), taskId: taskIdParam(c), mapIndex: -1 });
    return c.json((await renderTis(deps.db, [ti]))[0]);
  });

  app.get('/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/:map_index{-?[0-9]+}', guard, async (c) => {
    const ti = await requireTi(deps.db, { dagId: dagIdParam(c), runId: runIdParam(c), taskId: taskIdParam(c), mapIndex: mapIndexParam(c) });
    return c.json((await renderTis(deps.db, [ti]))[0]);
  });

  return app;
}

function checkStates(states: string[] | undefined): TaskInstanceState[] | undefined {
  if (!states) return undefined;
  const bad = states.filter((s) => !isTiState(s));
  if (bad.length) throw badRequest(`Unknown task instance state(s): ${bad.join(', ')}.`);
  return states as TaskInstanceState[];
}

function queryFilter(c: Context): TiFilter {
  const range = (name: string) => ({ gte: queryDate(c, `${name}_gte`), lte: queryDate(c, `${name}_lte`) });
  const mapIndex = queryInt(c, 'map_index', -1);
  return {
    states: checkStates(queryList(c, 'state')),
    pools: queryList(c, 'pool'),
    queues: queryList(c, 'queue'),
    executors: queryList(c, 'executor'),
    ...(mapIndex !== undefined && { mapIndexEquals: mapIndex }),
    range: {
      'r.logical_date': range('execution_date'), 'ti.start_date': range('start_date'), 'ti.end_date': range('end_date'), 'ti.updated_at': range('updated_at'),
      'ti.duration': { gte: queryNumber(c, 'duration_gte'), lte: queryNumber(c, 'duration_lte') },
    },
  };
}

/** Task instances matching the filter, one page of them, with the total count. */
export async function listTis(db: Kysely<Schema>, f: TiFilter, page: Paging<string>) {
  let q = tiQuery(db);
  if (f.dagIds?.length) q = q.where('ti.dag_id', 'in', f.dagIds);
  if (f.runIds?.length) q = q.where('ti.run_id', 'in', f.runIds);
  if (f.taskIds?.length) q = q.where('ti.task_id', 'in', f.taskIds);
  if (f.mapped) q = q.where('ti.map_index', '>=', 0);
  if (f.mapIndexEquals !== undefined) q = q.where('ti.map_index', '=', f.mapIndexEquals);
  if (f.states?.length) q = q.where('ti.state', 'in', f.states);
  if (f.pools?.length) q = q.where('ti.pool', 'in', f.pools);
  if (f.queues?.length) q = q.where('ti.queue', 'in', f.queues);
  if (f.executors?.length) q = q.where('ti.executor', 'in', f.executors);
  for (const [column, r] of Object.entries(f.range) as Array<[keyof TiFilter['range'], { gte?: string | number; lte?: string | number }]>) {
    if (r.gte !== undefined) q = q.where(column, '>=', r.gte as never);
    if (r.lte !== undefined) q = q.where(column, '<=', r.lte as never);
  }
  const total = await countRows(q);
  const order = [...page.order, ...STABLE.filter((s) => !page.order.some((o) => o.column === s)).map((column) => ({ column, desc: false }))];
  const rows = await applyPage(q, { ...page, order }).execute();
  return { task_instances: await renderTis(db, rows), total_entries: total };
}
