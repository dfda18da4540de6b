/**
 * A task instance's past and blockers: its tries (from task_instance_history, plus the current
 * try while it is not recorded there yet), one try by number, and the dependencies that keep it
 * from running now.
 */
import { Hono, type Context } from 'hono';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import { failedDependencies } from '../actions/ti-dependencies.ts';
import type { ApiDeps } from '../deps.ts';
import { dagIdParam, intParam, mapIndexParam, runIdParam, taskIdParam } from '../http/ids.ts';
import { queryPaging } from '../http/query.ts';
import { renderTis, requireDag, requireDagRow, requireRun, requireTi } from '../lookups.ts';
import { notFound } from '../problem.ts';
import type { TiWithRun } from '../views/runs.ts';

const ORDER = { try_number: 'try_number', start_date: 'start_date', end_date: 'end_date', duration: 'duration', state: 'state' } as const;

/** Tries and dependencies routes. */
export function taskInstanceTryRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const guard = requirePermission('read', 'Task Instances');
  const key = (c: Context, mapped: boolean) => ({ dagId: dagIdParam(c), runId: runIdParam(c), taskId: taskIdParam(c), mapIndex: mapped ? mapIndexParam(c) : -1 });

  const listTries = (mapped: boolean) => async (c: Context<ApiEnv>) => {
    const page = queryPaging(c, ORDER, 'try_number');
    const tries = await triesOf(deps, await requireTi(deps.db, key(c, mapped)));
    const [order] = page.order;
    tries.sort((a, b) => compare(a[order!.column], b[order!.column]) * (order!.desc ? -1 : 1) || a.try_number - b.try_number);
    return c.json({ task_instances: await renderTis(deps.db, tries.slice(page.offset, page.offset + page.limit)), total_entries: tries.length });
  };
  const oneTry = (mapped: boolean) => async (c: Context<ApiEnv>) => {
    const ti = await requireTi(deps.db, key(c, mapped));
    const n = intParam(c, 'task_try_number');
    const found = (await triesOf(deps, ti)).find((t) => t.try_number === n);
    if (!found) throw notFound(`Task instance '${ti.task_id}' of run '${ti.run_id}' has no try ${n} (it is on try ${ti.try_number}).`);
    return c.json((await renderTis(deps.db, [found]))[0]);
  };
  const dependencies = (mapped: boolean) => async (c: Context<ApiEnv>) => {
    const k = key(c, mapped);
    const ti = await requireTi(deps.db, k);
    const dag = await requireDag(deps, k.dagId);
    const deps_ = await failedDependencies(deps.db, dag, await requireDagRow(deps.db, k.dagId), await requireRun(deps.db, k.dagId, k.runId), ti);
    return c.json({ dependencies: deps_ });
  };

  const base = '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id';
  const mapped = `${base}/:map_index{-?[0-9]+}`;
  app.get(`${base}/tries`, guard, listTries(false));
  app.get(`${base}/tries/:task_try_number`, guard, oneTry(false));
  app.get(`${base}/dependencies`, guard, dependencies(false));
  app.get(`${mapped}/tries`, guard, listTries(true));
  app.get(`${mapped}/tries/:task_try_number`, guard, oneTry(true));
  app.get(`${mapped}/dependencies`, guard, dependencies(true));
  return app;
}

/** Every try of a task instance, oldest first, each as a task instance row. */
async function triesOf(deps: ApiDeps, ti: TiWithRun): Promise<TiWithRun[]> {
  const history = await deps.db
    .selectFrom('task_instance_history')
    .selectAll()
    .where('dag_id', '=', ti.dag_id)
    .where('run_id', '=', ti.run_id)
    .where('task_id', '=', ti.task_id)
    .where('map_index', '=', ti.map_index)
    .orderBy('try_number')
    .execute();
  const tries: TiWithRun[] = history.map((h) => ({
    ...ti, state: h.state, try_number: h.try_number, start_date: h.start_date, end_date: h.end_date, duration: h.duration,
    hostname: h.hostname, pid: h.pid, executor: h.executor, operator: h.operator, trigger_id: null, next_try_at: null,
  }));
  if (ti.try_number >= 1 && !history.some((h) => h.try_number === ti.try_number)) tries.push(ti);
  return tries;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as number | string) < (b as number | string) ? -1 : 1;
}
