/** DAGs, their serialized form, runs, task instances and what tasks leave behind. */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import { autoId, DOUBLE, flag, isPostgres, required, TEXT } from './helpers.ts';

/**
 * A table keyed by a task instance's identity (dag_id, run_id, task_id, map_index) whose rows
 * go away with their run.
 */
function runChildTable(db: Kysely<any>, name: string): CreateTableBuilder<string, any> {
  return db.schema
    .createTable(name)
    .addColumn('dag_id', TEXT, required)
    .addColumn('run_id', TEXT, required)
    .addColumn('task_id', TEXT, required)
    .addColumn('map_index', 'integer', (col) => col.notNull().defaultTo(-1))
    .addForeignKeyConstraint(`${name}_dag_run_fkey`, ['dag_id', 'run_id'], 'dag_run', ['dag_id', 'run_id'], (fk) => fk.onDelete('cascade'));
}

/** Creates this migration's tables, constraints and indexes. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dag')
    .addColumn('dag_id', TEXT, (col) => col.primaryKey())
    .addColumn('is_paused', 'integer', flag(0))
    .addColumn('is_active', 'integer', flag(1))
    .addColumn('fileloc', TEXT, required)
    .addColumn('description', TEXT)
    .addColumn('owners', TEXT, (col) => col.notNull().defaultTo('[]'))
    .addColumn('tags', TEXT, (col) => col.notNull().defaultTo('[]'))
    .addColumn('schedule_summary', TEXT)
    .addColumn('timetable', TEXT, required)
    .addColumn('max_active_runs', 'integer', required)
    .addColumn('max_active_tasks', 'integer', required)
    .addColumn('has_import_errors', 'integer', flag(0))
    .addColumn('last_parsed_at', TEXT)
    .addColumn('last_expired', TEXT)
    .addColumn('next_dagrun', TEXT)
    .addColumn('next_dagrun_data_interval_start', TEXT)
    .addColumn('next_dagrun_data_interval_end', TEXT)
    .addColumn('next_dagrun_create_after', TEXT)
    .execute();
  await db.schema.createIndex('dag_next_dagrun_create_after_idx').on('dag').columns(['is_paused', 'is_active', 'next_dagrun_create_after']).execute();

  await db.schema
    .createTable('serialized_dag')
    .addColumn('dag_id', TEXT, (col) => col.primaryKey().references('dag.dag_id').onDelete('cascade'))
    .addColumn('data', TEXT, required)
    .addColumn('dag_hash', TEXT, required)
    .addColumn('fileloc', TEXT, required)
    .addColumn('last_updated', TEXT, required)
    .execute();

  await db.schema
    .createTable('dag_run')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('dag_id', TEXT, (col) => col.notNull().references('dag.dag_id').onDelete('cascade'))
    .addColumn('run_id', TEXT, required)
    .addColumn('run_type', TEXT, required)
    .addColumn('logical_date', TEXT, required)
    .addColumn('data_interval_start', TEXT)
    .addColumn('data_interval_end', TEXT)
    .addColumn('conf', TEXT, (col) => col.notNull().defaultTo('{}'))
    .addColumn('state', TEXT, required)
    .addColumn('queued_at', TEXT)
    .addColumn('start_date', TEXT)
    .addColumn('end_date', TEXT)
    .addColumn('last_scheduling_decision', TEXT)
    .addColumn('external_trigger', 'integer', flag(0))
    .addColumn('note', TEXT)
    .addColumn('creating_job_id', 'integer')
    .addColumn('updated_at', TEXT, required)
    .addUniqueConstraint('dag_run_dag_id_run_id_key', ['dag_id', 'run_id'])
    .addUniqueConstraint('dag_run_dag_id_logical_date_key', ['dag_id', 'logical_date'])
    .execute();
  await db.schema.createIndex('dag_run_state_idx').on('dag_run').column('state').execute();
  await db.schema.createIndex('dag_run_dag_id_state_idx').on('dag_run').columns(['dag_id', 'state']).execute();

  await runChildTable(db, 'task_instance')
    .addColumn('state', TEXT, (col) => col.notNull().defaultTo('none'))
    .addColumn('try_number', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('max_tries', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('pool', TEXT, required)
    .addColumn('pool_slots', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('queue', TEXT, required)
    .addColumn('priority_weight', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('operator', TEXT)
    .addColumn('queued_at', TEXT)
    .addColumn('start_date', TEXT)
    .addColumn('end_date', TEXT)
    .addColumn('duration', DOUBLE)
    .addColumn('hostname', TEXT)
    .addColumn('pid', 'integer')
    .addColumn('executor', TEXT)
    .addColumn('external_executor_id', TEXT)
    .addColumn('next_try_at', TEXT)
    .addColumn('trigger_id', 'integer', (col) => col.references('trigger.id').onDelete('set null'))
    .addColumn('next_method', TEXT)
    .addColumn('next_kwargs', TEXT)
    .addColumn('rendered_fields', TEXT)
    .addColumn('note', TEXT)
    .addColumn('last_heartbeat_at', TEXT)
    .addColumn('queued_by_job_id', 'integer')
    .addColumn('updated_at', TEXT, required)
    .addPrimaryKeyConstraint('task_instance_pkey', ['dag_id', 'run_id', 'task_id', 'map_index'])
    // On SQLite the primary key is the table's own b-tree: every TI of a run (what the scheduler
    // reads on each decision) is one contiguous range, with no lookup per row.
    .$call((t) => (isPostgres(db) ? t : t.modifyEnd(sql`without rowid`)))
    .execute();
  // A run's TIs are found through the primary key (dag_id, run_id, …).
  const tiIndexes: Array<[string, string[]]> = [
    ['ti_state_pool_idx', ['state', 'pool']],
    ['ti_state_priority_idx', ['state', 'priority_weight']],
    ['ti_state_heartbeat_idx', ['state', 'last_heartbeat_at']],
    ['ti_state_next_try_idx', ['state', 'next_try_at']],
    ['ti_dag_task_state_idx', ['dag_id', 'task_id', 'state']],
    ['ti_trigger_id_idx', ['trigger_id']],
  ];
  for (const [name, columns] of tiIndexes) {
    await db.schema.createIndex(name).on('task_instance').columns(columns).execute();
  }

  await runChildTable(db, 'task_instance_history')
    .addColumn('try_number', 'integer', required)
    .addColumn('state', TEXT, required)
    .addColumn('start_date', TEXT)
    .addColumn('end_date', TEXT)
    .addColumn('duration', DOUBLE)
    .addColumn('hostname', TEXT)
    .addColumn('pid', 'integer')
    .addColumn('executor', TEXT)
    .addColumn('operator', TEXT)
    .addPrimaryKeyConstraint('task_instance_history_pkey', ['dag_id', 'run_id', 'task_id', 'map_index', 'try_number'])
    .execute();

  await runChildTable(db, 'task_map')
    .addColumn('length', 'integer', required)
    .addColumn('keys', TEXT)
    .addPrimaryKeyConstraint('task_map_pkey', ['dag_id', 'run_id', 'task_id', 'map_index'])
    .execute();

  await runChildTable(db, 'task_reschedule')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('try_number', 'integer', required)
    .addColumn('start_date', TEXT, required)
    .addColumn('end_date', TEXT, required)
    .addColumn('reschedule_date', TEXT, required)
    .execute();
  await db.schema.createIndex('task_reschedule_ti_idx').on('task_reschedule').columns(['dag_id', 'run_id', 'task_id', 'map_index', 'try_number']).execute();

  await runChildTable(db, 'xcom')
    .addColumn('key', TEXT, required)
    .addColumn('value', TEXT)
    .addColumn('value_ref', TEXT)
    .addColumn('size_bytes', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('timestamp', TEXT, required)
    .addPrimaryKeyConstraint('xcom_pkey', ['dag_id', 'run_id', 'task_id', 'map_index', 'key'])
    .execute();
}

/** Drops this migration's tables. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['xcom', 'task_reschedule', 'task_map', 'task_instance_history', 'task_instance', 'dag_run', 'serialized_dag', 'dag']) {
    await db.schema.dropTable(table).execute();
  }
}
