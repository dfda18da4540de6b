/**
 * DAG runs: list (one DAG or `~` for all, and the batch form `POST /dags/~/dagRuns/list`), get,
 * trigger (through `createDagRun`, the one way runs are made: conf checked against the params,
 * 409 on a duplicate run id or logical date) and delete.
 */
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { isDagRunState } from '../../core/states.ts';
import { createDagRun, RunConflictError, RunInputError } from '../../scheduler/create-run.ts';
import type { DagRunRow, Schema } from '../../store/index.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import { deleteDagRun } from '../actions/run-actions.ts';
import type { ApiDeps } from '../deps.ts';
import { pickFields, requestedFields } from '../http/fields.ts';
import { dagIdParam, runIdParam, WILDCARD } from '../http/ids.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { applyPage, countRows } from '../http/page-query.ts';
import { checkLimit, parseDateTime, parseOrderBy, queryDate, queryList, queryPaging, type Paging } from '../http/query.ts';
import { requireDag, requireDagRow, requireRun } from '../lookups.ts';
import { badRequest, conflict, notFound } from '../problem.ts';
import { dagRunView } from '../views/runs.ts';

const RUN_FIELDS = ['dag_run_id', 'dag_id', 'logical_date', 'execution_date', 'start_date', 'end_date', 'data_interval_start', 'data_interval_end', 'last_scheduling_decision', 'run_type', 'state', 'external_trigger', 'conf', 'note'];

const ORDER = {
  id: 'id', state: 'state', dag_id: 'dag_id', execution_date: 'logical_date', logical_date: 'logical_date', dag_run_id: 'run_id',
  start_date: 'start_date', end_date: 'end_date', updated_at: 'updated_at', external_trigger: 'external_trigger', conf: 'conf',
  run_type: 'run_type', data_interval_start: 'data_interval_start', data_interval_end: 'data_interval_end',
} as const;

interface RunFilter {
  dagIds?: string[];
  states?: string[];
  range: Partial<Record<'logical_date' | 'start_date' | 'end_date' | 'updated_at', { gte?: string; lte?: string }>>;
}

const DATE = { type: 'string', format: 'date-time' };
const NULLABLE_DATE = { type: ['string', 'null'], format: 'date-time' };

interface TriggerBody {
  dag_run_id?: string | null;
  logical_date?: string | null;
  execution_date?: string | null;
  data_interval_start?: string | null;
  data_interval_end?: string | null;
  conf?: Record<string, unknown> | null;
  note?: string | null;
}
const triggerBody = bodyValidator<TriggerBody>(closedObject(
  {
    dag_run_id: { type: ['string', 'null'] }, logical_date: NULLABLE_DATE, execution_date: NULLABLE_DATE, data_interval_start: NULLABLE_DATE,
    data_interval_end: NULLABLE_DATE, conf: { type: ['object', 'null'] }, note: { type: ['string', 'null'] },
  },
  { readOnly: ['dag_id', 'start_date', 'end_date', 'last_scheduling_decision', 'run_type', 'state', 'external_trigger'] },
));

interface BatchBody {
  dag_ids?: string[];
  states?: string[];
  page_limit?: number;
  page_offset?: number;
  order_by?: string;
  execution_date_gte?: string; execution_date_lte?: string; start_date_gte?: string; start_date_lte?: string; end_date_gte?: string; end_date_lte?: string;
}
const batchBody = bodyValidator<BatchBody>(closedObject({
  dag_ids: { type: 'array', items: { type: 'string' } }, states: { type: 'array', items: { type: 'string' } },
  page_limit: { type: 'integer', minimum: 1 }, page_offset: { type: 'integer', minimum: 0 }, order_by: { type: 'string' },
  execution_date_gte: DATE, execution_date_lte: DATE, start_date_gte: DATE, start_date_lte: DATE, end_date_gte: DATE, end_date_lte: DATE,
}));

/** DAG run routes. */
export function dagRunRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.post('/dags/~/dagRuns/list', requirePermission('read', 'DAG Runs'), async (c) => {
    const b = await readJsonBody(c, batchBody);
    const d = (v: string | undefined, name: string) => (v === undefined ? undefined : parseDateTime(v, `'${name}'`));
    const filter: RunFilter = {
      dagIds: b.dag_ids, states: b.states,
      range: {
        logical_date: { gte: d(b.execution_date_gte, 'execution_date_gte'), lte: d(b.execution_date_lte, 'execution_date_lte') },
        start_date: { gte: d(b.start_date_gte, 'start_date_gte'), lte: d(b.start_date_lte, 'start_date_lte') },
        end_date: { gte: d(b.end_date_gte, 'end_date_gte'), lte: d(b.end_date_lte, 'end_date_lte') },
      },
    };
    const page: Paging = { limit: checkLimit(b.page_limit, "'page_limit'"), offset: b.page_offset ?? 0, order: parseOrderBy(b.order_by, ORDER, 'id') };
    return c.json(await listRuns(deps.db, filter, page));
  });

  app.get('/dags/:dag_id/dagRuns', requirePermission('read', 'DAG Runs'), async (c) => {
    const dagId = dagIdParam(c, { wildcard: true });
    const fields = requestedFields(c, RUN_FIELDS);
    const range = (name: string) => ({ gte: queryDate(c, `${name}_gte`), lte: queryDate(c, `${name}_lte`) });
    const filter: RunFilter = {
      dagIds: dagId === WILDCARD ? undefined : [dagId], states: queryList(c, 'state'),
      range: { logical_date: range('execution_date'), start_date: range('start_date'), end_date: range('end_date'), updated_at: range('updated_at') },
    };
    const result = await listRuns(deps.db, filter, queryPaging(c, ORDER, 'id'));
    return c.json({ dag_runs: result.dag_runs.map((r) => pickFields(r, fields)), total_entries: result.total_entries });
  });

  app.post('/dags/:dag_id/dagRuns', requirePermission('create', 'DAG Runs'), async (c) => {
    const dagId = dagIdParam(c);
    const b = await readJsonBody(c, triggerBody);
    const row = await requireDagRow(deps.db, dagId);
    if (!row.is_active) throw notFound(`DAG with dag_id: '${dagId}' not found: its file no longer defines it`);
    if (row.has_import_errors) throw badRequest(`DAG with dag_id: '${dagId}' has import errors; fix its file (see /importErrors) before triggering it.`);
    const dag = await requireDag(deps, dagId);
    const logical = b.logical_date ?? b.execution_date ?? undefined;
    if (b.logical_date && b.execution_date && Date.parse(b.logical_date) !== Date.parse(b.execution_date)) {
      throw badRequest('logical_date and execution_date differ; give only logical_date.');
    }
    if ((b.data_interval_start == null) !== (b.data_interval_end == null)) throw badRequest('Give both data_interval_start and data_interval_end, or neither.');
    const interval = b.data_interval_start && b.data_interval_end ? { start: new Date(b.data_interval_start), end: new Date(b.data_interval_end) } : undefined;
    if (interval && interval.start > interval.end) throw badRequest('data_interval_start must not be after data_interval_end.');
    const created = await deps.db
      .transaction()
      .execute((trx) => createDagRun(trx, {
        dag, runType: 'manual', runId: b.dag_run_id ?? undefined, logicalDate: logical ? new Date(logical) : undefined, dataInterval: interval,
        conf: b.conf ?? {}, externalTrigger: true, note: b.note ?? null,
      }))
      .catch((e: unknown) => {
        if (e instanceof RunConflictError) throw conflict(e.message);
        if (e instanceof RunInputError) throw badRequest(e.message);
        throw e;
      });
    await deps.audit(c, { event: 'dag_run.create', dagId, runId: created.runId, extra: { conf: b.conf ?? {}, logical_date: created.logicalDate.toISOString() } });
    deps.changed();
    return c.json(dagRunView(await requireRun(deps.db, dagId, created.runId)));
  });

  app.get('/dags/:dag_id/dagRuns/:dag_run_id', requirePermission('read', 'DAG Runs'), async (c) => {
    const fields = requestedFields(c, RUN_FIELDS);
    return c.json(pickFields(dagRunView(await requireRun(deps.db, dagIdParam(c), runIdParam(c))), fields));
  });

  app.delete('/dags/:dag_id/dagRuns/:dag_run_id', requirePermission('delete', 'DAG Runs'), async (c) => {
    const run = await requireRun(deps.db, dagIdParam(c), runIdParam(c));
    if (!(await deleteDagRun(deps.db, run, deps.config.xcomFolder))) throw notFound(`DAGRun '${run.run_id}' was deleted meanwhile`);
    await deps.audit(c, { event: 'dag_run.delete', dagId: run.dag_id, runId: run.run_id });
    deps.changed();
    return c.body(null, 204);
  });

  return app;
}

async function listRuns(db: Kysely<Schema>, f: RunFilter, page: Paging) {
  let q = db.selectFrom('dag_run').selectAll();
  if (f.dagIds?.length) q = q.where('dag_id', 'in', f.dagIds);
  if (f.states?.length) {
    const bad = f.states.filter((s) => !isDagRunState(s));
    if (bad.length) throw badRequest(`Unknown DAG run state(s): ${bad.join(', ')}; use queued, running, success or failed.`);
    q = q.where('state', 'in', f.states as Array<DagRunRow['state']>);
  }
  for (const [column, r] of Object.entries(f.range) as Array<[keyof RunFilter['range'], { gte?: string; lte?: string }]>) {
    if (r.gte !== undefined) q = q.where(column, '>=', r.gte);
    if (r.lte !== undefined) q = q.where(column, '<=', r.lte);
  }
  const total = await countRows(q);
  const rows = await applyPage(q, page).execute();
  return { dag_runs: rows.map(dagRunView), total_entries: total };
}
