/**
 * What incremental scheduling needs:
 * - `dag_run.ti_version`, which every change to a run's task instances made outside the
 *   scheduling pass increments (clear, mark, zombie…): a scheduler's in-memory picture of a run
 *   is current while the version is the one it last wrote.
 * - Partial indexes on `task_instance`: each covers only the TIs in the states one scheduler
 *   query looks for (scheduled, occupying a slot, running, queued, waiting), so a state change
 *   updates at most the one or two small indexes it enters or leaves instead of five indexes
 *   over every TI. The per-task index no longer holds the state (it changed on every move).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { TI_OCCUPYING, TI_QUEUED, TI_RUNNING, TI_SCHEDULED, TI_WAITING } from '../ti-states-sql.ts';

const OLD_INDEXES = ['ti_state_pool_idx', 'ti_state_priority_idx', 'ti_state_heartbeat_idx', 'ti_state_next_try_idx', 'ti_dag_task_state_idx', 'ti_trigger_id_idx'];

const NEW_INDEXES: Array<[name: string, columns: string[], where: RawBuilder<boolean> | null]> = [
  ['ti_occupying_idx', ['pool', 'dag_id', 'task_id'], TI_OCCUPYING],
  ['ti_scheduled_idx', ['priority_weight'], TI_SCHEDULED],
  ['ti_running_heartbeat_idx', ['last_heartbeat_at'], TI_RUNNING],
  ['ti_queued_at_idx', ['queued_at'], TI_QUEUED],
  ['ti_waiting_idx', ['next_try_at'], TI_WAITING],
  ['ti_dag_task_idx', ['dag_id', 'task_id'], null],
  ['ti_trigger_id_idx', ['trigger_id'], sql<boolean>`trigger_id is not null`],
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dag_run').addColumn('ti_version', 'integer', (col) => col.notNull().defaultTo(0)).execute();
  for (const name of OLD_INDEXES) await db.schema.dropIndex(name).ifExists().execute();
  for (const [name, columns, where] of NEW_INDEXES) {
    const cols = sql.join(columns.map((c) => sql.id(c)));
    await sql`create index ${sql.id(name)} on task_instance (${cols})${where ? sql` where ${where}` : sql``}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of NEW_INDEXES) await db.schema.dropIndex(name).ifExists().execute();
  const old: Array<[string, string[]]> = [
    ['ti_state_pool_idx', ['state', 'pool']],
    ['ti_state_priority_idx', ['state', 'priority_weight']],
    ['ti_state_heartbeat_idx', ['state', 'last_heartbeat_at']],
    ['ti_state_next_try_idx', ['state', 'next_try_at']],
    ['ti_dag_task_state_idx', ['dag_id', 'task_id', 'state']],
    ['ti_trigger_id_idx', ['trigger_id']],
  ];
  for (const [name, columns] of old) await db.schema.createIndex(name).on('task_instance').columns(columns).execute();
  await db.schema.alterTable('dag_run').dropColumn('ti_version').execute();
}
