/** The state of a task instance, or of a DAG run when no task is named, at a logical date. */
import type { Kysely } from 'kysely';
import type { Schema } from '../store/index.ts';

export interface ExternalStateKey {
  dagId: string;
  /** Null for the DAG run's own state. */
  taskId: string | null;
  /** ISO-8601 UTC, as stored. */
  logicalDate: string;
}

/** The state, or null when there is no such run or task instance. */
export async function readExternalState(db: Kysely<Schema>, key: ExternalStateKey): Promise<string | null> {
  if (key.taskId === null) {
    const run = await db.selectFrom('dag_run').select('state').where('dag_id', '=', key.dagId).where('logical_date', '=', key.logicalDate).executeTakeFirst();
    return run?.state ?? null;
  }
  const ti = await db
    .selectFrom('task_instance as ti')
    .innerJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'ti.dag_id').onRef('r.run_id', '=', 'ti.run_id'))
    .select('ti.state')
    .where('ti.dag_id', '=', key.dagId)
    .where('ti.task_id', '=', key.taskId)
    .where('r.logical_date', '=', key.logicalDate)
    .executeTakeFirst();
  return ti?.state ?? null;
}
