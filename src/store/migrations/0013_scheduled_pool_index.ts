/**
 * A partial index on the scheduled task instances by pool and priority: each queueing pass reads
 * the best candidates of every pool with free slots, a few per slot, instead of thousands of
 * rows of one busy pool (see queue-tasks.ts).
 */
import { sql, type Kysely } from 'kysely';
import { TI_SCHEDULED } from '../ti-states-sql.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index ti_scheduled_pool_idx on task_instance (pool, priority_weight) where ${TI_SCHEDULED}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ti_scheduled_pool_idx').ifExists().execute();
}
