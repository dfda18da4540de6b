/**
 * A PostgreSQL connection that breaks while it is checked out of the pool (inside a transaction,
 * between two statements) fails that transaction with an error; it does not bring the process
 * down (the test runner fails a test on an uncaught exception), and the next query opens a fresh
 * connection. SQLite has no connection to lose.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/database.ts';
import { dialectNamed } from '../support/databases.ts';

const postgres = dialectNamed('postgres');

describe('PostgreSQL connection lost mid-transaction', () => {
  test('the transaction fails with an error, the process keeps running and the next query succeeds', async () => {
    const testDb = await postgres.open();
    const admin = await openDatabase({ url: testDb.url });
    try {
      await assert.rejects(
        testDb.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(admin.db);
          // The server's notice that it ended the session arrives while no statement runs.
          await new Promise((r) => setTimeout(r, 300));
          await sql`select 1`.execute(trx);
        }),
        /terminat|not queryable|Connection/i,
      );
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(testDb.db);
      assert.equal(rows[0]!.one, 1);
    } finally {
      await admin.close();
      await testDb.drop();
    }
  });
});
