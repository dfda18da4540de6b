/**
 * What Airflow 3's REST API v2 needs:
 * - `api_signing_key`: the key API access tokens (JWTs) are signed with, generated once and
 *   shared by every API server; encrypted with the Fernet keys when they are configured.
 * - `dag_version`: one row per structure of a DAG (a new one whenever its serialized form
 *   changes), with that structure and the file's source; `dag_run.dag_version_id` records the
 *   version a run was created from.
 * - `backfill` and `backfill_dag_run`: backfills as objects the scheduler runs.
 * - `dag_favorite`: the DAGs each user marked as a favourite.
 * - `dag_run.backfill_id`, and `dag_run.has_logical_date` (0 for manual runs triggered with no
 *   logical date: their `logical_date` column then holds the time they were triggered), and
 *   `dag_run.triggering_user_name` (who triggered a run through the API).
 */
import type { Kysely } from 'kysely';
import { autoId, flag, required, TEXT } from './helpers.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_signing_key')
    .addColumn('kid', TEXT, (col) => col.primaryKey())
    .addColumn('secret', TEXT, required)
    .addColumn('is_encrypted', 'integer', flag(0))
    .addColumn('created_at', TEXT, required)
    .execute();

  await db.schema
    .createTable('dag_version')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('dag_id', TEXT, required)
    .addColumn('version_number', 'integer', required)
    .addColumn('dag_hash', TEXT, required)
    .addColumn('data', TEXT, required)
    .addColumn('fileloc', TEXT, required)
    .addColumn('source_code', TEXT)
    .addColumn('created_at', TEXT, required)
    .addUniqueConstraint('dag_version_dag_number_uq', ['dag_id', 'version_number'])
    .execute();
  await db.schema.createIndex('dag_version_dag_hash_idx').on('dag_version').columns(['dag_id', 'dag_hash']).execute();

  await db.schema
    .createTable('backfill')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('dag_id', TEXT, required)
    .addColumn('from_date', TEXT, required)
    .addColumn('to_date', TEXT, required)
    .addColumn('dag_run_conf', TEXT, (col) => col.notNull().defaultTo('{}'))
    .addColumn('is_paused', 'integer', flag(0))
    .addColumn('reprocess_behavior', TEXT, required)
    .addColumn('max_active_runs', 'integer', required)
    .addColumn('run_backwards', 'integer', flag(0))
    .addColumn('triggering_user_name', TEXT)
    .addColumn('created_at', TEXT, required)
    .addColumn('completed_at', TEXT)
    .addColumn('updated_at', TEXT, required)
    .execute();
  await db.schema.createIndex('backfill_dag_idx').on('backfill').columns(['dag_id', 'completed_at']).execute();

  await db.schema
    .createTable('backfill_dag_run')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('backfill_id', 'integer', (col) => col.notNull().references('backfill.id').onDelete('cascade'))
    .addColumn('logical_date', TEXT, required)
    .addColumn('run_id', TEXT)
    .addColumn('exception_reason', TEXT)
    .addColumn('sort_ordinal', 'integer', required)
    .addUniqueConstraint('backfill_dag_run_date_uq', ['backfill_id', 'logical_date'])
    .execute();

  await db.schema
    .createTable('dag_favorite')
    .addColumn('username', TEXT, required)
    .addColumn('dag_id', TEXT, required)
    .addPrimaryKeyConstraint('dag_favorite_pk', ['username', 'dag_id'])
    .execute();

  await db.schema.alterTable('dag_run').addColumn('dag_version_id', 'integer').execute();
  await db.schema.alterTable('dag_run').addColumn('backfill_id', 'integer').execute();
  await db.schema.alterTable('dag_run').addColumn('has_logical_date', 'integer', flag(1)).execute();
  await db.schema.alterTable('dag_run').addColumn('triggering_user_name', TEXT).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dag_run').dropColumn('triggering_user_name').execute();
  await db.schema.alterTable('dag_run').dropColumn('has_logical_date').execute();
  await db.schema.alterTable('dag_run').dropColumn('backfill_id').execute();
  await db.schema.alterTable('dag_run').dropColumn('dag_version_id').execute();
  await db.schema.dropTable('dag_favorite').execute();
  await db.schema.dropTable('backfill_dag_run').execute();
  await db.schema.dropTable('backfill').execute();
  await db.schema.dropTable('dag_version').execute();
  await db.schema.dropTable('api_signing_key').execute();
}
