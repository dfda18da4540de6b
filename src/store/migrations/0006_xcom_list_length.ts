/** Lists stored as XCom record their length, so mapped tasks expand without reading values. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('xcom').addColumn('list_length', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('xcom').dropColumn('list_length').execute();
}
