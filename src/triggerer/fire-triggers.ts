/**
 * Recording fired triggers, many in one transaction: each deferred task instance waiting on a
 * fired trigger moves (compare-and-set) from `deferred` to `scheduled` with the event as its
 * `next_kwargs`, keeping its `next_method` and try number, and the trigger rows are deleted.
 * A task instance that moved on meanwhile (cleared, marked by a user) is left alone.
 */
import type { Kysely } from 'kysely';
import { casTaskInstanceState, forUpdate, type Schema, type TaskInstanceKey } from '../store/index.ts';
import type { TriggerEvent } from './trigger.ts';

/** Rows per statement, well under both dialects' bound-parameter limits. */
const CHUNK = 500;

/** Applies the events (trigger id → event); returns the task instances that moved to scheduled. */
export async function fireTriggers(db: Kysely<Schema>, events: ReadonlyMap<number, TriggerEvent>): Promise<TaskInstanceKey[]> {
  if (events.size === 0) return [];
  const ids = [...events.keys()];
  return db.transaction().execute(async (trx) => {
    const moved: TaskInstanceKey[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const tis = await forUpdate(
        trx,
        trx
          .selectFrom('task_instance')
          .select(['dag_id', 'run_id', 'task_id', 'map_index', 'trigger_id'])
          .where('trigger_id', 'in', chunk)
          .where('state', '=', 'deferred'),
      ).execute();
      for (const ti of tis) {
        const key = { dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index };
        const ok = await casTaskInstanceState(trx, key, 'deferred', {
          state: 'scheduled',
          next_kwargs: JSON.stringify(events.get(ti.trigger_id!)),
          trigger_id: null,
        });
        if (ok) moved.push(key);
      }
      await trx.deleteFrom('trigger').where('id', 'in', chunk).execute();
    }
    return moved;
  });
}
