/**
 * The real `baton` command (`node bin/baton.js`, running the build in dist/), end to end: what
 * the other CLI tests check in-process through `runCli` must hold for the program too: exit
 * codes (including those set without an error), stdout and stderr kept apart, JSON output.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { openCliEnv, show, type CliEnv } from './cli-helpers.ts';

for (const dialect of eachDialect()) {
  describe(`the baton program on ${dialect.name}`, () => {
    let cli: CliEnv;
    before(async () => {
      cli = await openCliEnv(dialect);
    });
    after(async () => {
      await cli?.close();
    });

    test('baton version and baton --version print the version on stdout and exit 0', async () => {
      const [version, flag] = await Promise.all([cli.spawn('version'), cli.spawn('--version')]);
      for (const r of [version, flag]) {
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
        assert.equal(r.stderr, '');
      }
      assert.equal(flag.stdout, version.stdout);
    });

    test('a JSON listing is parseable JSON on stdout, nothing on stderr', async () => {
      const r = await cli.spawn('pools', 'list', '-o', 'json');
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stderr, '');
      assert.deepEqual((JSON.parse(r.stdout) as Array<{ pool: string }>).map((p) => p.pool), ['default_pool']);
    });

    test('a failing command exits 1 with its error on stderr and nothing on stdout', async () => {
      const r = await cli.spawn('variables', 'get', 'nope');
      assert.equal(r.code, 1, show(r));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^error: Variable 'nope' does not exist/);
    });

    test('a usage error exits 2 and explains itself on stderr', async () => {
      const r = await cli.spawn('pools', 'list', '--no-such-option');
      assert.equal(r.code, 2, show(r));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /unknown option '--no-such-option'/);
    });

    test('a command that ends with a failure code but no error (dags test of a failing DAG) exits 1, its progress on stdout', async () => {
      const r = await cli.spawn('dags', 'test', 'cli_failing', '2024-01-02');
      assert.equal(r.code, 1, show(r));
      assert.match(r.stdout, /boom on purpose/);
    });

    test('run in-process (runCli), the same command returns its exit code and leaves process.exitCode and process.env alone', async () => {
      const exitCode = process.exitCode;
      const env = { ...process.env };
      const r = await cli.run('dags', 'test', 'cli_failing', '2024-01-02');
      assert.equal(r.code, 1, show(r));
      assert.match(r.stdout, /boom on purpose/);
      assert.equal(process.exitCode, exitCode);
      assert.deepEqual({ ...process.env }, env);
    });
  });
}
