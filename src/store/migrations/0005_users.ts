/** Users of the web UI and API, and their API tokens. */
import type { Kysely } from 'kysely';
import { autoId, flag, required, TEXT } from './helpers.ts';

/** Creates this migration's tables, constraints and indexes. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ab_user')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('username', TEXT, (col) => col.notNull().unique())
    .addColumn('email', TEXT)
    .addColumn('first_name', TEXT)
    .addColumn('last_name', TEXT)
    .addColumn('password_hash', TEXT)
    .addColumn('role', TEXT, required)
    .addColumn('active', 'integer', flag(1))
    .addColumn('created_on', TEXT, required)
    .addColumn('last_login', TEXT)
    .execute();

  await db.schema
    .createTable('api_token')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('user_id', 'integer', (col) => col.notNull().references('ab_user.id').onDelete('cascade'))
    .addColumn('token_hash', TEXT, (col) => col.notNull().unique())
    .addColumn('name', TEXT, required)
    .addColumn('created_at', TEXT, required)
    .addColumn('last_used_at', TEXT)
    .execute();
  await db.schema.createIndex('api_token_user_id_idx').on('api_token').column('user_id').execute();
}

/** Drops this migration's tables. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_token').execute();
  await db.schema.dropTable('ab_user').execute();
}
