/**
 * The executor inbox: results that workers on other machines report (a try finished, or was
 * lost), kept in the metadata database until a scheduler has recorded them. A row is claimed by
 * one scheduler for a lease; it is deleted in the transaction that records it, so a result is
 * never lost when a scheduler dies between reading and recording it.
 *
 * On PostgreSQL, triggers also wake the schedulers (NOTIFY baton_scheduler) whenever anyone but a
 * scheduler changes what they act on: a new run (trigger, backfill, API), a run whose task
 * instances changed (clear, mark, a fired trigger: they bump `ti_version`) or whose state
 * changed, a DAG paused or unpaused, a new dataset event. A scheduler's own connections
 * (`application_name` = `baton-scheduler`) notify nobody: it knows what it changed.
 */
import { sql, type Kysely } from 'kysely';
import { autoId, isPostgres, required, TEXT } from './helpers.ts';

const NOTIFY_FUNCTION = sql`
create or replace function baton_notify_scheduler() returns trigger language plpgsql as $$
begin
  if current_setting('application_name') = 'baton-scheduler' then
    return null;
  end if;
  if tg_level = 'ROW' then
    perform pg_notify('baton_scheduler', new.dag_id || chr(1) || new.run_id);
  else
    perform pg_notify('baton_scheduler', '');
  end if;
  return null;
end $$`;

const TRIGGERS = [
  sql`create trigger dag_run_insert_notify after insert on dag_run for each row execute function baton_notify_scheduler()`,
  sql`create trigger dag_run_change_notify after update of ti_version, state on dag_run for each row
      when (old.ti_version is distinct from new.ti_version or old.state is distinct from new.state)
      execute function baton_notify_scheduler()`,
  sql`create trigger dag_pause_notify after update of is_paused on dag for each statement execute function baton_notify_scheduler()`,
  sql`create trigger dataset_event_notify after insert on dataset_event for each statement execute function baton_notify_scheduler()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('executor_event')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('created_at', TEXT, required)
    .addColumn('claimed_by', 'integer')
    .addColumn('claimed_until', TEXT)
    .addColumn('payload', TEXT, required)
    .execute();
  if (isPostgres(db)) {
    await NOTIFY_FUNCTION.execute(db);
    for (const t of TRIGGERS) await t.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    for (const [name, table] of [['dag_run_insert_notify', 'dag_run'], ['dag_run_change_notify', 'dag_run'], ['dag_pause_notify', 'dag'], ['dataset_event_notify', 'dataset_event']]) {
      await sql`drop trigger if exists ${sql.id(name!)} on ${sql.id(table!)}`.execute(db);
    }
    await sql`drop function if exists baton_notify_scheduler()`.execute(db);
  }
  await db.schema.dropTable('executor_event').execute();
}
