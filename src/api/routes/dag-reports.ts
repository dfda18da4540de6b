/**
 * Reports about DAGs: import errors (files that failed to load), DAG warnings, and run counts
 * per state (dagStats).
 */
import { Hono } from 'hono';
import { ALL_DAG_RUN_STATES } from '../../core/states.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { intParam } from '../http/ids.ts';
import { applyPage, countRows } from '../http/page-query.ts';
import { queryCsv, queryPaging, queryString } from '../http/query.ts';
import { badRequest, notFound } from '../problem.ts';

const IMPORT_ERROR_ORDER = { import_error_id: 'id', id: 'id', timestamp: 'timestamp', filename: 'filename' } as const;
const WARNING_ORDER = { dag_id: 'dag_id', warning_type: 'warning_type', message: 'message', timestamp: 'timestamp' } as const;

function importErrorView(r: { id: number; filename: string; stacktrace: string; timestamp: string }) {
  return { import_error_id: r.id, filename: r.filename, stack_trace: r.stacktrace, timestamp: r.timestamp };
}

/** Import error, DAG warning and DAG stats routes. */
export function dagReportRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/importErrors', requirePermission('read', 'Import Errors'), async (c) => {
    const page = queryPaging(c, IMPORT_ERROR_ORDER, 'import_error_id');
    const q = deps.db.selectFrom('import_error').selectAll();
    const total = await countRows(q);
    return c.json({ import_errors: (await applyPage(q, page).execute()).map(importErrorView), total_entries: total });
  });

  app.get('/importErrors/:import_error_id', requirePermission('read', 'Import Errors'), async (c) => {
    const id = intParam(c, 'import_error_id');
    const row = await deps.db.selectFrom('import_error').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`The ImportError with import_error_id: '${id}' was not found`);
    return c.json(importErrorView(row));
  });

  app.get('/dagWarnings', requirePermission('read', 'DAG Warnings'), async (c) => {
    const page = queryPaging(c, WARNING_ORDER, 'timestamp');
    let q = deps.db.selectFrom('dag_warning').selectAll();
    const dagId = queryString(c, 'dag_id');
    const type = queryString(c, 'warning_type');
    if (dagId !== undefined) q = q.where('dag_id', '=', dagId);
    if (type !== undefined) q = q.where('warning_type', '=', type);
    const total = await countRows(q);
    const rows = await applyPage(q, { ...page, order: [...page.order, { column: 'dag_id', desc: false }, { column: 'warning_type', desc: false }] }).execute();
    return c.json({ import_errors: rows.map((r) => ({ dag_id: r.dag_id, warning_type: r.warning_type, message: r.message, timestamp: r.timestamp })), total_entries: total });
  });

  app.get('/dagStats', requirePermission('read', 'DAG Runs'), async (c) => {
    const requested = queryCsv(c, 'dag_ids');
    if (!requested?.length) throw badRequest("Query parameter 'dag_ids' is required: one or more DAG ids separated by commas.");
    const known = (await deps.db.selectFrom('dag').select('dag_id').where('dag_id', 'in', requested).execute()).map((r) => r.dag_id).sort();
    const counts = new Map<string, number>();
    if (known.length) {
      const rows = await deps.db
        .selectFrom('dag_run')
        .select(['dag_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
        .where('dag_id', 'in', known)
        .groupBy(['dag_id', 'state'])
        .execute();
      for (const r of rows) counts.set(`${r.dag_id}\u0000${r.state}`, Number(r.n));
    }
    const dags = known.map((dagId) => ({ dag_id: dagId, stats: ALL_DAG_RUN_STATES.map((state) => ({ state, count: counts.get(`${dagId}\u0000${state}`) ?? 0 })) }));
    return c.json({ dags, total_entries: dags.length });
  });

  return app;
}
