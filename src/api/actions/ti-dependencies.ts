/**
 * Why a task instance is not running: the dependencies Airflow's scheduler checks before it
 * queues one (DAG paused, run not running, TI state, trigger rule, retry period, pool slots,
 * DAG and task concurrency), each failed one with its reason. The trigger rule is decided by
 * the same core the scheduler uses. An empty list means nothing blocks it.
 */
import type { Kysely } from 'kysely';
import type { SerializedDag } from '../../core/serialized-dag.ts';
import type { TaskInstanceState } from '../../core/states.ts';
import { countUpstream, evaluateTriggerRule } from '../../core/trigger-rule-eval.ts';
import { getPool, type DagRow, type DagRunRow, type Schema } from '../../store/index.ts';
import { occupiedSlots, poolUsage } from '../views/pools.ts';
import type { TiWithRun } from '../views/runs.ts';

/** One dependency that is not met, as Airflow's TaskFailedDependency. */
export interface FailedDependency {
  name: string;
  reason: string;
}

const QUEUEABLE = new Set<TaskInstanceState>(['none', 'scheduled', 'up_for_retry', 'up_for_reschedule']);
const FINISHED = new Set<TaskInstanceState>(['success', 'failed', 'skipped', 'upstream_failed', 'removed']);
const ACTIVE: TaskInstanceState[] = ['queued', 'running'];

/** The dependencies that keep `ti` from being queued now. */
export async function failedDependencies(db: Kysely<Schema>, dag: SerializedDag, dagRow: DagRow, run: DagRunRow, ti: TiWithRun, now = new Date()): Promise<FailedDependency[]> {
  const out: FailedDependency[] = [];
  if (dagRow.is_paused) out.push({ name: 'Dag Not Paused', reason: `Task's DAG '${dag.dagId}' is paused.` });
  if (run.state !== 'running') out.push({ name: 'Dagrun Running', reason: `Task instance's dagrun was not in the 'running' state but in the state '${run.state}'.` });
  if (!QUEUEABLE.has(ti.state)) {
    out.push({
      name: 'Task Instance State',
      reason: FINISHED.has(ti.state)
        ? `Task is in the '${ti.state}' state which is not a valid state for execution. The task must be cleared in order to be run.`
        : `Task is in the '${ti.state}' state: it is already queued or running.`,
    });
    return out;
  }
  const task = dag.tasks.find((t) => t.taskId === ti.task_id);
  if (!task) {
    out.push({ name: 'Task Exists', reason: `Task '${ti.task_id}' is no longer defined in DAG '${dag.dagId}'.` });
    return out;
  }

  if (task.upstream.length) {
    const upstream = await db
      .selectFrom('task_instance')
      .select('state')
      .where('dag_id', '=', ti.dag_id)
      .where('run_id', '=', ti.run_id)
      .where('task_id', 'in', task.upstream)
      .execute();
    const decision = evaluateTriggerRule({ rule: task.triggerRule, upstream: upstream.length, counts: countUpstream(upstream.map((u) => u.state)), mapIndex: ti.map_index });
    if (!decision.met) out.push({ name: 'Trigger Rule', reason: `Task's trigger rule '${task.triggerRule}' is not met: ${decision.reason}.` });
  }

  if ((ti.state === 'up_for_retry' || ti.state === 'up_for_reschedule') && ti.next_try_at && Date.parse(ti.next_try_at) > now.getTime()) {
    out.push(ti.state === 'up_for_retry'
      ? { name: 'Not In Retry Period', reason: `Task is not ready for retry yet but will be retried automatically. Current date is ${now.toISOString()} and task will be retried at ${ti.next_try_at}.` }
      : { name: 'Not In Reschedule Period', reason: `Task is not ready for reschedule yet but will be rescheduled automatically. Current date is ${now.toISOString()} and task will be rescheduled at ${ti.next_try_at}.` });
  }

  const pool = await getPool(db, ti.pool);
  if (!pool) {
    out.push({ name: 'Pool Slots Available', reason: `Tasks using non-existent pool '${ti.pool}' will not be scheduled.` });
  } else if (pool.slots !== -1) {
    const usage = (await poolUsage(db, [pool.name])).get(pool.name);
    const open = pool.slots - (usage ? occupiedSlots(pool, usage) : 0);
    if (open < ti.pool_slots) out.push({ name: 'Pool Slots Available', reason: `Not scheduling since there are ${open} open slots in pool ${pool.name} and require ${ti.pool_slots} pool slots.` });
  }

  const active = async (taskId?: string) => {
    let q = db.selectFrom('task_instance').select((eb) => eb.fn.countAll<number>().as('n')).where('dag_id', '=', ti.dag_id).where('state', 'in', ACTIVE);
    if (taskId) q = q.where('task_id', '=', taskId);
    return Number((await q.executeTakeFirst())?.n ?? 0);
  };
  if ((await active()) >= dagRow.max_active_tasks) {
    out.push({ name: 'Task Instance Slots Available', reason: `The maximum number of running tasks (${dagRow.max_active_tasks}) for this task's DAG '${dag.dagId}' has been reached.` });
  }
  if (task.maxActiveTisPerDag !== null && (await active(task.taskId)) >= task.maxActiveTisPerDag) {
    out.push({ name: 'Task Concurrency', reason: `The max task concurrency (${task.maxActiveTisPerDag}) has been reached.` });
  }
  return out;
}
