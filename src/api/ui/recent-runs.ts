/**
 * `GET /ui/recent-runs?limit=N[&dag_id=a&dag_id=b]`: the latest N runs (default 10, at most 50)
 * of every DAG, or of the DAGs named, newest first, in one query — the coloured squares of the
 * DAG list. Each run is `{run_id, state, logical_date}`: 500 DAGs' squares stay small.
 */
import { Hono } from 'hono';
import { sql } from 'kysely';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { queryString } from '../http/query.ts';
import { badRequest } from '../problem.ts';

/** Runs per DAG when `limit` is not given. */
export const DEFAULT_RECENT_RUNS = 10;
const MAX_RECENT_RUNS = 50;

/** The recent-runs route. */
export function recentRunsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/recent-runs', requirePermission('read', 'DAG Runs'), async (c) => {
    const raw = queryString(c, 'limit');
    const limit = raw === undefined ? DEFAULT_RECENT_RUNS : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECENT_RUNS) throw badRequest(`limit must be an integer from 1 to ${MAX_RECENT_RUNS} (got '${String(raw).slice(0, 40)}').`);
    const dagIds = c.req.queries('dag_id') ?? [];
    const ranked = deps.db
      .selectFrom('dag_run')
      .select(['dag_id', 'run_id', 'state', 'logical_date'])
      .select(sql<number>`row_number() over (partition by dag_id order by logical_date desc)`.as('rn'))
      .$if(dagIds.length > 0, (q) => q.where('dag_id', 'in', dagIds));
    const rows = await deps.db.selectFrom(ranked.as('r')).selectAll().where('rn', '<=', limit).orderBy('dag_id').orderBy('rn').execute();
    const out: Record<string, Array<Omit<(typeof rows)[number], 'rn' | 'dag_id'>>> = {};
    for (const { rn: _rn, dag_id, ...run } of rows) (out[dag_id] ??= []).push(run);
    return c.json({ dag_runs: out });
  });
  return app;
}
