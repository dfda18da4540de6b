/** Pools, variables, connections, import errors, the event log and DAG warnings. */
import type { Kysely } from 'kysely';
import { autoId, flag, required, TEXT } from './helpers.ts';

/** Name and size of the pool every task uses unless it names another. */
export const DEFAULT_POOL = { name: 'default_pool', slots: 128 } as const;

/** Creates this migration's tables, constraints and indexes. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('slot_pool')
    .addColumn('pool', TEXT, (col) => col.primaryKey())
    .addColumn('slots', 'integer', required)
    .addColumn('description', TEXT)
    .addColumn('include_deferred', 'integer', flag(0))
    .execute();
  await db
    .insertInto('slot_pool')
    .values({ pool: DEFAULT_POOL.name, slots: DEFAULT_POOL.slots, description: 'Default pool', include_deferred: 0 })
    .execute();

  await db.schema
    .createTable('variable')
    .addColumn('key', TEXT, (col) => col.primaryKey())
    .addColumn('val', TEXT, required)
    .addColumn('description', TEXT)
    .addColumn('is_encrypted', 'integer', flag(0))
    .execute();

  await db.schema
    .createTable('connection')
    .addColumn('conn_id', TEXT, (col) => col.primaryKey())
    .addColumn('conn_type', TEXT, required)
    .addColumn('description', TEXT)
    .addColumn('host', TEXT)
    .addColumn('schema', TEXT)
    .addColumn('login', TEXT)
    .addColumn('password', TEXT)
    .addColumn('port', 'integer')
    .addColumn('extra', TEXT)
    .addColumn('is_encrypted', 'integer', flag(0))
    .addColumn('is_extra_encrypted', 'integer', flag(0))
    .execute();

  await db.schema
    .createTable('import_error')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('filename', TEXT, (col) => col.notNull().unique())
    .addColumn('stacktrace', TEXT, required)
    .addColumn('timestamp', TEXT, required)
    .addColumn('line', 'integer')
    .execute();

  await db.schema
    .createTable('log')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('dttm', TEXT, required)
    .addColumn('dag_id', TEXT)
    .addColumn('task_id', TEXT)
    .addColumn('map_index', 'integer')
    .addColumn('run_id', TEXT)
    .addColumn('try_number', 'integer')
    .addColumn('event', TEXT, required)
    .addColumn('owner', TEXT)
    .addColumn('extra', TEXT)
    .execute();
  await db.schema.createIndex('log_dttm_idx').on('log').column('dttm').execute();
  await db.schema.createIndex('log_dag_id_idx').on('log').column('dag_id').execute();

  await db.schema
    .createTable('dag_warning')
    .addColumn('dag_id', TEXT, (col) => col.notNull().references('dag.dag_id').onDelete('cascade'))
    .addColumn('warning_type', TEXT, required)
    .addColumn('message', TEXT, required)
    .addColumn('timestamp', TEXT, required)
    .addPrimaryKeyConstraint('dag_warning_pkey', ['dag_id', 'warning_type'])
    .execute();
}

/** Drops this migration's tables. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['dag_warning', 'log', 'import_error', 'connection', 'variable', 'slot_pool']) {
    await db.schema.dropTable(table).execute();
  }
}
