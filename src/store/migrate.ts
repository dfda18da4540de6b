/**
 * Bringing the metadata database's schema up to date, and wiping it (tests, `db reset`).
 * Migrations are listed here statically, in order. A database may already hold a migration
 * numbered after one it lacks (numbers are handed out ahead of time), so unordered application
 * is allowed: whatever is missing is applied, in name order.
 */
import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider, MigrationResult } from 'kysely';
import * as m0001 from './migrations/0001_jobs_and_triggers.ts';
import * as m0002 from './migrations/0002_dags_and_runs.ts';
import * as m0003 from './migrations/0003_datasets.ts';
import * as m0004 from './migrations/0004_admin.ts';
import * as m0005 from './migrations/0005_users.ts';
import * as m0006 from './migrations/0006_xcom_list_length.ts';
import * as m0007 from './migrations/0007_ml.ts';
import * as m0008 from './migrations/0008_airflow3.ts';
import * as m0010 from './migrations/0010_scheduler_speed.ts';
import * as m0011 from './migrations/0011_executor_inbox.ts';
import * as m0012 from './migrations/0012_asset_aliases.ts';
import * as m0013 from './migrations/0013_scheduled_pool_index.ts';
import { isPostgres } from './migrations/helpers.ts';

/** Every migration, by name, in the order they apply. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_jobs_and_triggers': m0001,
  '0002_dags_and_runs': m0002,
  '0003_datasets': m0003,
  '0004_admin': m0004,
  '0005_users': m0005,
  '0006_xcom_list_length': m0006,
  '0007_ml': m0007,
  '0008_airflow3': m0008,
  '0010_scheduler_speed': m0010,
  '0011_executor_inbox': m0011,
  '0012_asset_aliases': m0012,
  '0013_scheduled_pool_index': m0013,
});

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/**
 * Applies every migration not yet applied; does nothing when the schema is current. Safe to
 * run from several processes at once (PostgreSQL takes an advisory lock, SQLite a write
 * transaction). Returns the names of the migrations it applied.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  // Migrations developed side by side may be numbered below one already applied: each is
  // applied once, whatever its place in the order.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw migrationError(error, results ?? []);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Drops every table (data included) and migrates again. */
export async function resetDatabase(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    const { rows } = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = current_schema()`.execute(db);
    if (rows.length > 0) {
      await sql`drop table if exists ${sql.join(rows.map((r) => sql.id(r.tablename)))} cascade`.execute(db);
    }
  } else {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
    await sql`pragma foreign_keys = off`.execute(db);
    try {
      for (const { name } of rows) await sql`drop table if exists ${sql.id(name)}`.execute(db);
    } finally {
      await sql`pragma foreign_keys = on`.execute(db);
    }
  }
  await migrateToLatest(db);
}

function migrationError(error: unknown, results: MigrationResult[]): Error {
  const failed = results.find((r) => r.status === 'Error')?.migrationName;
  const where = failed ? `migration ${failed} failed` : 'the migrations could not start';
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`Could not bring the database schema up to date: ${where}: ${reason}. Fix the cause (permissions, disk space, a schema edited by hand) and run the migrations again; this run applied nothing (all pending migrations run in one transaction).`, { cause: error });
}
