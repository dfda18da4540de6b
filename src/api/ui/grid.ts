/**
 * `GET /ui/dags/{dag_id}/grid?num_runs=N&before=ISO`: everything the grid view draws, in one
 * answer: the DAG's tasks and groups (with their upstream tasks, for the graph), its latest N
 * runs (oldest first) and, for each run and task, the task instance's state — or, for a mapped
 * task, how many copies there are and how many are in each state. The task instances of all
 * runs come from one query.
 */
import { Hono } from 'hono';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { dagIdParam } from '../http/ids.ts';
import { queryString } from '../http/query.ts';
import { requireDag, requireDagRow } from '../lookups.ts';
import { badRequest } from '../problem.ts';

/** Runs shown when `num_runs` is not given. */
export const DEFAULT_GRID_RUNS = 25;
/** Most runs one grid answer may hold. */
export const MAX_GRID_RUNS = 365;

/** A mapped task's copies in one run. */
export interface MappedSummary {
  total: number;
  states: Record<string, number>;
}

/** One cell: a state (null: no task instance yet), or a mapped task's summary. */
export type GridCell = string | null | MappedSummary;

function numRuns(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_GRID_RUNS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_GRID_RUNS) throw badRequest(`num_runs must be an integer from 1 to ${MAX_GRID_RUNS} (got '${raw.slice(0, 40)}').`);
  return n;
}

/** The grid route. */
export function gridRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/dags/:dag_id/grid', requirePermission('read', 'DAGs'), requirePermission('read', 'Task Instances'), async (c) => {
    const dagId = dagIdParam(c);
    const limit = numRuns(queryString(c, 'num_runs'));
    const before = queryString(c, 'before');
    if (before !== undefined && Number.isNaN(Date.parse(before))) throw badRequest(`before must be an ISO-8601 date (got '${before.slice(0, 40)}').`);
    await requireDagRow(deps.db, dagId);
    const dag = await requireDag(deps, dagId);

    let runQuery = deps.db
      .selectFrom('dag_run')
      .select(['run_id', 'state', 'run_type', 'logical_date', 'start_date', 'end_date', 'data_interval_start', 'data_interval_end', 'note', 'external_trigger'])
      .where('dag_id', '=', dagId);
    if (before) runQuery = runQuery.where('logical_date', '<', new Date(before).toISOString());
    const runs = (await runQuery.orderBy('logical_date', 'desc').limit(limit).execute()).reverse();

    const taskIndex = new Map(dag.tasks.map((t, i) => [t.taskId, i]));
    const runIndex = new Map(runs.map((r, i) => [r.run_id, i]));
    const cells: GridCell[][] = runs.map(() => dag.tasks.map(() => null));
    if (runs.length > 0) {
      const tis = await deps.db
        .selectFrom('task_instance')
        .select(['run_id', 'task_id', 'map_index', 'state'])
        .where('dag_id', '=', dagId)
        .where('run_id', 'in', runs.map((r) => r.run_id))
        .execute();
      for (const ti of tis) {
        const ri = runIndex.get(ti.run_id);
        const tj = taskIndex.get(ti.task_id);
        if (ri === undefined || tj === undefined) continue;
        const row = cells[ri]!;
        if (ti.map_index < 0) {
          row[tj] = ti.state;
          continue;
        }
        let m = row[tj];
        if (m === null || typeof m === 'string') row[tj] = m = { total: 0, states: {} };
        m.total++;
        m.states[ti.state] = (m.states[ti.state] ?? 0) + 1;
      }
    }

    return c.json({
      dag_id: dagId,
      tasks: dag.tasks.map((t) => ({
        task_id: t.taskId,
        group_id: t.groupId,
        operator: t.operator,
        is_mapped: t.mapped !== null,
        upstream: t.upstream,
        trigger_rule: t.triggerRule,
      })),
      groups: dag.taskGroups.map((g) => ({ group_id: g.groupId, parent_group_id: g.parentGroupId, tooltip: g.tooltip, children: g.children })),
      runs: runs.map((r) => ({ ...r, external_trigger: Boolean(r.external_trigger) })),
      cells,
    });
  });
  return app;
}
