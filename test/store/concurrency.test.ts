import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MIGRATIONS } from '../../src/store/migrate.ts';
import { eachDialect } from '../support/databases.ts';
import { raceProcesses } from '../support/race.ts';
import { insertDag, insertRun, insertTi } from '../support/store-fixtures.ts';

for (const dialect of eachDialect()) {
  describe(`several processes on one ${dialect.name} database`, () => {
    test('migrating an empty database at once: one process applies, none fails', async () => {
      const t = await dialect.openEmpty();
      try {
        const reports = await raceProcesses(3, t.url, ['migrate']);
        assert.deepEqual(reports.filter((r) => !r.ok), []);
        assert.equal(reports.filter((r) => r.won).length, 1);
        const applied = await t.db.selectFrom('kysely_migration' as any).select('name').execute();
        assert.equal(applied.length, Object.keys(MIGRATIONS).length);
        assert.equal((await t.db.selectFrom('slot_pool').selectAll().execute()).length, 1);
      } finally {
        await t.drop();
      }
    });

    test('racing to queue one task instance: exactly one process wins, none fails', async () => {
      const t = await dialect.open();
      try {
        await insertDag(t.db, 'race');
        await insertRun(t.db, 'race', 'r1', '2024-01-01T00:00:00.000Z');
        const key = await insertTi(t.db, { dagId: 'race', runId: 'r1' }, 'a', 'scheduled');
        const reports = await raceProcesses(4, t.url, ['cas', JSON.stringify(key)]);
        assert.deepEqual(reports.filter((r) => !r.ok), []);
        assert.equal(reports.filter((r) => r.won).length, 1);
        const row = await t.db.selectFrom('task_instance').selectAll().where('task_id', '=', 'a').executeTakeFirstOrThrow();
        assert.equal(row.state, 'queued');
        assert.equal(row.try_number, 1);
      } finally {
        await t.drop();
      }
    });
  });
}
