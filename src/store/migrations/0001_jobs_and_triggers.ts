/** Jobs (scheduler, triggerer, worker and webserver processes) and the triggers they run. */
import type { Kysely } from 'kysely';
import { autoId, required, TEXT } from './helpers.ts';

/** Creates this migration's tables, constraints and indexes. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('job_type', TEXT, required)
    .addColumn('state', TEXT, required)
    .addColumn('hostname', TEXT, required)
    .addColumn('pid', 'integer', required)
    .addColumn('start_date', TEXT, required)
    .addColumn('end_date', TEXT)
    .addColumn('latest_heartbeat', TEXT, required)
    .execute();
  await db.schema.createIndex('job_type_state_heartbeat_idx').on('job').columns(['job_type', 'state', 'latest_heartbeat']).execute();

  await db.schema
    .createTable('trigger')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('classpath', TEXT, required)
    .addColumn('kwargs', TEXT, required)
    .addColumn('created_date', TEXT, required)
    .addColumn('triggerer_id', 'integer', (col) => col.references('job.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('trigger_triggerer_id_idx').on('trigger').column('triggerer_id').execute();
}

/** Drops this migration's tables. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('trigger').execute();
  await db.schema.dropTable('job').execute();
}
