import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalExecutor } from '../../src/executors/local/index.ts';
import type { ExecutorEvent } from '../../src/executors/executor.ts';
import { BROKEN_DAG, EventRecorder, fakeServices, logsDir, tempDir, workload } from './helpers.ts';

const TIMESTAMP = String.raw`\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\]`;

describe('LocalExecutor running tries', { timeout: 120_000 }, () => {
  const logs = logsDir();
  const events = new EventRecorder();
  const services = fakeServices({
    xcoms: [{ taskId: 'producer', mapIndex: -1, key: 'return_value', value: 41 }],
    variables: { greeting: 'hello', settings: '{"level":3}' },
    connections: [{ connId: 'warehouse', connType: 'postgres', host: 'db.internal', login: null, password: null, schema: null, port: 5432, extra: {} }],
  });
  const executor = new LocalExecutor({ parallelism: 2, hostname: 'test-host' });

  before(() => executor.start(events.onEvent, services));
  after(() => executor.stop(0));

  test('is named LocalExecutor and offers one slot per idle worker', () => {
    assert.equal(executor.name, 'LocalExecutor');
    assert.equal(executor.openSlots(), 2);
  });

  test('a no-op task succeeds and its finished event carries the return value as an XCom', async () => {
    const w = workload(logs, 'noop');
    executor.queue(w);
    const finished = await events.next('finished', 'noop', w.key.runId);
    assert.equal(finished.result.state, 'success');
    assert.equal(finished.result.error, null);
    assert.deepEqual(finished.result.xcoms, [{ key: 'return_value', value: '42' }]);
    assert.equal(finished.tryNumber, 1);
    assert.deepEqual(finished.key, w.key);
  });

  test('a started event, with the worker pid and the configured hostname, comes before finished', async () => {
    const w = workload(logs, 'noop');
    executor.queue(w);
    await events.next('finished', 'noop', w.key.runId);
    const kinds = events.of(w.key.runId).map((e) => e.kind);
    assert.deepEqual(kinds, ['started', 'finished']);
    const started = events.of(w.key.runId)[0] as Extract<ExecutorEvent, { kind: 'started' }>;
    assert.equal(started.hostname, 'test-host');
    assert.ok(Number.isInteger(started.pid) && started.pid !== process.pid);
    assert.ok(!Number.isNaN(Date.parse(started.at)));
  });

  test('an XCom pull goes through the services, for the DAG run of the try', async () => {
    const w = workload(logs, 'pull_upstream');
    executor.queue(w);
    const finished = await events.next('finished', 'pull_upstream', w.key.runId);
    assert.equal(finished.result.state, 'success', finished.result.error ?? '');
    assert.deepEqual(finished.result.xcoms, [{ key: 'return_value', value: '42' }]);
    const pulls = services.calls.filter((c) => c.method === 'pullXComs').map((c) => c.args as { dagId: string; runId: string; taskIds: string[] });
    assert.ok(pulls.some((q) => q.dagId === 'exec_tasks' && q.runId === w.key.runId && q.taskIds.includes('producer')));
  });

  test('variables and connections come from the services (a missing variable is undefined)', async () => {
    const w = workload(logs, 'read_secrets');
    executor.queue(w);
    const finished = await events.next('finished', 'read_secrets', w.key.runId);
    assert.equal(finished.result.state, 'success', finished.result.error ?? '');
    assert.deepEqual(JSON.parse(finished.result.xcoms[0]!.value), { greeting: 'hello', level: 3, missing: true, host: 'db.internal' });
  });

  test('a failing service call reaches the task as an error that says where it failed', async () => {
    const w = workload(logs, 'reads_failing_variable');
    executor.queue(w);
    const finished = await events.next('finished', 'reads_failing_variable', w.key.runId);
    assert.equal(finished.result.state, 'failed');
    assert.match(finished.result.error ?? '', /getVariable failed in the executor: the metadata database is down/);
  });

  test("the log file holds the task's log lines and its stdout/stderr output, each line timestamped", async () => {
    const w = workload(logs, 'chatty');
    executor.queue(w);
    const finished = await events.next('finished', 'chatty', w.key.runId);
    assert.equal(finished.result.state, 'success');
    const log = readFileSync(w.logPath, 'utf8');
    for (const line of ['INFO - hello from the task log', 'WARNING - careful: 3 things', 'STDOUT - printed to stdout', 'STDERR - printed to stderr', 'STDOUT - two', 'STDOUT - lines']) {
      assert.match(log, new RegExp(`^${TIMESTAMP} ${line}$`, 'm'), `missing "${line}" in:\n${log}`);
    }
    assert.match(log, new RegExp(`^${TIMESTAMP} INFO - Running try 1 of exec_tasks\\.chatty .* on test-host`, 'm'));
    for (const line of log.trimEnd().split('\n')) assert.match(line, new RegExp(`^${TIMESTAMP} (DEBUG|INFO|WARNING|ERROR|STDOUT|STDERR) - `));
  });

  test('a task that throws finishes up_for_retry while it has retries left, then failed', async () => {
    const first = workload(logs, 'throws', { maxTries: 1, tryNumber: 1 });
    executor.queue(first);
    const r1 = (await events.next('finished', 'throws', first.key.runId)).result;
    assert.equal(r1.state, 'up_for_retry');
    assert.match(r1.error ?? '', /boom from the task/);
    const second = workload(logs, 'throws', { maxTries: 1, tryNumber: 2, key: first.key });
    executor.queue(second);
    const finished = await events.next('finished', 'throws', first.key.runId, 2);
    assert.equal(finished.result.state, 'failed');
    assert.match(readFileSync(second.logPath, 'utf8'), /ERROR - Task failed with exception: Error: boom from the task/);
  });

  test('a DAG file that fails to import fails the try with the import error (the worker survives)', async () => {
    const w = workload(logs, 'never', { dagFile: BROKEN_DAG, key: { dagId: 'exec_broken', runId: 'broken_run', taskId: 'never', mapIndex: -1 } });
    executor.queue(w);
    const finished = await events.next('finished', 'never', 'broken_run');
    assert.equal(finished.result.state, 'failed');
    assert.match(finished.result.error ?? '', /could not import the DAG file .*broken\.ts: .*this DAG file is broken on purpose/s);
    assert.match(readFileSync(w.logPath, 'utf8'), /ERROR - could not import the DAG file/);
    assert.ok(!events.events.some((e) => e.kind === 'lost'));
  });

  test('a DAG id the file does not define fails the try, naming the DAGs it does define', async () => {
    const w = workload(logs, 'noop', { key: { dagId: 'not_here', runId: 'missing_dag_run', taskId: 'noop', mapIndex: -1 } });
    executor.queue(w);
    const finished = await events.next('finished', 'noop', 'missing_dag_run');
    assert.equal(finished.result.state, 'failed');
    assert.match(finished.result.error ?? '', /does not define DAG 'not_here' \(it defines 'exec_tasks', 'exec_unsendable'\)/);
  });

  test('a changed DAG file is imported again for the next try', async () => {
    const dir = tempDir('baton-executor-dag-');
    const file = join(dir, 'changing.ts');
    const source = (n: number) => `import { dag, task } from 'baton';\nexport default dag({ id: 'changing', schedule: null }, () => { task('value', async () => ${n})(); });\n`;
    const runOnce = async (runId: string) => {
      executor.queue(workload(logs, 'value', { dagFile: file, key: { dagId: 'changing', runId, taskId: 'value', mapIndex: -1 } }));
      return (await events.next('finished', 'value', runId)).result;
    };
    writeFileSync(file, source(1));
    utimesSync(file, new Date(), new Date(Date.now() - 60_000));
    assert.deepEqual((await runOnce('changing_1')).xcoms, [{ key: 'return_value', value: '1' }]);
    writeFileSync(file, source(2));
    utimesSync(file, new Date(), new Date());
    // Both workers may serve the next tries: each must see the new version.
    const results = await Promise.all([runOnce('changing_2'), runOnce('changing_3')]);
    for (const r of results) assert.deepEqual(r.xcoms, [{ key: 'return_value', value: '2' }]);
  });

  test('rendered fields the channel cannot carry (a function) are sent in JSON form and the try still succeeds', async () => {
    const w = workload(logs, 'with_callback_arg', { key: { dagId: 'exec_unsendable', runId: 'unsendable_run', taskId: 'with_callback_arg', mapIndex: -1 } });
    executor.queue(w);
    const finished = await events.next('finished', 'with_callback_arg', 'unsendable_run');
    assert.equal(finished.result.state, 'success', finished.result.error ?? '');
    assert.deepEqual(finished.result.renderedFields, { opArgs: [], opKwargs: { callback: '[function callback]' } });
  });

  test('queue() rejects a malformed workload, saying which field is wrong, without using a worker', () => {
    const bad = { ...workload(logs, 'noop'), run: { ...workload(logs, 'noop').run, logicalDate: 'yesterday' } };
    assert.throws(() => executor.queue(bad), /cannot run this workload: run\.logicalDate must be an ISO date string/);
    assert.equal(executor.openSlots(), 2);
    assert.deepEqual(executor.activeKeys(), []);
  });

  test('queue() refuses a task instance that is already running here', async () => {
    const w = workload(logs, 'sleeps', { params: { ms: 200 } });
    executor.queue(w);
    assert.throws(() => executor.queue(w), /already running task 'sleeps'/);
    await events.next('finished', 'sleeps', w.key.runId);
  });

  test('200 no-op tries through 2 workers all finish successfully, each started before finished', async () => {
    const total = 200;
    const runIds = Array.from({ length: total }, (_, i) => `bulk_${i}`);
    let queued = 0;
    let finished = 0;
    const pump = () => {
      while (queued < total && executor.openSlots() > 0) {
        const runId = runIds[queued++]!;
        executor.queue(workload(logs, 'noop', { key: { dagId: 'exec_tasks', runId, taskId: 'noop', mapIndex: -1 } }));
      }
    };
    await new Promise<void>((resolve, reject) => {
      const stop = events.listen((e) => {
        if (e.kind === 'slots' || !e.key.runId.startsWith('bulk_') || e.kind === 'started') return;
        if (e.kind === 'lost') return reject(new Error(`a no-op try was lost: ${e.reason}`));
        if (++finished === total) {
          stop();
          resolve();
        } else pump();
      });
      pump();
    });
    const pids = new Set<number>();
    for (const runId of runIds) {
      const mine = events.of(runId);
      assert.deepEqual(mine.map((e) => e.kind), ['started', 'finished'], runId);
      assert.equal((mine[1] as Extract<ExecutorEvent, { kind: 'finished' }>).result.state, 'success');
      pids.add((mine[0] as Extract<ExecutorEvent, { kind: 'started' }>).pid);
    }
    assert.ok(pids.size <= 2, `tries ran in ${pids.size} processes, expected at most 2`);
    assert.equal(executor.openSlots(), 2);
    assert.deepEqual(executor.activeKeys(), []);
  });
});
