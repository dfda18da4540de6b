/**
 * DAG runs: list (one DAG or `~`, with v2's range filters, `run_id_pattern`, states, run types
 * and the batch form `POST /dags/~/dagRuns/list`), trigger (`logical_date` optional: a run
 * without one is due now and shows `logical_date: null`), get, patch (state and note), delete
 * and clear (with `dry_run`).
 */
import type { Kysely } from 'kysely';
import { createDagRun, RunConflictError, RunInputError } from '../../../scheduler/create-run.ts';
import { clearTaskInstances, findTaskInstancesToClear } from '../../../scheduler/clear-tasks.ts';
import type { DagRunRow, Schema } from '../../../store/index.ts';
import { deleteDagRun, setDagRunState } from '../../actions/run-actions.ts';
import { requireDag, requireDagRow, requireRun } from '../../lookups.ts';
import { param, route, type RouteDef, type V2Context, type V2Deps } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { applyPage, applyPatterns, applyRanges, countRows, listParam, readPage, type Page } from '../listing.ts';
import { tiQuery, versionsById } from '../lookups.ts';
import { parseDateTime } from '../request.ts';
import { dagRunResponse, runTypeV1, taskInstanceResponse, type TiRow } from '../views/runs.ts';

const ORDER = {
  id: 'id', state: 'state', dag_id: 'dag_id', run_id: 'run_id', dag_run_id: 'run_id', logical_date: 'logical_date', run_after: 'logical_date',
  start_date: 'start_date', end_date: 'end_date', updated_at: 'updated_at', conf: 'conf', run_type: 'run_type',
  data_interval_start: 'data_interval_start', data_interval_end: 'data_interval_end',
};
const RANGES = { logical_date: 'logical_date', run_after: 'logical_date', start_date: 'start_date', end_date: 'end_date', updated_at: 'updated_at' };

/** Renders runs with their DAG versions. */
export async function renderRuns(db: Kysely<Schema>, runs: DagRunRow[]) {
  const versions = await versionsById(db, runs.map((r) => r.dag_version_id));
  return runs.map((r) => dagRunResponse(r, r.dag_version_id === null ? null : versions.get(r.dag_version_id) ?? null));
}

/** Renders task instances with their DAG versions. */
export async function renderTis(db: Kysely<Schema>, tis: TiRow[]) {
  const versions = await versionsById(db, tis.map((t) => t.dag_version_id));
  return tis.map((t) => taskInstanceResponse(t, t.dag_version_id === null ? null : versions.get(t.dag_version_id) ?? null));
}

interface TriggerBody {
  dag_run_id?: string | null;
  logical_date?: string | null;
  data_interval_start?: string | null;
  data_interval_end?: string | null;
  run_after?: string | null;
  conf?: Record<string, unknown> | null;
  note?: string | null;
}

/** DAG run routes. */
export function dagRunRoutes(deps: V2Deps): RouteDef[] {
  const one = async (c: V2Context, dagId: string, runId: string) => c.json((await renderRuns(deps.db, [await requireRun(deps.db, dagId, runId)]))[0]);
  return [
    route('get_dag_runs', ['read', 'DAG Runs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      if (dagId !== '~') await requireDagRow(deps.db, dagId);
      const filter = { ...input.params, dag_ids: dagId === '~' ? undefined : [dagId], states: listParam(input.params, 'state'), run_types: listParam(input.params, 'run_type') };
      return c.json(await listRuns(deps.db, filter, readPage(input, ORDER, 'id')));
    }),
    route('get_list_dag_runs_batch', ['read', 'DAG Runs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      if (dagId !== '~') throw badRequest("The batch list is for every DAG: use '~' as the dag_id and name DAGs in 'dag_ids'.");
      const b = input.body as Record<string, unknown>;
      const filter = { ...normalizeDates(b), dag_ids: b.dag_ids as string[] | undefined, states: b.states as string[] | undefined };
      return c.json(await listRuns(deps.db, filter, readPage(input, ORDER, 'id', { limit: b.page_limit ?? 100, offset: b.page_offset, order_by: b.order_by })));
    }),
    route('trigger_dag_run', ['create', 'DAG Runs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const b = input.body as TriggerBody;
      const row = await requireDagRow(deps.db, dagId);
      if (!row.is_active) throw notFound(`Dag with dag_id: '${dagId}' not found: its file no longer defines it`);
      if (row.has_import_errors) throw badRequest(`Dag with dag_id: '${dagId}' has import errors; fix its file (see /api/v2/importErrors) before triggering it.`);
      const dag = await requireDag(deps, dagId);
      if ((b.data_interval_start == null) !== (b.data_interval_end == null)) throw badRequest('Give both data_interval_start and data_interval_end, or neither.');
      const interval = b.data_interval_start && b.data_interval_end ? { start: new Date(b.data_interval_start), end: new Date(b.data_interval_end) } : undefined;
      if (interval && interval.start > interval.end) throw badRequest('data_interval_start must not be after data_interval_end.');
      const hasLogical = b.logical_date != null;
      const due = hasLogical ? new Date(b.logical_date!) : b.run_after ? new Date(b.run_after) : new Date();
      const created = await deps.db
        .transaction()
        .execute(async (trx) => {
          const made = await createDagRun(trx, {
            dag, runType: 'manual', runId: b.dag_run_id ?? undefined, logicalDate: due, dataInterval: interval, conf: b.conf ?? {}, externalTrigger: true, note: b.note ?? null,
          });
          await trx.updateTable('dag_run').set({ has_logical_date: hasLogical ? 1 : 0, triggering_user_name: c.get('principal')?.username ?? null }).where('id', '=', made.id).execute();
          return made;
        })
        .catch((e: unknown) => {
          if (e instanceof RunConflictError) throw conflict(e.message);
          if (e instanceof RunInputError) throw badRequest(e.message);
          throw e;
        });
      await deps.audit(c, { event: 'dag_run.create', dagId, runId: created.runId, extra: { conf: b.conf ?? {}, logical_date: hasLogical ? created.logicalDate.toISOString() : null } });
      deps.changed();
      return one(c, dagId, created.runId);
    }),
    route('get_dag_run', ['read', 'DAG Runs'], (c, input) => one(c, param(input, 'dag_id'), param(input, 'dag_run_id'))),
    route('patch_dag_run', ['edit', 'DAG Runs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const runId = param(input, 'dag_run_id');
      const b = input.body as { state?: 'success' | 'failed' | 'queued' | null; note?: string | null };
      const mask = param<string[] | undefined>(input, 'update_mask');
      const fields = mask?.length ? mask : Object.keys(b);
      const unknown = fields.filter((f) => f !== 'state' && f !== 'note');
      if (unknown.length) throw badRequest(`Invalid field(s) in update_mask: ${unknown.join(', ')}; only 'state' and 'note' can be updated.`);
      const run = await requireRun(deps.db, dagId, runId);
      if (fields.includes('state') && b.state) {
        if (!(await setDagRunState(deps.db, run, b.state))) throw notFound(`The DagRun with dag_id: '${dagId}' and run_id: '${runId}' was not found`);
        await deps.audit(c, { event: 'dag_run.edit', dagId, runId, extra: { state: b.state, previous_state: run.state } });
        deps.changed();
      }
      if (fields.includes('note') && 'note' in b) {
        await deps.db.updateTable('dag_run').set({ note: b.note ?? null }).where('id', '=', run.id).execute();
        await deps.audit(c, { event: 'dag_run.note', dagId, runId });
      }
      return one(c, dagId, runId);
    }),
    route('delete_dag_run', ['delete', 'DAG Runs'], async (c, input) => {
      const run = await requireRun(deps.db, param(input, 'dag_id'), param(input, 'dag_run_id'));
      if (!(await deleteDagRun(deps.db, run, deps.config.xcomFolder))) throw notFound(`The DagRun with dag_id: '${run.dag_id}' and run_id: '${run.run_id}' was not found`);
      await deps.audit(c, { event: 'dag_run.delete', dagId: run.dag_id, runId: run.run_id });
      deps.changed();
      return c.body(null, 204);
    }),
    route('clear_dag_run', ['edit', 'DAG Runs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const runId = param(input, 'dag_run_id');
      const b = input.body as { dry_run?: boolean; only_failed?: boolean };
      await requireRun(deps.db, dagId, runId);
      const dag = await requireDag(deps, dagId);
      const candidates = await findTaskInstancesToClear(deps.db, dag, { runIds: [runId], onlyFailed: b.only_failed ?? false });
      if (b.dry_run ?? true) {
        const keys = new Set(candidates.map((t) => `${t.taskId}\0${t.mapIndex}`));
        const tis = (await tiQuery(deps.db).where('ti.dag_id', '=', dagId).where('ti.run_id', '=', runId).orderBy('ti.task_id').orderBy('ti.map_index').execute()).filter((t) => keys.has(`${t.task_id}\0${t.map_index}`));
        return c.json({ task_instances: await renderTis(deps.db, tis as TiRow[]), total_entries: tis.length });
      }
      const result = await clearTaskInstances(deps.db, dag, candidates, { xcomFolder: deps.config.xcomFolder });
      await deps.audit(c, { event: 'dag_run.clear', dagId, runId, extra: { cleared: result.cleared.length, left_running: result.active.length } });
      deps.changed();
      return one(c, dagId, runId);
    }),
  ];
}

function normalizeDates(b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...b };
  for (const [k, v] of Object.entries(b)) if (/_(gte|gt|lte|lt)$/.test(k) && typeof v === 'string') out[k] = /date|run_after/.test(k) ? parseDateTime(v) ?? v : v;
  return out;
}

async function listRuns(db: Kysely<Schema>, f: Record<string, unknown> & { dag_ids?: string[]; states?: string[]; run_types?: string[] }, page: Page) {
  let q = db.selectFrom('dag_run').selectAll();
  if (f.dag_ids?.length) q = q.where('dag_id', 'in', f.dag_ids);
  if (f.states?.length) q = q.where('state', 'in', f.states as Array<DagRunRow['state']>);
  if (f.run_types?.length) q = q.where('run_type', 'in', f.run_types.map(runTypeV1) as Array<DagRunRow['run_type']>);
  q = applyRanges(q, f, RANGES);
  q = applyPatterns(q, f, { run_id_pattern: 'run_id', dag_id_pattern: 'dag_id' });
  const versions = f.dag_version as number[] | undefined;
  if (versions?.length) q = q.where('dag_version_id', 'in', (eb) => eb.selectFrom('dag_version').select('id').whereRef('dag_version.dag_id', '=', 'dag_run.dag_id').where('version_number', 'in', versions));
  if (typeof f.conf_contains === 'string' && f.conf_contains !== '') q = q.where('conf', 'like', `%${f.conf_contains}%`);
  const total = await countRows(q);
  const rows = await applyPage(q, page).execute();
  return { dag_runs: await renderRuns(db, rows), total_entries: total };
}


