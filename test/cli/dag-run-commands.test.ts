import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { eachDialect } from '../support/databases.ts';
import { openCliEnv, runJson, show, type CliEnv } from './cli-helpers.ts';

for (const dialect of eachDialect()) {
  describe(`baton dags (runs, pause, delete) on ${dialect.name}`, () => {
    let cli: CliEnv;
    before(async () => {
      cli = await openCliEnv(dialect);
    });
    after(async () => {
      await cli?.close();
    });

    test('trigger creates a queued manual run that list-runs shows, in a table and as JSON', async () => {
      const r = await cli.run('dags', 'trigger', 'cli_daily', '-r', 'first', '-c', '{"greeting": "hi"}', '-e', '2024-02-01');
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /cli_daily\s+\|\s+first\s+\|\s+queued\s+\|\s+manual/);
      assert.match(r.stdout, /No scheduler is running/);
      const table = await cli.run('dags', 'list-runs', '-d', 'cli_daily');
      assert.equal(table.code, 0, show(table));
      assert.match(table.stdout, /^dag_id\s+\| run_id\s+\| state\s+\| run_type\s+\| logical_date\s+\| start_date\s+\| end_date/);
      const runs = await runJson(cli, 'dags', 'list-runs', '-d', 'cli_daily');
      assert.deepEqual(runs, [{ dag_id: 'cli_daily', run_id: 'first', state: 'queued', run_type: 'manual', logical_date: '2024-02-01T00:00:00.000Z', start_date: null, end_date: null }]);
      const stored = await cli.db.db.selectFrom('dag_run').select('conf').where('run_id', '=', 'first').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(stored.conf), { greeting: 'hi' });
    });

    test('trigger --output json prints the created run as parseable JSON', async () => {
      const runs = await runJson(cli, 'dags', 'trigger', 'cli_daily', '--run-id', 'as_json', '--exec-date', '2024-02-02');
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.run_id, 'as_json');
      assert.equal(runs[0]!.state, 'queued');
    });

    test('trigger refuses bad JSON conf and conf that breaks the params (exit 2), and a duplicate run id (exit 1)', async () => {
      const [badJson, notObject, badParam, dup] = await Promise.all([
        cli.run('dags', 'trigger', 'cli_daily', '-c', '{not json'),
        cli.run('dags', 'trigger', 'cli_daily', '-c', '[1, 2]'),
        cli.run('dags', 'trigger', 'cli_daily', '-c', '{"greeting": 5}'),
        cli.run('dags', 'trigger', 'cli_daily', '-r', 'first'),
      ]);
      assert.equal(badJson.code, 2, show(badJson));
      assert.match(badJson.stderr, /^error: --conf is not valid JSON/);
      assert.equal(notObject.code, 2, show(notObject));
      assert.match(notObject.stderr, /--conf must be a JSON object/);
      assert.equal(badParam.code, 2, show(badParam));
      assert.match(badParam.stderr, /invalid conf for DAG 'cli_daily': param 'greeting'/);
      assert.equal(dup.code, 1, show(dup));
      assert.match(dup.stderr, /already has a run with id 'first'/);
      const runs = await cli.db.db.selectFrom('dag_run').select('run_id').where('dag_id', '=', 'cli_daily').execute();
      assert.deepEqual(runs.map((r) => r.run_id).sort(), ['as_json', 'first']);
    });

    test('an unknown DAG id fails with exit 1 and names the known DAGs', async () => {
      const results = await Promise.all([cli.run('dags', 'trigger', 'no_such_dag'), cli.run('dags', 'list-runs', '-d', 'no_such_dag')]);
      for (const r of results) {
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /^error: DAG 'no_such_dag' was not found.*Known DAGs: cli_daily, cli_failing\./);
        assert.equal(r.stderr.trim().split('\n').length, 1);
      }
    });

    test('state finds a run by id or by logical date, prints its conf, and fails on an unknown run', async () => {
      const [byId, byDate, unknown] = await Promise.all([
        cli.run('dags', 'state', 'cli_daily', 'first'),
        cli.run('dags', 'state', 'cli_daily', '2024-02-02'),
        cli.run('dags', 'state', 'cli_daily', 'nope'),
      ]);
      assert.equal(byId.stdout, 'queued, {"greeting":"hi"}\n', show(byId));
      assert.equal(byDate.stdout, 'queued\n', show(byDate));
      assert.equal(unknown.code, 1, show(unknown));
      assert.match(unknown.stderr, /DAG 'cli_daily' has no run with id 'nope'/);
    });

    test('list-runs filters by state and logical date range, and rejects an unknown state with exit 2', async () => {
      const inRange = await runJson(cli, 'dags', 'list-runs', '-d', 'cli_daily', '-s', '2024-02-02', '-e', '2024-02-03', '--state', 'queued');
      assert.deepEqual(inRange.map((r) => r.run_id), ['as_json']);
      assert.deepEqual(await runJson(cli, 'dags', 'list-runs', '-d', 'cli_daily', '--state', 'success'), []);
      const bad = await cli.run('dags', 'list-runs', '-d', 'cli_daily', '--state', 'done');
      assert.equal(bad.code, 2, show(bad));
      assert.match(bad.stderr, /--state must be one of queued, running, success, failed/);
      const missing = await cli.run('dags', 'list-runs');
      assert.equal(missing.code, 2, show(missing));
    });

    test('pause and unpause set is_paused (shown by dags list); a paused DAG\'s triggered run is said to stay queued', async () => {
      const p = await cli.run('dags', 'pause', 'cli_failing');
      assert.equal(p.stdout, 'Dag: cli_failing, paused: true\n', show(p));
      const listed = await runJson(cli, 'dags', 'list');
      assert.deepEqual(listed.map((d) => [d.dag_id, d.is_paused]), [['cli_daily', false], ['cli_failing', true]]);
      const t = await cli.run('dags', 'trigger', 'cli_failing', '-r', 'while_paused');
      assert.equal(t.code, 0, show(t));
      assert.match(t.stdout, /DAG 'cli_failing' is paused: the run stays queued until it is unpaused/);
      const u = await cli.run('dags', 'unpause', 'cli_failing');
      assert.equal(u.stdout, 'Dag: cli_failing, paused: false\n', show(u));
      const row = await cli.db.db.selectFrom('dag').select('is_paused').where('dag_id', '=', 'cli_failing').executeTakeFirstOrThrow();
      assert.equal(row.is_paused, 0);
    });

    test('mutating commands append to the event log with the OS user as owner', async () => {
      const rows = await cli.db.db.selectFrom('log').select(['event', 'dag_id', 'run_id', 'owner']).orderBy('id').execute();
      const events = rows.map((r) => `${r.event}:${r.dag_id}:${r.run_id ?? ''}`);
      assert.deepEqual(events, [
        'cli_dag_trigger:cli_daily:first',
        'cli_dag_trigger:cli_daily:as_json',
        'cli_dag_pause:cli_failing:',
        'cli_dag_trigger:cli_failing:while_paused',
        'cli_dag_unpause:cli_failing:',
      ]);
      for (const r of rows) assert.equal(r.owner, userInfo().username);
    });

    test('delete without -y is refused (exit 2) and deletes nothing; with -y it removes the DAG, its runs and task instances', async () => {
      const refused = await cli.run('dags', 'delete', 'cli_daily');
      assert.equal(refused.code, 2, show(refused));
      assert.match(refused.stderr, /run again with -y to confirm; nothing was deleted/);
      const count = async (table: 'dag_run' | 'task_instance' | 'dag') =>
        Number((await cli.db.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('dag_id', '=', 'cli_daily').executeTakeFirstOrThrow()).n);
      assert.equal(await count('dag_run'), 2);
      assert.equal(await count('task_instance'), 4);
      const deleted = await cli.run('dags', 'delete', 'cli_daily', '-y');
      assert.equal(deleted.code, 0, show(deleted));
      assert.match(deleted.stdout, /Removed \d+ record\(s\) of DAG 'cli_daily' \(2 run\(s\)\)/);
      assert.equal(await count('dag_run'), 0);
      assert.equal(await count('task_instance'), 0);
      assert.equal(await count('dag'), 0);
      const again = await cli.run('dags', 'delete', 'cli_daily', '-y');
      assert.equal(again.code, 1, show(again));
      assert.match(again.stderr, /DAG 'cli_daily' was not found in the database/);
      const logged = await cli.db.db.selectFrom('log').select('event').where('event', '=', 'cli_dag_delete').execute();
      assert.equal(logged.length, 1);
    });
  });
}
