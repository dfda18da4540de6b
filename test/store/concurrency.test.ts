import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MIGRATIONS } from '../../src/store/migrate.ts';
import { eachDialect } from '../support/databases.ts';
import type { TestDb } from '../support/databases.ts';
import { startRacers } from '../support/race.ts';
import type { Racers } from '../support/race.ts';
import { insertDag, insertRun, insertTi } from '../support/store-fixtures.ts';

let racers: Racers;
before(async () => {
  racers = await startRacers(4);
});
after(async () => {
  await racers?.stop();
});

for (const dialect of eachDialect()) {
  describe(`four processes on one ${dialect.name} database`, () => {
    let t: TestDb;
    before(async () => {
      t = await dialect.openEmpty();
      assert.deepEqual(await racers.all({ op: 'open', url: t.url }), Array(4).fill({ ok: true }));
    });
    after(async () => {
      await racers.all({ op: 'close' });
      await t?.drop();
    });

    test('migrating an empty database at once: one process applies, none fails', async () => {
      const reports = await racers.all({ op: 'migrate' });
      assert.deepEqual(reports.filter((r) => !r.ok), []);
      assert.equal(reports.filter((r) => r.won).length, 1);
      const applied = await t.db.selectFrom('kysely_migration' as any).select('name').execute();
      assert.equal(applied.length, Object.keys(MIGRATIONS).length);
      assert.equal((await t.db.selectFrom('slot_pool').selectAll().execute()).length, 1);
    });

    test('racing to queue one task instance: exactly one process wins, none fails', async () => {
      await insertDag(t.db, 'race');
      await insertRun(t.db, 'race', 'r1', '2024-01-01T00:00:00.000Z');
      for (let round = 0; round < 5; round++) {
        const key = await insertTi(t.db, { dagId: 'race', runId: 'r1' }, `t${round}`, 'scheduled');
        const reports = await racers.all({ op: 'cas', key });
        assert.deepEqual(reports.filter((r) => !r.ok), []);
        assert.equal(reports.filter((r) => r.won).length, 1, `round ${round}: one winner`);
        const row = await t.db.selectFrom('task_instance').selectAll().where('task_id', '=', key.taskId).executeTakeFirstOrThrow();
        assert.equal(row.state, 'queued');
        assert.equal(row.try_number, 1);
      }
    });
  });
}
