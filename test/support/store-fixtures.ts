/** Minimal rows for store tests: a DAG, a run, task instances, with sensible defaults. */
import type { Insertable, Kysely } from 'kysely';
import type { TaskInstanceState } from '../../src/core/states.ts';
import type { TaskInstanceKey } from '../../src/store/cas.ts';
import { nowIso, toJson } from '../../src/store/codec.ts';
import type { DagRunTable, NewDagRun, NewTaskInstance, Schema } from '../../src/store/schema.ts';

/** Inserts a DAG row with a `none` schedule. */
export async function insertDag(db: Kysely<Schema>, dagId: string, fileloc = `/dags/${dagId}.ts`): Promise<void> {
  await db
    .insertInto('dag')
    .values({ dag_id: dagId, fileloc, timetable: toJson({ kind: 'none' }), max_active_runs: 16, max_active_tasks: 16 })
    .execute();
}

/** Inserts a queued manual run and returns its id. */
export async function insertRun(db: Kysely<Schema>, dagId: string, runId: string, logicalDate: string, extra: Partial<NewDagRun> = {}): Promise<number> {
  const values: Insertable<DagRunTable> = {
    dag_id: dagId,
    run_id: runId,
    run_type: 'manual',
    logical_date: logicalDate,
    state: 'queued',
    updated_at: nowIso(),
    ...extra,
  };
  const row = await db.insertInto('dag_run').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts a task instance in `state` (default `none`) in default_pool and returns its key. */
export async function insertTi(
  db: Kysely<Schema>,
  run: { dagId: string; runId: string },
  taskId: string,
  state: TaskInstanceState = 'none',
  extra: Partial<NewTaskInstance> = {},
): Promise<TaskInstanceKey> {
  const mapIndex = extra.map_index ?? -1;
  await db
    .insertInto('task_instance')
    .values({ dag_id: run.dagId, run_id: run.runId, task_id: taskId, map_index: mapIndex, state, pool: 'default_pool', queue: 'default', updated_at: nowIso(), ...extra })
    .execute();
  return { dagId: run.dagId, runId: run.runId, taskId, mapIndex };
}
