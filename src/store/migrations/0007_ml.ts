/** ML tracking (params, metrics and artifacts of task tries) and the model registry. */
import type { Kysely } from 'kysely';
import { autoId, DOUBLE, required, TEXT } from './helpers.ts';

const TRY_COLUMNS = ['dag_id', 'run_id', 'task_id', 'map_index', 'try_number'] as const;

function tryTable(db: Kysely<any>, name: string) {
  return db.schema
    .createTable(name)
    .addColumn('dag_id', TEXT, required)
    .addColumn('run_id', TEXT, required)
    .addColumn('task_id', TEXT, required)
    .addColumn('map_index', 'integer', required)
    .addColumn('try_number', 'integer', required);
}

/** Creates this migration's tables and indexes. */
export async function up(db: Kysely<any>): Promise<void> {
  await tryTable(db, 'ml_param')
    .addColumn('key', TEXT, required)
    .addColumn('value', TEXT, required)
    .addColumn('logged_at', TEXT, required)
    .addPrimaryKeyConstraint('ml_param_pkey', [...TRY_COLUMNS, 'key'])
    .execute();

  await db.schema
    .createTable('ml_metric')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('dag_id', TEXT, required)
    .addColumn('run_id', TEXT, required)
    .addColumn('task_id', TEXT, required)
    .addColumn('map_index', 'integer', required)
    .addColumn('try_number', 'integer', required)
    .addColumn('key', TEXT, required)
    .addColumn('value', DOUBLE, required)
    .addColumn('step', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('timestamp', TEXT, required)
    .execute();
  await db.schema.createIndex('ml_metric_try_idx').on('ml_metric').columns([...TRY_COLUMNS, 'key', 'step']).execute();

  await tryTable(db, 'ml_artifact')
    .addColumn('name', TEXT, required)
    .addColumn('object_key', TEXT, required)
    .addColumn('encoding', TEXT, required)
    .addColumn('content_type', TEXT, required)
    .addColumn('size_bytes', 'integer', required)
    .addColumn('logged_at', TEXT, required)
    .addPrimaryKeyConstraint('ml_artifact_pkey', [...TRY_COLUMNS, 'name'])
    .execute();

  await db.schema
    .createTable('ml_model')
    .addColumn('name', TEXT, (col) => col.primaryKey())
    .addColumn('latest_version', 'integer', required)
    .addColumn('created_at', TEXT, required)
    .addColumn('updated_at', TEXT, required)
    .execute();

  await db.schema
    .createTable('ml_model_version')
    .addColumn('name', TEXT, (col) => col.notNull().references('ml_model.name').onDelete('cascade'))
    .addColumn('version', 'integer', required)
    .addColumn('stage', TEXT, required)
    .addColumn('description', TEXT)
    .addColumn('metrics', TEXT, required)
    .addColumn('params', TEXT, required)
    .addColumn('artifact_key', TEXT, required)
    .addColumn('artifact_encoding', TEXT, required)
    .addColumn('artifact_content_type', TEXT, required)
    .addColumn('artifact_format', TEXT)
    .addColumn('artifact_size', 'integer', required)
    .addColumn('source_dag_id', TEXT)
    .addColumn('source_run_id', TEXT)
    .addColumn('source_task_id', TEXT)
    .addColumn('source_map_index', 'integer')
    .addColumn('source_try_number', 'integer')
    .addColumn('created_at', TEXT, required)
    .addColumn('stage_changed_at', TEXT, required)
    .addPrimaryKeyConstraint('ml_model_version_pkey', ['name', 'version'])
    .execute();
  await db.schema.createIndex('ml_model_version_stage_idx').on('ml_model_version').columns(['name', 'stage']).execute();

  await db.schema
    .createTable('ml_model_stage_change')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('name', TEXT, (col) => col.notNull().references('ml_model.name').onDelete('cascade'))
    .addColumn('version', 'integer', required)
    .addColumn('from_stage', TEXT)
    .addColumn('to_stage', TEXT, required)
    .addColumn('reason', TEXT, required)
    .addColumn('changed_at', TEXT, required)
    .execute();
  await db.schema.createIndex('ml_model_stage_change_name_idx').on('ml_model_stage_change').columns(['name', 'id']).execute();
}

/** Drops this migration's tables. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['ml_model_stage_change', 'ml_model_version', 'ml_model', 'ml_artifact', 'ml_metric', 'ml_param']) {
    await db.schema.dropTable(table).execute();
  }
}
