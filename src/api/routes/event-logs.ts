/**
 * The event log (audit trail): list with Airflow's filters (DAG, task, run, map index, try,
 * event, owner, before/after, included/excluded events) and get one entry.
 */
import { Hono } from 'hono';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { intParam } from '../http/ids.ts';
import { applyPage, countRows } from '../http/page-query.ts';
import { queryCsv, queryDate, queryInt, queryPaging, queryString } from '../http/query.ts';
import { notFound } from '../problem.ts';

const ORDER = {
  event_log_id: 'l.id', when: 'l.dttm', dag_id: 'l.dag_id', task_id: 'l.task_id', run_id: 'l.run_id', map_index: 'l.map_index',
  try_number: 'l.try_number', event: 'l.event', owner: 'l.owner', execution_date: 'r.logical_date', extra: 'l.extra',
} as const;

/** Event log routes. */
export function eventLogRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const read = requirePermission('read', 'Audit Logs');
  const entries = () =>
    deps.db
      .selectFrom('log as l')
      .leftJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'l.dag_id').onRef('r.run_id', '=', 'l.run_id'))
      .selectAll('l')
      .select('r.logical_date');
  type Row = Awaited<ReturnType<ReturnType<typeof entries>['execute']>>[number];
  const view = (r: Row) => ({
    event_log_id: r.id, when: r.dttm, dag_id: r.dag_id, task_id: r.task_id, run_id: r.run_id, map_index: r.map_index, try_number: r.try_number,
    event: r.event, execution_date: r.logical_date ?? null, owner: r.owner, extra: r.extra,
  });

  app.get('/eventLogs', read, async (c) => {
    const page = queryPaging(c, ORDER, 'event_log_id');
    let q = entries();
    for (const name of ['dag_id', 'task_id', 'run_id', 'event', 'owner'] as const) {
      const v = queryString(c, name);
      if (v !== undefined) q = q.where(`l.${name}`, '=', v);
    }
    const mapIndex = queryInt(c, 'map_index', -1);
    if (mapIndex !== undefined) q = q.where('l.map_index', '=', mapIndex);
    const tryNumber = queryInt(c, 'try_number', 0);
    if (tryNumber !== undefined) q = q.where('l.try_number', '=', tryNumber);
    const before = queryDate(c, 'before');
    const after = queryDate(c, 'after');
    if (before !== undefined) q = q.where('l.dttm', '<', before);
    if (after !== undefined) q = q.where('l.dttm', '>', after);
    const included = queryCsv(c, 'included_events');
    const excluded = queryCsv(c, 'excluded_events');
    if (included?.length) q = q.where('l.event', 'in', included);
    if (excluded?.length) q = q.where('l.event', 'not in', excluded);
    const total = await countRows(q);
    const order = page.order.some((o) => o.column === 'l.id') ? page.order : [...page.order, { column: 'l.id' as const, desc: false }];
    return c.json({ event_logs: (await applyPage(q, { ...page, order }).execute()).map(view), total_entries: total });
  });

  app.get('/eventLogs/:event_log_id', read, async (c) => {
    const id = intParam(c, 'event_log_id');
    const row = await entries().where('l.id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Event Log with id: '${id}' not found`);
    return c.json(view(row));
  });

  return app;
}
