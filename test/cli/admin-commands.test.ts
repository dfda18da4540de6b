import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV_NAMES } from '../../src/config.ts';
import { eachDialect } from '../support/databases.ts';
import { CLI_DAGS, openCliEnv, runCli, runJson, show, type CliEnv } from './cli-helpers.ts';

for (const dialect of eachDialect()) {
  describe(`baton pools, variables, connections and info on ${dialect.name}`, () => {
    let cli: CliEnv;
    before(async () => {
      cli = await openCliEnv(dialect);
    });
    after(async () => {
      await cli?.close();
    });

    test('pools: set, get, list and delete round-trip; bad slots exit 2; unknown and default pools fail with exit 1', async () => {
      const set = await runJson(cli, 'pools', 'set', 'etl', '4', 'ETL jobs');
      assert.deepEqual(set, [{ pool: 'etl', slots: 4, description: 'ETL jobs', include_deferred: false }]);
      assert.deepEqual(await runJson(cli, 'pools', 'get', 'etl'), set);
      assert.deepEqual((await runJson(cli, 'pools', 'list')).map((p) => [p.pool, p.slots]), [['default_pool', 128], ['etl', 4]]);
      const [badSlots, delDefault, del] = await Promise.all([
        cli.run('pools', 'set', 'x', 'many', 'd'),
        cli.run('pools', 'delete', 'default_pool'),
        cli.run('pools', 'delete', 'etl'),
      ]);
      assert.equal(badSlots.code, 2, show(badSlots));
      assert.match(badSlots.stderr, /slots must be a whole number/);
      assert.equal(delDefault.code, 1, show(delDefault));
      assert.match(delDefault.stderr, /default_pool cannot be deleted/);
      assert.equal(del.stdout, 'Pool etl deleted\n', show(del));
      const [getGone, delGone] = await Promise.all([cli.run('pools', 'get', 'etl'), cli.run('pools', 'delete', 'etl')]);
      for (const r of [getGone, delGone]) {
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /^error: Pool 'etl' does not exist/);
      }
    });

    test('variables: set, get, list and delete round-trip; a missing key fails unless --default is given', async () => {
      const set = await cli.run('variables', 'set', 'env', 'prod value', '--description', 'where we run');
      assert.equal(set.stdout, 'Variable env created\n', show(set));
      const [got, list, missing, withDefault] = await Promise.all([
        cli.run('variables', 'get', 'env'),
        runJson(cli, 'variables', 'list'),
        cli.run('variables', 'get', 'nope'),
        cli.run('variables', 'get', 'nope', '--default', 'fallback'),
      ]);
      assert.equal(got.stdout, 'prod value\n');
      assert.deepEqual(list, [{ key: 'env', description: 'where we run' }]);
      assert.equal(missing.code, 1, show(missing));
      assert.match(missing.stderr, /Variable 'nope' does not exist/);
      assert.equal(withDefault.stdout, 'fallback\n');
      assert.equal((await cli.run('variables', 'delete', 'env')).stdout, 'Variable env deleted\n');
      const gone = await cli.run('variables', 'delete', 'env');
      assert.equal(gone.code, 1, show(gone));
      assert.deepEqual(await runJson(cli, 'variables', 'list'), []);
    });

    test('connections: add from a URI or from parts, get and list mask the password, delete; bad input exits 2', async () => {
      const fromUri = await cli.run('connections', 'add', 'warehouse', '--conn-uri', 'postgresql://ana%40corp:s3cr%2Ft@db.example:5433/analytics?sslmode=require');
      assert.equal(fromUri.code, 0, show(fromUri));
      const fromParts = await cli.run('connections', 'add', 'api', '--conn-type', 'http', '--conn-host', 'api.example', '--conn-port', '8443', '--conn-extra', '{"timeout": 30}');
      assert.equal(fromParts.code, 0, show(fromParts));
      const [get, shown, list] = await Promise.all([
        runJson(cli, 'connections', 'get', 'warehouse'),
        runJson(cli, 'connections', 'get', 'warehouse', '--show-password'),
        runJson(cli, 'connections', 'list'),
      ]);
      assert.deepEqual(get, [{ conn_id: 'warehouse', conn_type: 'postgres', description: null, host: 'db.example', schema: 'analytics', login: 'ana@corp', password: '***', port: 5433, extra: '{"sslmode":"require"}' }]);
      assert.equal(shown[0]!.password, 's3cr/t');
      assert.deepEqual(list.map((c) => [c.conn_id, c.conn_type, c.host, c.port, c.password]), [['api', 'http', 'api.example', 8443, null], ['warehouse', 'postgres', 'db.example', 5433, '***']]);
      const table = await cli.run('connections', 'list');
      assert.doesNotMatch(table.stdout, /s3cr/);
      const [dup, neither, both, badExtra, badPort] = await Promise.all([
        cli.run('connections', 'add', 'api', '--conn-type', 'http'),
        cli.run('connections', 'add', 'x'),
        cli.run('connections', 'add', 'x', '--conn-uri', 'http://h', '--conn-type', 'http'),
        cli.run('connections', 'add', 'x', '--conn-type', 'http', '--conn-extra', '{oops'),
        cli.run('connections', 'add', 'x', '--conn-type', 'http', '--conn-port', '99999'),
      ]);
      assert.equal(dup.code, 1, show(dup));
      assert.match(dup.stderr, /conn_id 'api' already exists/);
      for (const r of [neither, both, badExtra, badPort]) assert.equal(r.code, 2, show(r));
      assert.match(badExtra.stderr, /--conn-extra is not valid JSON/);
      const del = await cli.run('connections', 'delete', 'api');
      assert.equal(del.code, 0, show(del));
      const gone = await cli.run('connections', 'get', 'api');
      assert.equal(gone.code, 1, show(gone));
      assert.match(gone.stderr, /Connection 'api' does not exist/);
    });

    test('pool, variable and connection changes are in the event log, without secrets', async () => {
      const rows = await cli.db.db.selectFrom('log').select(['event', 'extra']).orderBy('id').execute();
      assert.deepEqual(rows.map((r) => r.event), [
        'cli_pool_set', 'cli_pool_delete', 'cli_variables_set', 'cli_variables_delete', 'cli_connections_add', 'cli_connections_add', 'cli_connections_delete',
      ]);
      assert.ok(rows.every((r) => !/s3cr|prod value/.test(r.extra ?? '')));
    });

    test('info reports the version, the database dialect with an up-to-date schema, and the DAG count', async () => {
      await cli.run('dags', 'pause', 'cli_daily');
      const info = Object.fromEntries((await runJson(cli, 'info')).map((r) => [r.key, r.value]));
      assert.equal(info.baton_version, '0.1.0');
      assert.equal(info.database_dialect, dialect.name);
      assert.match(String(info.database_schema), /^up to date \(\d+ migrations\)$/);
      assert.equal(info.dags, '2 active (1 paused)');
      assert.equal(info.executor, 'LocalExecutor');
      assert.equal(info.parallelism, 4);
      assert.equal(info.scheduler, 'not running');
      assert.doesNotMatch(JSON.stringify(info), /:[^:@/]+@/, 'no password in the database URL');
    });
  });
}

describe('baton config and info without a database', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'baton-cli-config-'));
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_')));
    Object.assign(env, { BATON_HOME: home, BATON_DAGS_FOLDER: CLI_DAGS, BATON_PARALLELISM: '3', BATON_DATABASE_URL: 'postgres://baton:hunter2@127.0.0.1:1/none' });
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('config list shows every setting with its value and source, the database password redacted', async () => {
    const r = await runCli(['config', 'list', '-o', 'json'], env);
    assert.equal(r.code, 0, show(r));
    const rows = JSON.parse(r.stdout) as Array<{ setting: string; value: string; source: string; env: string }>;
    const by = Object.fromEntries(rows.map((x) => [x.setting, x]));
    assert.deepEqual(by.parallelism, { setting: 'parallelism', value: '3', source: 'env', env: 'BATON_PARALLELISM' });
    assert.deepEqual(by.logsFolder, { setting: 'logsFolder', value: join(home, 'logs'), source: 'default', env: 'BATON_LOGS_FOLDER' });
    assert.equal(by.databaseUrl!.value, 'postgres://baton:***@127.0.0.1:1/none');
    assert.deepEqual(rows.map((x) => x.setting), Object.keys(ENV_NAMES), 'every setting, in order');
    const one = await runCli(['config', 'get-value', 'BATON_PARALLELISM'], env);
    assert.equal(one.stdout, '3\n', show(one));
    const unknown = await runCli(['config', 'get-value', 'nope'], env);
    assert.equal(unknown.code, 2, show(unknown));
  });

  test('info still answers when the database is unreachable, and says so', async () => {
    const r = await runCli(['info', '-o', 'json'], env);
    assert.equal(r.code, 0, show(r));
    const info = Object.fromEntries((JSON.parse(r.stdout) as Array<{ key: string; value: unknown }>).map((x) => [x.key, x.value]));
    assert.equal(info.database_dialect, 'postgres');
    assert.match(String(info.database_schema), /^unreachable: /);
    assert.doesNotMatch(r.stdout, /hunter2/);
  });
});
