/** Datasets, their update events, and which DAGs produce or wait for them. */
import type { Kysely } from 'kysely';
import { autoId, flag, required, TEXT } from './helpers.ts';

/** Creates this migration's tables, constraints and indexes. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dataset')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('uri', TEXT, (col) => col.notNull().unique())
    .addColumn('extra', TEXT, (col) => col.notNull().defaultTo('{}'))
    .addColumn('created_at', TEXT, required)
    .addColumn('updated_at', TEXT, required)
    .addColumn('is_orphaned', 'integer', flag(0))
    .execute();

  await db.schema
    .createTable('dataset_event')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('dataset_id', 'integer', (col) => col.notNull().references('dataset.id').onDelete('cascade'))
    .addColumn('extra', TEXT, (col) => col.notNull().defaultTo('{}'))
    .addColumn('source_dag_id', TEXT)
    .addColumn('source_task_id', TEXT)
    .addColumn('source_run_id', TEXT)
    .addColumn('source_map_index', 'integer')
    .addColumn('timestamp', TEXT, required)
    .execute();
  await db.schema.createIndex('dataset_event_dataset_id_timestamp_idx').on('dataset_event').columns(['dataset_id', 'timestamp']).execute();

  await db.schema
    .createTable('dag_schedule_dataset_reference')
    .addColumn('dag_id', TEXT, (col) => col.notNull().references('dag.dag_id').onDelete('cascade'))
    .addColumn('dataset_id', 'integer', (col) => col.notNull().references('dataset.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('dag_schedule_dataset_reference_pkey', ['dag_id', 'dataset_id'])
    .execute();
  await db.schema.createIndex('dag_schedule_dataset_reference_dataset_idx').on('dag_schedule_dataset_reference').column('dataset_id').execute();

  await db.schema
    .createTable('task_outlet_dataset_reference')
    .addColumn('dag_id', TEXT, (col) => col.notNull().references('dag.dag_id').onDelete('cascade'))
    .addColumn('task_id', TEXT, required)
    .addColumn('dataset_id', 'integer', (col) => col.notNull().references('dataset.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('task_outlet_dataset_reference_pkey', ['dag_id', 'task_id', 'dataset_id'])
    .execute();
  await db.schema.createIndex('task_outlet_dataset_reference_dataset_idx').on('task_outlet_dataset_reference').column('dataset_id').execute();

  await db.schema
    .createTable('dataset_dag_run_queue')
    .addColumn('dataset_id', 'integer', (col) => col.notNull().references('dataset.id').onDelete('cascade'))
    .addColumn('target_dag_id', TEXT, (col) => col.notNull().references('dag.dag_id').onDelete('cascade'))
    .addColumn('created_at', TEXT, required)
    .addPrimaryKeyConstraint('dataset_dag_run_queue_pkey', ['dataset_id', 'target_dag_id'])
    .execute();
  await db.schema.createIndex('dataset_dag_run_queue_target_idx').on('dataset_dag_run_queue').column('target_dag_id').execute();

  await db.schema
    .createTable('dagrun_dataset_event')
    .addColumn('dag_run_id', 'integer', (col) => col.notNull().references('dag_run.id').onDelete('cascade'))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('dataset_event.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('dagrun_dataset_event_pkey', ['dag_run_id', 'event_id'])
    .execute();
  await db.schema.createIndex('dagrun_dataset_event_event_idx').on('dagrun_dataset_event').column('event_id').execute();
}

/** Drops this migration's tables. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['dagrun_dataset_event', 'dataset_dag_run_queue', 'task_outlet_dataset_reference', 'dag_schedule_dataset_reference', 'dataset_event', 'dataset']) {
    await db.schema.dropTable(table).execute();
  }
}
