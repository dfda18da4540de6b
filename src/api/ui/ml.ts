/**
 * The ML pages' data, which the REST API v1 (Airflow's) has no place for:
 *
 * - `GET /ui/ml/runs?dag_id=…[&run_id=…]`: every tracked try of a DAG (params, final metrics,
 *   artifacts), as `baton ml runs` lists them;
 * - `GET /ui/ml/metrics?dag_id=…&run_id=…&task_id=…[&map_index=…][&key=…]`: metric history
 *   points (step, value) for the line charts;
 * - `GET /ui/ml/models`: every model version with its stage, metrics and source try, and each
 *   model's stage history;
 * - `POST /ui/ml/models/{name}/versions/{version}/stage` `{"stage": …}`: promote (or demote);
 *   `POST /ui/ml/models/{name}/rollback`: put the previous production version back.
 *
 * Reading needs `read` on ML, changing `edit` on ML; changes are written to the event log.
 */
import { Hono } from 'hono';
import { DbModelRegistry, ModelNotFoundError, RollbackError } from '../../providers/ml/registry/index.ts';
import { DbTrackingStore } from '../../providers/ml/tracking/db-store.ts';
import { MODEL_STAGES, type ModelStage } from '../../providers/ml/tracking/types.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { queryString } from '../http/query.ts';
import { badRequest, notFound } from '../problem.ts';

function required(value: string | undefined, name: string): string {
  if (!value) throw badRequest(`The query parameter '${name}' is required.`);
  return value;
}

const stageBody = bodyValidator<{ stage: ModelStage }>(closedObject({ stage: { type: 'string', enum: [...MODEL_STAGES] } }, { required: ['stage'] }));

/** The ML routes. */
export function mlRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const tracking = new DbTrackingStore(deps.db);
  const registry = new DbModelRegistry(deps.db);

  app.get('/ml/runs', requirePermission('read', 'ML'), async (c) => {
    const dagId = required(queryString(c, 'dag_id'), 'dag_id');
    const runId = queryString(c, 'run_id');
    const tries = await tracking.listTries(runId ? { dagId, runId } : { dagId });
    return c.json({ tries, total_entries: tries.length });
  });

  app.get('/ml/metrics', requirePermission('read', 'ML'), async (c) => {
    const mapRaw = queryString(c, 'map_index');
    const mapIndex = mapRaw === undefined ? undefined : Number(mapRaw);
    if (mapIndex !== undefined && !Number.isInteger(mapIndex)) throw badRequest(`map_index must be an integer (got '${mapRaw!.slice(0, 40)}').`);
    const points = await tracking.metricHistory({
      dagId: required(queryString(c, 'dag_id'), 'dag_id'),
      runId: required(queryString(c, 'run_id'), 'run_id'),
      taskId: required(queryString(c, 'task_id'), 'task_id'),
      ...(mapIndex !== undefined ? { mapIndex } : {}),
      ...(queryString(c, 'key') ? { key: queryString(c, 'key')! } : {}),
    });
    return c.json({ points });
  });

  app.get('/ml/models', requirePermission('read', 'ML'), async (c) => {
    const versions = await registry.listVersions();
    const history = await deps.db.selectFrom('ml_model_stage_change').selectAll().orderBy('id').execute();
    return c.json({ versions, stage_changes: history });
  });

  app.post('/ml/models/:name/versions/:version/stage', requirePermission('edit', 'ML'), async (c) => {
    const name = c.req.param('name');
    const version = Number(c.req.param('version'));
    if (!Number.isInteger(version) || version < 1) throw badRequest(`The version must be a positive integer (got '${c.req.param('version').slice(0, 40)}').`);
    const { stage } = await readJsonBody(c, stageBody);
    try {
      const change = await registry.setStage(name, version, stage);
      await deps.audit(c, { event: 'ml.model.stage', extra: { name, version, stage } });
      return c.json(change);
    } catch (e) {
      if (e instanceof ModelNotFoundError) throw notFound(e.message);
      throw e;
    }
  });

  app.post('/ml/models/:name/rollback', requirePermission('edit', 'ML'), async (c) => {
    const name = c.req.param('name');
    try {
      const result = await registry.rollback(name);
      await deps.audit(c, { event: 'ml.model.rollback', extra: { name } });
      return c.json(result);
    } catch (e) {
      if (e instanceof ModelNotFoundError) throw notFound(e.message);
      if (e instanceof RollbackError) throw badRequest(e.message);
      throw e;
    }
  });

  return app;
}
