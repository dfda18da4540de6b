/**
 * Asset aliases (Airflow 3): `asset_alias` (unique name, group); `asset_alias_asset`, the assets
 * an alias has resolved to (a task added an event for the asset through the alias);
 * `asset_alias_asset_event`, the events added through each alias; and
 * `dag_schedule_asset_alias_reference`, the DAGs scheduled on each alias.
 */
import type { Kysely } from 'kysely';
import { autoId, required, TEXT } from './helpers.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('asset_alias')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('name', TEXT, (col) => col.notNull().unique())
    .addColumn('group', TEXT, (col) => col.notNull().defaultTo('asset'))
    .execute();

  await db.schema
    .createTable('asset_alias_asset')
    .addColumn('alias_id', 'integer', (col) => col.notNull().references('asset_alias.id').onDelete('cascade'))
    .addColumn('asset_id', 'integer', (col) => col.notNull().references('dataset.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('asset_alias_asset_pkey', ['alias_id', 'asset_id'])
    .execute();
  await db.schema.createIndex('asset_alias_asset_asset_idx').on('asset_alias_asset').column('asset_id').execute();

  await db.schema
    .createTable('asset_alias_asset_event')
    .addColumn('alias_id', 'integer', (col) => col.notNull().references('asset_alias.id').onDelete('cascade'))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('dataset_event.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('asset_alias_asset_event_pkey', ['alias_id', 'event_id'])
    .execute();
  await db.schema.createIndex('asset_alias_asset_event_event_idx').on('asset_alias_asset_event').column('event_id').execute();

  await db.schema
    .createTable('dag_schedule_asset_alias_reference')
    .addColumn('alias_id', 'integer', (col) => col.notNull().references('asset_alias.id').onDelete('cascade'))
    .addColumn('dag_id', TEXT, (col) => col.notNull().references('dag.dag_id').onDelete('cascade'))
    .addColumn('created_at', TEXT, required)
    .addColumn('updated_at', TEXT, required)
    .addPrimaryKeyConstraint('dag_schedule_asset_alias_reference_pkey', ['alias_id', 'dag_id'])
    .execute();
  await db.schema.createIndex('dag_schedule_asset_alias_reference_dag_idx').on('dag_schedule_asset_alias_reference').column('dag_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['dag_schedule_asset_alias_reference', 'asset_alias_asset_event', 'asset_alias_asset', 'asset_alias']) {
    await db.schema.dropTable(table).execute();
  }
}
