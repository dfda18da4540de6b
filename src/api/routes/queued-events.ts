/**
 * Queued dataset events (Airflow's dataset_dag_run_queue): the dataset updates a
 * dataset-scheduled DAG is waiting on, per DAG, per dataset, or one DAG and dataset; listed or
 * deleted, optionally only those queued before a time.
 */
import { Hono, type Context } from 'hono';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { dagIdParam, keyParam } from '../http/ids.ts';
import { queryDate } from '../http/query.ts';
import { requireDagRow } from '../lookups.ts';
import { notFound } from '../problem.ts';
import { queuedEventView } from '../views/datasets.ts';

interface Scope {
  dagId?: string;
  uri?: string;
  before?: string;
}

/** Queued event routes (register before `/datasets/{uri}`). */
export function queuedEventRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const read = requirePermission('read', 'Datasets');
  const remove = requirePermission('delete', 'Datasets');

  const find = async (s: Scope) => {
    let q = deps.db
      .selectFrom('dataset_dag_run_queue as q')
      .innerJoin('dataset as d', 'd.id', 'q.dataset_id')
      .select(['d.uri', 'q.target_dag_id', 'q.created_at', 'q.dataset_id']);
    if (s.dagId !== undefined) q = q.where('q.target_dag_id', '=', s.dagId);
    if (s.uri !== undefined) q = q.where('d.uri', '=', s.uri);
    if (s.before !== undefined) q = q.where('q.created_at', '<', s.before);
    return q.orderBy('q.created_at').orderBy('q.target_dag_id').orderBy('d.uri').execute();
  };
  const describe = (s: Scope) => [s.dagId && `dag_id: '${s.dagId}'`, s.uri && `dataset uri: '${s.uri}'`].filter(Boolean).join(' and ');
  const scope = async (c: Context, o: { dag: boolean; uri: boolean }): Promise<Scope> => {
    const s: Scope = { before: queryDate(c, 'before') };
    if (o.dag) {
      s.dagId = dagIdParam(c);
      await requireDagRow(deps.db, s.dagId);
    }
    if (o.uri) s.uri = keyParam(c, 'uri', 'Dataset URI', 3000);
    return s;
  };
  const list = (o: { dag: boolean; uri: boolean }) => async (c: Context<ApiEnv>) => {
    const s = await scope(c, o);
    const rows = await find(s);
    if (rows.length === 0) throw notFound(`Queue event with ${describe(s)} not found`);
    if (o.dag && o.uri) return c.json(queuedEventView(rows[0]!));
    return c.json({ datasets: rows.map(queuedEventView), total_entries: rows.length });
  };
  const purge = (o: { dag: boolean; uri: boolean }) => async (c: Context<ApiEnv>) => {
    const s = await scope(c, o);
    const rows = await find(s);
    if (rows.length === 0) throw notFound(`Queue event with ${describe(s)} not found`);
    await deps.db.transaction().execute(async (trx) => {
      for (const r of rows) await trx.deleteFrom('dataset_dag_run_queue').where('dataset_id', '=', r.dataset_id).where('target_dag_id', '=', r.target_dag_id).execute();
    });
    await deps.audit(c, { event: 'dataset_queue.delete', dagId: s.dagId ?? null, extra: { dataset_uri: s.uri ?? null, before: s.before ?? null, deleted: rows.length } });
    return c.body(null, 204);
  };

  app.get('/dags/:dag_id/datasets/queuedEvent', read, list({ dag: true, uri: false }));
  app.delete('/dags/:dag_id/datasets/queuedEvent', remove, purge({ dag: true, uri: false }));
  app.get('/dags/:dag_id/datasets/queuedEvent/:uri{.+}', read, list({ dag: true, uri: true }));
  app.delete('/dags/:dag_id/datasets/queuedEvent/:uri{.+}', remove, purge({ dag: true, uri: true }));
  app.get('/datasets/queuedEvent/:uri{.+}', read, list({ dag: false, uri: true }));
  app.delete('/datasets/queuedEvent/:uri{.+}', remove, purge({ dag: false, uri: true }));
  return app;
}
