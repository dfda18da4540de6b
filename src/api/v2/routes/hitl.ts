/**
 * Human-in-the-loop details. Baton has no human-in-the-loop operators, so no task instance ever
 * has such details: the list is empty for every run that exists, and asking for one task
 * instance's details is 404 (after checking that the run and task instance exist).
 */
import { param, route, type RouteDef, type V2Deps } from '../context.ts';
import { notFound } from '../errors.ts';

const NONE = 'Baton has no human-in-the-loop operators, so task instances have no human-in-the-loop details.';

export function hitlRoutes(deps: V2Deps): RouteDef[] {
  const run = async (dagId: string, runId: string) => {
    const r = await deps.db.selectFrom('dag_run').select('id').where('dag_id', '=', dagId).where('run_id', '=', runId).executeTakeFirst();
    if (!r) throw notFound(`The DagRun with dag_id: \`${dagId}\` and run_id: \`${runId}\` was not found`);
  };
  const detail: RouteDef['handle'] = async (_c, input) => {
    const [dagId, runId, taskId, mapIndex] = [param(input, 'dag_id'), param(input, 'dag_run_id'), param(input, 'task_id'), param<number>(input, 'map_index')];
    await run(dagId, runId);
    const ti = await deps.db.selectFrom('task_instance').select('task_id').where('dag_id', '=', dagId).where('run_id', '=', runId).where('task_id', '=', taskId).where('map_index', '=', mapIndex).executeTakeFirst();
    if (!ti) throw notFound(`The Task Instance with dag_id: \`${dagId}\`, run_id: \`${runId}\`, task_id: \`${taskId}\` and map_index: \`${mapIndex}\` was not found`);
    throw notFound(`Human-in-the-loop detail does not exist for task instance ${dagId}.${runId}.${taskId}[${mapIndex}]: ${NONE}`);
  };
  return [
    route('get_hitl_details', ['read', 'Task Instances'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const runId = param(input, 'dag_run_id');
      // `~` means every run, as elsewhere in v2.
      if (dagId !== '~' && runId !== '~') await run(dagId, runId);
      return c.json({ hitl_details: [], total_entries: 0 });
    }),
    route('get_hitl_detail', ['read', 'Task Instances'], detail),
    route('get_hitl_detail_try_detail', ['read', 'Task Instances'], detail),
    route('update_hitl_detail', ['edit', 'Task Instances'], detail),
  ];
}
