/**
 * Deleting a DAG's records: the DAG row, its serialized form, dataset references, warnings, and
 * every run with its task instances, history, reschedules, mapping and XComs (large XCom files
 * too). The event log is kept. A DAG whose file is still in the DAGs folder comes back (with no
 * history) the next time the folder is parsed.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../store/index.ts';
import { deleteRunXComFiles, type XComStoreOptions } from './xcom-store.ts';

export interface DeletedDag {
  /** Rows removed, over every table. */
  rows: number;
  runs: number;
}

/** Deletes everything stored about `dagId`; returns undefined when the DAG is not in the database. */
export async function deleteDag(db: Kysely<Schema>, dagId: string, o: Pick<XComStoreOptions, 'folder'>): Promise<DeletedDag | undefined> {
  const result = await db.transaction().execute(async (trx) => {
    const dag = await trx.selectFrom('dag').select('dag_id').where('dag_id', '=', dagId).executeTakeFirst();
    if (!dag) return undefined;
    const runs = await trx.selectFrom('dag_run').select(['id', 'run_id']).where('dag_id', '=', dagId).execute();
    let rows = 0;
    const count = (r: { numDeletedRows: bigint }) => {
      rows += Number(r.numDeletedRows);
    };
    for (const table of ['xcom', 'task_reschedule', 'task_map', 'task_instance_history', 'task_instance'] as const) {
      count(await trx.deleteFrom(table).where('dag_id', '=', dagId).executeTakeFirst());
    }
    const runDbIds = runs.map((r) => r.id);
    for (let i = 0; i < runDbIds.length; i += 500) {
      count(await trx.deleteFrom('dagrun_dataset_event').where('dag_run_id', 'in', runDbIds.slice(i, i + 500)).executeTakeFirst());
    }
    count(await trx.deleteFrom('dag_run').where('dag_id', '=', dagId).executeTakeFirst());
    count(await trx.deleteFrom('dataset_dag_run_queue').where('target_dag_id', '=', dagId).executeTakeFirst());
    for (const table of ['dag_schedule_dataset_reference', 'dag_schedule_asset_alias_reference', 'task_outlet_dataset_reference', 'dag_warning', 'serialized_dag', 'dag'] as const) {
      count(await trx.deleteFrom(table).where('dag_id', '=', dagId).executeTakeFirst());
    }
    return { rows, runIds: runs.map((r) => r.run_id) };
  });
  if (!result) return undefined;
  for (const runId of result.runIds) deleteRunXComFiles({ folder: o.folder, maxInlineBytes: 0 }, dagId, runId);
  return { rows: result.rows, runs: result.runIds.length };
}
