/**
 * A worker takes a try for itself before running it: one compare-and-set moves the task
 * instance from queued to running, only in the same try and dispatch (queue time). Whichever
 * worker wins runs the try; a job picked up twice (a restarted Redis, a stalled job moved back
 * to wait, a try cleared meanwhile) is refused here, so no try runs twice.
 */
import { sql, type Kysely } from 'kysely';
import type { TaskWorkload } from '../executor.ts';
import { nowIso, type Schema } from '../../store/index.ts';

export async function claimTry(db: Kysely<Schema>, w: TaskWorkload, who: { hostname: string; pid: number }): Promise<boolean> {
  const now = nowIso();
  const k = w.key;
  const result = await sql`update task_instance set state = 'running', start_date = coalesce(start_date, ${now}),
      hostname = ${who.hostname}, pid = ${who.pid}, last_heartbeat_at = ${now}, updated_at = ${now}
    where dag_id = ${k.dagId} and run_id = ${k.runId} and task_id = ${k.taskId} and map_index = ${k.mapIndex}
      and try_number = ${w.tryNumber} and state = 'queued'
      ${w.queuedAt ? sql`and queued_at = ${w.queuedAt}` : sql``}`.execute(db);
  return result.numAffectedRows === 1n;
}
