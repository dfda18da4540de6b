/**
 * XCom entries: list (`~` for every DAG, run and task; no values, as in Airflow) and get one
 * with its value, read from the database or the XCom file store. The value is a string unless
 * `deserialize=true&stringify=false` asks for the stored JSON value itself.
 */
import { Hono } from 'hono';
import { decodeXCom } from '../../core/xcom-codec.ts';
import { readRef } from '../../scheduler/xcom-store.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import { xcomOptions, type ApiDeps } from '../deps.ts';
import { checkKey, dagIdParam, runIdParam, taskIdParam, WILDCARD } from '../http/ids.ts';
import { applyPage, countRows } from '../http/page-query.ts';
import { queryBool, queryInt, queryPaging, queryString } from '../http/query.ts';
import { notFound, Problem } from '../problem.ts';

const ORDER = { execution_date: 'r.logical_date', dag_id: 'x.dag_id', task_id: 'x.task_id', map_index: 'x.map_index', key: 'x.key', timestamp: 'x.timestamp' } as const;

/** XCom routes. */
export function xcomRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const guard = requirePermission('read', 'XComs');
  const base = '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/xcomEntries';
  const rows = () =>
    deps.db
      .selectFrom('xcom as x')
      .innerJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'x.dag_id').onRef('r.run_id', '=', 'x.run_id'))
      .select(['x.dag_id', 'x.run_id', 'x.task_id', 'x.map_index', 'x.key', 'x.timestamp', 'r.logical_date']);

  app.get(base, guard, async (c) => {
    const dagId = dagIdParam(c, { wildcard: true });
    const runId = runIdParam(c, { wildcard: true });
    const taskId = taskIdParam(c, { wildcard: true });
    const mapIndex = queryInt(c, 'map_index', -1);
    const key = queryString(c, 'xcom_key');
    const page = queryPaging(c, ORDER, 'execution_date');
    let q = rows();
    if (dagId !== WILDCARD) q = q.where('x.dag_id', '=', dagId);
    if (runId !== WILDCARD) q = q.where('x.run_id', '=', runId);
    if (taskId !== WILDCARD) q = q.where('x.task_id', '=', taskId);
    if (mapIndex !== undefined) q = q.where('x.map_index', '=', mapIndex);
    if (key !== undefined) q = q.where('x.key', '=', key);
    const total = await countRows(q);
    const order = [...page.order, ...(['x.task_id', 'x.dag_id', 'x.run_id', 'x.map_index', 'x.key'] as const).map((column) => ({ column, desc: false }))];
    const found = await applyPage(q, { ...page, order }).execute();
    return c.json({ xcom_entries: found.map(entryView), total_entries: total });
  });

  app.get(`${base}/:xcom_key`, guard, async (c) => {
    const dagId = dagIdParam(c);
    const runId = runIdParam(c);
    const taskId = taskIdParam(c);
    const key = checkKey(c.req.param('xcom_key'), 'XCom key', 512);
    const mapIndex = queryInt(c, 'map_index', -1) ?? -1;
    const native = (queryBool(c, 'deserialize') ?? false) && !(queryBool(c, 'stringify') ?? true);
    const row = await rows()
      .select(['x.value', 'x.value_ref'])
      .where('x.dag_id', '=', dagId)
      .where('x.run_id', '=', runId)
      .where('x.task_id', '=', taskId)
      .where('x.map_index', '=', mapIndex)
      .where('x.key', '=', key)
      .executeTakeFirst();
    if (!row) throw notFound(`XCom entry '${key}' of task '${taskId}'${mapIndex >= 0 ? ` (map index ${mapIndex})` : ''} in run '${runId}' of DAG '${dagId}' not found`);
    let text: string | null;
    try {
      text = row.value ?? readRef(xcomOptions(deps.config), row.value_ref);
    } catch (e) {
      throw new Problem(500, `The value of XCom entry '${key}' is stored in a file that cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); it may have been removed from the XCom folder.`);
    }
    const value = decodeXCom(text);
    return c.json({ ...entryView(row), value: native ? value : stringify(value) });
  });

  return app;
}

function entryView(x: { dag_id: string; task_id: string; map_index: number; key: string; timestamp: string; logical_date: string }) {
  return { dag_id: x.dag_id, execution_date: x.logical_date, key: x.key, map_index: x.map_index, task_id: x.task_id, timestamp: x.timestamp };
}

/** A value as a string: strings as they are, anything else as JSON (dates as ISO strings). */
function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? 'null';
}
