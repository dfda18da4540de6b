import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eachDialect } from '../support/databases.ts';
import { openCliEnv, runJson, show, type CliEnv } from './cli-helpers.ts';

const day = (d: string) => `backfill__2024-01-${d}T00:00:00+00:00`;

for (const dialect of eachDialect()) {
  describe(`baton dags backfill and baton tasks on ${dialect.name}`, () => {
    let cli: CliEnv;
    before(async () => {
      // Each backfill run here starts an engine with BATON_PARALLELISM worker processes; runs of
      // two tasks need no more than 2, and fewer processes to start keep the file quick.
      cli = await openCliEnv(dialect, { BATON_PARALLELISM: '2' });
    });
    after(async () => {
      await cli?.close();
    });

    const runsOf = (dagId: string) =>
      cli.db.db.selectFrom('dag_run').select(['run_id', 'run_type', 'state', 'start_date']).where('dag_id', '=', dagId).orderBy('logical_date').execute();
    const tisOf = (dagId: string, runId: string) =>
      cli.db.db.selectFrom('task_instance').select(['task_id', 'state', 'try_number', 'max_tries']).where('dag_id', '=', dagId).where('run_id', '=', runId).orderBy('task_id').execute();

    const backfills = () => cli.db.db.selectFrom('backfill').selectAll().orderBy('id').execute();
    const countByDate = async (dagId: string) => {
      const rows = await cli.db.db.selectFrom('dag_run').select(['logical_date']).where('dag_id', '=', dagId).execute();
      const n = new Map<string, number>();
      for (const r of rows) n.set(r.logical_date, (n.get(r.logical_date) ?? 0) + 1);
      return [...n.values()];
    };

    test('backfill refuses missing or malformed dates and options with exit 2, and changes nothing', async () => {
      const [noEnd, badDate, reversed, badBehavior, badMax, reset] = await Promise.all([
        cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-01'),
        cli.run('dags', 'backfill', 'cli_daily', '-s', 'yesterday', '-e', '2024-01-03'),
        cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-03', '-e', '2024-01-01'),
        cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-01', '-e', '2024-01-03', '--reprocess-behavior', 'sometimes'),
        cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-01', '-e', '2024-01-03', '--max-active-runs', '0'),
        cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-01', '-e', '2024-01-03', '--reset-dagruns', '-y'),
      ]);
      assert.equal(noEnd.code, 2, show(noEnd));
      assert.match(noEnd.stderr, /needs both --start-date/);
      assert.equal(badDate.code, 2, show(badDate));
      assert.match(badDate.stderr, /--start-date "yesterday" is not a date/);
      assert.equal(reversed.code, 2, show(reversed));
      assert.equal(badBehavior.code, 2, show(badBehavior));
      assert.match(badBehavior.stderr, /--reprocess-behavior must be one of none, failed, completed \(got "sometimes"\)/);
      assert.equal(badMax.code, 2, show(badMax));
      assert.match(badMax.stderr, /--max-active-runs must be an integer ≥ 1/);
      assert.equal(reset.code, 2, show(reset));
      assert.match(reset.stderr, /--reset-dagruns was replaced by --reprocess-behavior: use --reprocess-behavior completed/);
      assert.deepEqual(await backfills(), []);
      assert.deepEqual(await runsOf('cli_daily'), []);
    });

    test('backfill --dry-run lists one run per daily interval and what it would do, and creates nothing', async () => {
      const plan = await runJson(cli, 'dags', 'backfill', 'cli_daily', '-s', '2024-01-01', '-e', '2024-01-03', '--dry-run');
      assert.deepEqual(plan.map((p) => [p.run_id, p.data_interval_start, p.data_interval_end, p.action]), [
        [day('01'), '2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z', 'create'],
        [day('02'), '2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z', 'create'],
        [day('03'), '2024-01-03T00:00:00.000Z', '2024-01-04T00:00:00.000Z', 'create'],
      ]);
      const backwards = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-01', '-e', '2024-01-03', '--dry-run', '--run-backwards', '-o', 'plain');
      assert.equal(backwards.code, 0, show(backwards));
      assert.deepEqual(backwards.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]), ['2024-01-03T00:00:00.000Z', '2024-01-02T00:00:00.000Z', '2024-01-01T00:00:00.000Z']);
      const table = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-01', '-e', '2024-01-03', '--dry-run');
      assert.match(table.stdout, /Dry run of a backfill of 'cli_daily' \(2024-01-01T00:00:00.000Z to 2024-01-03T00:00:00.000Z, reprocess behavior none, max active runs 10\): 3 run\(s\) to create, 0 to reprocess, 0 skipped; nothing was changed\./);
      assert.deepEqual(await runsOf('cli_daily'), []);
      assert.deepEqual(await backfills(), []);
    });

    test('backfill over 3 daily intervals creates 3 backfill runs and, with no scheduler running, runs them to success', async () => {
      const r = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-01', '-e', '2024-01-03');
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /No scheduler is running: running 3 backfill run\(s\) here/);
      assert.match(r.stdout, /\[backfill progress\] \| finished run 3 of 3 \| tasks succeeded: 6/);
      assert.match(r.stdout, /Backfill finished: all 3 run\(s\) succeeded\./);
      assert.deepEqual((await runsOf('cli_daily')).map((x) => [x.run_id, x.run_type, x.state]), [
        [day('01'), 'backfill', 'success'],
        [day('02'), 'backfill', 'success'],
        [day('03'), 'backfill', 'success'],
      ]);
      const listed = await runJson(cli, 'dags', 'list-runs', '-d', 'cli_daily', '--state', 'success');
      assert.equal(listed.length, 3);
      assert.deepEqual(await runJson(cli, 'dags', 'list-runs', '-d', 'cli_daily', '--no-backfill'), []);
      const [b] = await backfills();
      assert.deepEqual([b!.dag_id, b!.from_date, b!.to_date, b!.reprocess_behavior, b!.max_active_runs, b!.run_backwards, b!.is_paused], ['cli_daily', '2024-01-01T00:00:00.000Z', '2024-01-03T00:00:00.000Z', 'none', 10, 0, 0]);
      assert.ok(b!.completed_at, 'the scheduler completed the backfill');
      const runs = await cli.db.db.selectFrom('dag_run').select(['run_id', 'backfill_id']).where('dag_id', '=', 'cli_daily').execute();
      assert.ok(runs.every((x) => x.backfill_id === b!.id), 'every run belongs to the backfill');
      const logged = await cli.db.db.selectFrom('log').select('extra').where('event', '=', 'cli_dag_backfill').execute();
      assert.equal(JSON.parse(logged[0]!.extra!).backfill_id, b!.id);
    });

    test('backfill skips runs that already exist in the range (reprocess behavior none) and runs only the new one', async () => {
      const r = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-03', '-e', '2024-01-04');
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /1 run\(s\) to create, 0 to reprocess, 1 skipped/);
      assert.match(r.stdout, /skip \(already exists: success run\)/);
      assert.match(r.stdout, /all 1 run\(s\) succeeded/);
      assert.equal((await runsOf('cli_daily')).length, 4);
    });

    test('a backfill whose every date already has a run creates no run, completes at once and says so', async () => {
      const r = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-01', '-e', '2024-01-02');
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /0 run\(s\) to create, 0 to reprocess, 2 skipped/);
      assert.match(r.stdout, /Nothing to run: every date already has a run\./);
      assert.ok((await backfills()).every((b) => b.completed_at));
      assert.ok((await countByDate('cli_daily')).every((n) => n === 1));
    });

    test('backfill runs a paused DAG, as Airflow does, and leaves it paused', async () => {
      assert.equal((await cli.run('dags', 'pause', 'cli_daily')).code, 0);
      const r = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-09', '-e', '2024-01-09');
      assert.equal(r.code, 0, show(r));
      const runs = await runsOf('cli_daily');
      assert.deepEqual(runs.filter((x) => x.run_id === day('09')).map((x) => x.state), ['success']);
      const dag = await cli.db.db.selectFrom('dag').select('is_paused').where('dag_id', '=', 'cli_daily').executeTakeFirstOrThrow();
      assert.equal(dag.is_paused, 1);
      assert.equal((await cli.run('dags', 'unpause', 'cli_daily')).code, 0);
    });

    test('tasks states-for-dag-run lists each task instance with its state and try', async () => {
      const rows = await runJson(cli, 'tasks', 'states-for-dag-run', 'cli_daily', day('01'));
      assert.deepEqual(rows.map((x) => [x.task_id, x.map_index, x.state, x.try_number]), [['extract', -1, 'success', 1], ['load', -1, 'success', 1]]);
      assert.ok(rows.every((x) => typeof x.duration === 'number' && x.start_date && x.end_date));
      const unknown = await cli.run('tasks', 'states-for-dag-run', 'cli_daily', 'no_run');
      assert.equal(unknown.code, 1, show(unknown));
      assert.match(unknown.stderr, /DAG 'cli_daily' has no run with id 'no_run'/);
    });

    test("tasks logs prints the latest try's log, and names the missing file for a try that did not happen", async () => {
      const [log, missing, noTask] = await Promise.all([
        cli.run('tasks', 'logs', 'cli_daily', day('02'), 'load'),
        cli.run('tasks', 'logs', 'cli_daily', day('02'), 'load', '--try', '2'),
        cli.run('tasks', 'logs', 'cli_daily', day('02'), 'nope'),
      ]);
      assert.equal(log.code, 0, show(log));
      assert.match(log.stdout, /loaded 3 rows/);
      assert.equal(missing.code, 1, show(missing));
      const path = join(cli.home, 'logs', 'dag_id=cli_daily', `run_id=${day('02')}`, 'task_id=load', 'attempt=2.log');
      assert.equal(missing.stderr, `error: no log for that try: ${path} does not exist\n`);
      assert.equal(noTask.code, 1, show(noTask));
      assert.match(noTask.stderr, /DAG 'cli_daily' has no task 'nope'; its tasks: extract, load/);
    });

    test('backfill exits 1 when a run fails', async () => {
      const r = await cli.run('dags', 'backfill', 'cli_failing', '-s', '2024-01-05', '-e', '2024-01-05');
      assert.equal(r.code, 1, show(r));
      assert.match(r.stdout, /Backfill finished: 1 of 1 run\(s\) did not succeed\./);
      assert.deepEqual((await tisOf('cli_failing', day('05'))).map((t) => [t.task_id, t.state]), [['boom', 'failed'], ['ok', 'success']]);
    });

    test('tasks clear without -y lists what it would clear and changes nothing', async () => {
      const r = await cli.run('tasks', 'clear', 'cli_failing', '--only-failed');
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /cli_failing \| backfill__2024-01-05T00:00:00\+00:00 \| boom\s+\| -1\s+\| failed/);
      assert.doesNotMatch(r.stdout, /\| ok /);
      assert.match(r.stdout, /Nothing was cleared: run again with -y/);
      assert.equal((await tisOf('cli_failing', day('05')))[0]!.state, 'failed');
      assert.equal((await runsOf('cli_failing'))[0]!.state, 'failed');
    });

    test('tasks clear --only-failed -y resets the failed task (try kept, max tries raised) and queues its run again', async () => {
      const r = await cli.run('tasks', 'clear', 'cli_failing', '-f', '-y');
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /Cleared 1 task instance\(s\); 1 finished run\(s\) set back to queued\./);
      assert.deepEqual(await tisOf('cli_failing', day('05')), [
        { task_id: 'boom', state: 'none', try_number: 1, max_tries: 1 },
        { task_id: 'ok', state: 'success', try_number: 1, max_tries: 0 },
      ]);
      const [run] = await runsOf('cli_failing');
      assert.equal(run!.state, 'queued');
      assert.equal(run!.start_date, null);
      const logged = await cli.db.db.selectFrom('log').select(['dag_id', 'extra']).where('event', '=', 'cli_task_clear').execute();
      assert.equal(logged.length, 1);
      assert.equal(JSON.parse(logged[0]!.extra!).cleared, 1);
    });

    test('tasks clear --downstream clears the matched task and the tasks after it, and deletes their XComs', async () => {
      const xcoms = () => cli.db.db.selectFrom('xcom').select('task_id').where('dag_id', '=', 'cli_daily').where('run_id', '=', day('01')).execute();
      assert.deepEqual((await xcoms()).map((x) => x.task_id).sort(), ['extract', 'load']);
      const r = await cli.run('tasks', 'clear', 'cli_daily', '-t', '^extract$', '--downstream', '-s', '2024-01-01', '-e', '2024-01-01', '-y');
      assert.equal(r.code, 0, show(r));
      assert.deepEqual((await tisOf('cli_daily', day('01'))).map((t) => [t.task_id, t.state, t.try_number]), [['extract', 'none', 1], ['load', 'none', 1]]);
      assert.deepEqual(await xcoms(), []);
      assert.equal((await tisOf('cli_daily', day('02')))[0]!.state, 'success');
      const noMatch = await cli.run('tasks', 'clear', 'cli_daily', '-t', '^nothing$');
      assert.equal(noMatch.code, 1, show(noMatch));
      assert.match(noMatch.stderr, /no task of DAG 'cli_daily' matches --task-regex/);
    });

    test('--reprocess-behavior failed runs only the failed run again; completed runs finished ones again; never a second run for a date', async () => {
      // Jan 1 failed (as if its load task had failed), Jan 2 succeeded.
      await cli.db.db.updateTable('dag_run').set({ state: 'failed' }).where('dag_id', '=', 'cli_daily').where('run_id', '=', day('01')).execute();
      await cli.db.db.updateTable('task_instance').set({ state: 'failed' }).where('dag_id', '=', 'cli_daily').where('run_id', '=', day('01')).where('task_id', '=', 'load').execute();
      const failedOnly = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-01', '-e', '2024-01-02', '--reprocess-behavior', 'failed');
      assert.equal(failedOnly.code, 0, show(failedOnly));
      assert.match(failedOnly.stdout, /0 run\(s\) to create, 1 to reprocess, 1 skipped/);
      assert.match(failedOnly.stdout, /reprocess \(failed run\)/);
      assert.match(failedOnly.stdout, /all 1 run\(s\) succeeded/);
      assert.deepEqual((await tisOf('cli_daily', day('01'))).map((t) => [t.task_id, t.state]), [['extract', 'success'], ['load', 'success']]);
      const tries02 = (await tisOf('cli_daily', day('02'))).map((t) => t.try_number);

      const completed = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-01', '-e', '2024-01-02', '--reprocess-behavior', 'completed', '--max-active-runs', '1');
      assert.equal(completed.code, 0, show(completed));
      assert.match(completed.stdout, /0 run\(s\) to create, 2 to reprocess, 0 skipped/);
      assert.match(completed.stdout, /all 2 run\(s\) succeeded/);
      assert.deepEqual((await tisOf('cli_daily', day('02'))).map((t) => t.try_number), tries02.map((n) => n + 1), 'the successful run ran again');
      const last = (await backfills()).at(-1)!;
      assert.deepEqual([last.reprocess_behavior, last.max_active_runs], ['completed', 1]);
      assert.ok((await countByDate('cli_daily')).every((n) => n === 1), 'never a second run for a date');
    });

    test('a paused DAG: its backfill runs, including a reprocessed run that was not a backfill run, run to the end; the DAG stays paused', async () => {
      const trig = await cli.run('dags', 'trigger', 'cli_daily', '-e', '2024-01-12', '-r', 'manual_jan12');
      assert.equal(trig.code, 0, show(trig));
      await cli.db.db.updateTable('dag_run').set({ state: 'failed' }).where('run_id', '=', 'manual_jan12').execute();
      assert.equal((await cli.run('dags', 'pause', 'cli_daily')).code, 0);
      try {
        const r = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-11', '-e', '2024-01-12', '--reprocess-behavior', 'failed');
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /1 run\(s\) to create, 1 to reprocess, 0 skipped/);
        const runs = await runsOf('cli_daily');
        assert.deepEqual(runs.filter((x) => x.run_id === day('11') || x.run_id === 'manual_jan12').map((x) => [x.run_id, x.run_type, x.state]), [[day('11'), 'backfill', 'success'], ['manual_jan12', 'manual', 'success']]);
        assert.equal((await cli.db.db.selectFrom('dag').select('is_paused').where('dag_id', '=', 'cli_daily').executeTakeFirstOrThrow()).is_paused, 1);
      } finally {
        assert.equal((await cli.run('dags', 'unpause', 'cli_daily')).code, 0);
      }
    });

    test('backfill leaves its runs to a scheduler that is heartbeating, and returns at once', async () => {
      const now = new Date().toISOString();
      const job = await cli.db.db
        .insertInto('job')
        .values({ job_type: 'scheduler', state: 'running', hostname: 'another-host', pid: 1, start_date: now, latest_heartbeat: now, end_date: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      try {
        const r = await cli.run('dags', 'backfill', 'cli_daily', '-s', '2024-01-06', '-e', '2024-01-06');
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, new RegExp(`A scheduler is running \\(job ${job.id}, another-host pid 1\\): it runs the backfill`));
        const run = (await runsOf('cli_daily')).find((x) => x.run_id === day('06'));
        assert.equal(run?.state, 'queued');
      } finally {
        await cli.db.db.updateTable('job').set({ state: 'success', end_date: new Date().toISOString() }).where('id', '=', job.id).execute();
      }
    });
  });
}
