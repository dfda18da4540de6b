/**
 * `GET /ui/dags/{dag_id}/grid?num_runs=N&before=ISO`: everything the grid view draws, in one
 * answer: the DAG's tasks and groups (with their upstream tasks, for the graph), its latest N
 * runs (oldest first) and, for each run and task, the task instance's state — or, for a mapped
 * task, how many copies there are and how many are in each state. The task instances of all
 * runs come from one query.
 *
 * To stay small for big DAGs (2,000 tasks × 28 runs is 56,000 cells), `cells[run][task]` is an
 * index into `states` (the state names that occur), -1 for no task instance, or -2 for a mapped
 * task, whose summary is `mapped["<run index>:<task index>"]`.
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

/** A cell with no task instance yet. */
export const NO_TASK_INSTANCE = -1;
/** A cell of a mapped task: its summary is in `mapped["<run index>:<task index>"]`. */
export const MAPPED_CELL = -2;

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
    const cells: number[][] = runs.map(() => new Array<number>(dag.tasks.length).fill(NO_TASK_INSTANCE));
    const states: string[] = [];
    const stateIndex = new Map<string, number>();
    const mapped: Record<string, MappedSummary> = {};
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
        if (ti.map_index < 0) {
          let si = stateIndex.get(ti.state);
          if (si === undefined) stateIndex.set(ti.state, (si = states.push(ti.state) - 1));
          cells[ri]![tj] = si;
          continue;
        }
        cells[ri]![tj] = MAPPED_CELL;
        const m = (mapped[`${ri}:${tj}`] ??= { total: 0, states: {} });
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
      states,
      cells,
      mapped,
    });
  });
  return app;
}
