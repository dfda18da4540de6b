/**
 * Acting on one DAG run: set its state (success / failed / queued), clear it (or preview the
 * clear with `dry_run`), set its note, and list the dataset events that triggered it.
 */
import { Hono } from 'hono';
import { allCandidates, clearAcrossDags, findTaskInstancesToClearAcrossDags } from '../../scheduler/recursive-clear.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import { setDagRunState, type SettableRunState } from '../actions/run-actions.ts';
import type { ApiDeps } from '../deps.ts';
import { dagIdParam, runIdParam } from '../http/ids.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { renderTis, requireDag, requireRun, tiQuery } from '../lookups.ts';
import { badRequest, notFound } from '../problem.ts';
import { datasetEventQuery, renderDatasetEvents } from '../views/datasets.ts';
import { dagRunView } from '../views/runs.ts';
import { recursiveClear } from './task-instance-actions.ts';

const stateBody = bodyValidator<{ state?: SettableRunState }>(closedObject({ state: { type: 'string', enum: ['success', 'failed', 'queued'] } }));
const clearBody = bodyValidator<{ dry_run?: boolean }>(closedObject({ dry_run: { type: 'boolean' } }));
const noteBody = bodyValidator<{ note: string | null }>(closedObject({ note: { type: ['string', 'null'] } }, { required: ['note'] }));

/** DAG run action routes. */
export function dagRunActionRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.patch('/dags/:dag_id/dagRuns/:dag_run_id', requirePermission('edit', 'DAG Runs'), async (c) => {
    const dagId = dagIdParam(c);
    const runId = runIdParam(c);
    const { state } = await readJsonBody(c, stateBody);
    if (!state) throw badRequest("The body must set 'state' to success, failed or queued.");
    const run = await requireRun(deps.db, dagId, runId);
    if (!(await setDagRunState(deps.db, run, state))) throw notFound(`DAGRun '${runId}' was deleted meanwhile`);
    await deps.audit(c, { event: 'dag_run.edit', dagId, runId, extra: { state, previous_state: run.state } });
    deps.changed();
    return c.json(dagRunView(await requireRun(deps.db, dagId, runId)));
  });

  app.post('/dags/:dag_id/dagRuns/:dag_run_id/clear', requirePermission('edit', 'DAG Runs'), async (c) => {
    const dagId = dagIdParam(c);
    const runId = runIdParam(c);
    const { dry_run: dryRun = true } = await readJsonBody(c, clearBody);
    await requireRun(deps.db, dagId, runId);
    const dag = await requireDag(deps, dagId);
    // As in Airflow 2, clearing a run also clears what its ExternalTaskMarkers point at.
    const groups = await recursiveClear(() => findTaskInstancesToClearAcrossDags(deps.db, (id) => deps.dags.get(deps.db, id), dag, { runIds: [runId] }, { recursive: true }));
    if (dryRun) {
      const planned = [...new Set(allCandidates(groups).filter((t) => t.state !== 'none').map((t) => `${t.dagId}\u0000${t.runId}`))];
      const tis = [];
      for (const key of planned) {
        const [d, r] = key.split('\u0000') as [string, string];
        tis.push(...(await tiQuery(deps.db).where('ti.dag_id', '=', d).where('ti.run_id', '=', r).where('ti.state', '!=', 'none').orderBy('ti.task_id').orderBy('ti.map_index').execute()));
      }
      const wanted = new Set(allCandidates(groups).map((t) => `${t.dagId}\u0000${t.runId}\u0000${t.taskId}\u0000${t.mapIndex}`));
      const shown = tis.filter((t) => wanted.has(`${t.dag_id}\u0000${t.run_id}\u0000${t.task_id}\u0000${t.map_index}`));
      return c.json({ task_instances: await renderTis(deps.db, shown), total_entries: shown.length });
    }
    const result = await clearAcrossDags(deps.db, groups, { xcomFolder: deps.config.xcomFolder });
    const external = groups.slice(1).filter((g) => g.tis.length).map((g) => g.dag.dagId);
    await deps.audit(c, { event: 'dag_run.clear', dagId, runId, extra: { cleared: result.cleared.length, left_running: result.active.length, ...(external.length ? { external_dags: external } : {}) } });
    deps.changed();
    return c.json(dagRunView(await requireRun(deps.db, dagId, runId)));
  });

  app.patch('/dags/:dag_id/dagRuns/:dag_run_id/setNote', requirePermission('edit', 'DAG Runs'), async (c) => {
    const dagId = dagIdParam(c);
    const runId = runIdParam(c);
    const { note } = await readJsonBody(c, noteBody);
    const run = await requireRun(deps.db, dagId, runId);
    await deps.db.updateTable('dag_run').set({ note }).where('id', '=', run.id).execute();
    await deps.audit(c, { event: 'dag_run.note', dagId, runId });
    return c.json(dagRunView(await requireRun(deps.db, dagId, runId)));
  });

  app.get('/dags/:dag_id/dagRuns/:dag_run_id/upstreamDatasetEvents', requirePermission('read', 'DAG Runs'), requirePermission('read', 'Datasets'), async (c) => {
    const run = await requireRun(deps.db, dagIdParam(c), runIdParam(c));
    const events = await datasetEventQuery(deps.db)
      .innerJoin('dagrun_dataset_event as l', 'l.event_id', 'e.id')
      .where('l.dag_run_id', '=', run.id)
      .orderBy('e.timestamp')
      .orderBy('e.id')
      .execute();
    return c.json({ dataset_events: await renderDatasetEvents(deps.db, events), total_entries: events.length });
  });

  return app;
}
