import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { openCliEnv, runJson, show, type CliEnv } from './cli-helpers.ts';

for (const dialect of eachDialect()) {
  describe(`baton tasks xcoms on ${dialect.name}`, () => {
    let cli: CliEnv;
    const runId = 'backfill__2024-01-02T00:00:00+00:00';
    before(async () => {
      cli = await openCliEnv(dialect);
      const r = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-02', '-e', '2024-01-02');
      assert.equal(r.code, 0, show(r));
    });
    after(async () => {
      await cli?.close();
    });

    test('lists every XCom of a run with its value', async () => {
      const rows = await runJson(cli, 'tasks', 'xcoms', 'cli_daily', runId);
      assert.deepEqual(rows, [
        { task_id: 'extract', map_index: -1, key: 'return_value', value: [1, 2, 3] },
        { task_id: 'load', map_index: -1, key: 'return_value', value: 3 },
      ]);
    });

    test('filters by task and key', async () => {
      assert.deepEqual(await runJson(cli, 'tasks', 'xcoms', 'cli_daily', runId, 'load', '--key', 'return_value'), [{ task_id: 'load', map_index: -1, key: 'return_value', value: 3 }]);
      assert.deepEqual(await runJson(cli, 'tasks', 'xcoms', 'cli_daily', runId, 'load', '--key', 'other'), []);
    });

    test('an unknown run is a clear error with exit code 1', async () => {
      const r = await cli.run('tasks', 'xcoms', 'cli_daily', 'no_such_run');
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /has no run with id 'no_such_run'/);
    });
  });
}
