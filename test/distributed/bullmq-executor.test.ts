/**
 * The BullMQ executor end to end on real PostgreSQL and Redis: tries reach workers through
 * Redis, results come back through the executor inbox, queues route tries to the workers that
 * take them, and a DAG file that differs between scheduler and worker fails the try clearly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import pg from 'pg';
import { createDagRun } from '../../src/scheduler/create-run.ts';
import { SerializedDagCache } from '../../src/scheduler/serialized-dags.ts';
import { openDatabase } from '../../src/store/index.ts';
import { startDistributed } from './helpers.ts';

const pipeline = `
import { dag, task } from 'baton';
export default dag({ id: 'pipe', schedule: null }, () => {
  const a = task({ taskId: 'extract' }, async () => 20);
  const b = task({ taskId: 'double' }, async (n: number) => n * 2);
  const c = task({ taskId: 'gpu_train', queue: 'gpu' }, async (n: number) => ({ n }));
  c(b(a()));
});`;

describe('BullMQ executor', () => {
  test('a run whose tries go through Redis to a worker succeeds, with XComs passed between tasks; the inbox is left empty', async () => {
    const h = await startDistributed({ 'pipe.ts': pipeline.replace(", queue: 'gpu'", '') });
    try {
      await h.inProcessWorker({ hostname: 'worker-a' });
      const runId = await h.trigger('pipe');
      assert.equal(await h.waitForRun('pipe', runId), 'success');
      const tis = await h.tis('pipe', runId);
      assert.deepEqual(tis.map((t) => [t.task_id, t.state, t.try_number]), [['double', 'success', 1], ['extract', 'success', 1], ['gpu_train', 'success', 1]]);
      const hosts = await h.db.selectFrom('task_instance').select(['hostname', 'executor']).where('run_id', '=', runId).execute();
      assert.ok(hosts.every((r) => r.hostname === 'worker-a' && r.executor === 'BullMQExecutor'), JSON.stringify(hosts));
      const x = await h.db.selectFrom('xcom').select('value').where('run_id', '=', runId).where('task_id', '=', 'gpu_train').executeTakeFirstOrThrow();
      assert.match(String(x.value), /"n":40/);
      await h.waitFor('the inbox to be empty', async () => (await h.db.selectFrom('executor_event').select('id').execute()).length === 0);
    } finally {
      await h.stop();
    }
  });

  test('a worker whose result write is held up hands its slot the next job meanwhile; the held result lands once the write goes through', async () => {
    const h = await startDistributed({
      'two.ts': `
import { dag, task } from 'baton';
export default dag({ id: 'two', schedule: null }, () => {
  task({ taskId: 'a' }, async () => 1)();
  task({ taskId: 'b' }, async () => 2)();
});`,
    });
    // Another session locks the inbox: no result can be written until it lets go.
    const blocker = new pg.Client({ connectionString: h.config.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table executor_event in exclusive mode');
      await h.inProcessWorker({ concurrency: 1 });
      const runId = await h.trigger('two');
      // The first try's result waits for the lock, its try still running (and heartbeating); the
      // worker's one slot has taken and claimed the other try meanwhile.
      await h.waitFor('both tries to be claimed by the one-slot worker', async () => {
        const tis = await h.tis('two', runId);
        return tis.length === 2 && tis.every((t) => t.state === 'running');
      }, 20_000);
      await blocker.query('commit');
      assert.equal(await h.waitForRun('two', runId), 'success');
      assert.deepEqual((await h.tis('two', runId)).map((t) => [t.task_id, t.state, t.try_number]), [['a', 'success', 1], ['b', 'success', 1]]);
    } finally {
      await blocker.end().catch(() => {});
      await h.stop();
    }
  });

  test("a task routed to queue 'gpu' waits until a worker for 'gpu' exists, then runs there", async () => {
    const h = await startDistributed({ 'pipe.ts': pipeline });
    try {
      await h.inProcessWorker({ hostname: 'cpu-box' });
      const runId = await h.trigger('pipe');
      await h.waitFor('double to succeed', async () => (await h.tis('pipe', runId)).find((t) => t.task_id === 'double')?.state === 'success');
      await new Promise((r) => setTimeout(r, 700));
      assert.equal((await h.tis('pipe', runId)).find((t) => t.task_id === 'gpu_train')?.state, 'queued');
      await h.inProcessWorker({ hostname: 'gpu-box', queues: ['gpu'] });
      assert.equal(await h.waitForRun('pipe', runId), 'success');
      const gpu = await h.db.selectFrom('task_instance').select('hostname').where('run_id', '=', runId).where('task_id', '=', 'gpu_train').executeTakeFirstOrThrow();
      assert.equal(gpu.hostname, 'gpu-box');
    } finally {
      await h.stop();
    }
  });

  test('a worker whose DAG file defines another version of the DAG fails the try, saying so', async () => {
    const one = `
import { dag, task } from 'baton';
export default dag({ id: 'versioned', schedule: null }, () => { task({ taskId: 'only' }, async () => 1)(); });`;
    const h = await startDistributed({ 'versioned.ts': one });
    try {
      const runId = await h.trigger('versioned');
      await h.waitFor('the try to be queued', async () => (await h.tis('versioned', runId))[0]?.state === 'queued');
      // The file changes on the worker's disk only: the scheduler keeps the version it parsed.
      const { writeFile } = await import('node:fs/promises');
      await writeFile(`${h.dagsDir}/versioned.ts`, one.replace("taskId: 'only' }", "taskId: 'only', retries: 0, owner: 'someone-else' }"));
      await h.inProcessWorker({ hostname: 'stale-box' });
      assert.equal(await h.waitForRun('versioned', runId), 'failed');
      const { readFileSync, readdirSync } = await import('node:fs');
      const logDir = `${h.config.logsFolder}/dag_id=versioned/run_id=${runId}/task_id=only`;
      const log = readdirSync(logDir).map((f) => readFileSync(`${logDir}/${f}`, 'utf8')).join('');
      assert.match(log, /defines another version of DAG 'versioned' than the scheduler knows/);
    } finally {
      await h.stop();
    }
  });

  test('SIGTERM-style stop lets a running try finish and report before the worker leaves', async () => {
    const slow = `
import { dag, task } from 'baton';
export default dag({ id: 'slow', schedule: null }, () => { task({ taskId: 'wait', retries: 0 }, async () => { await new Promise((r) => setTimeout(r, 1500)); return 'done'; })(); });`;
    const h = await startDistributed({ 'slow.ts': slow });
    try {
      const w = await h.inProcessWorker();
      const runId = await h.trigger('slow');
      await h.waitFor('the try to run', async () => (await h.tis('slow', runId))[0]?.state === 'running');
      await w.stop(10_000);
      const [ti] = await h.tis('slow', runId);
      assert.deepEqual([ti!.state === 'running' || ti!.state === 'success', ti!.try_number], [true, 1]);
      assert.equal(await h.waitForRun('slow', runId), 'success');
      assert.equal((await h.tis('slow', runId))[0]!.try_number, 1);
    } finally {
      await h.stop();
    }
  });

  test('a run triggered from another process starts at once: the database notifies the scheduler (its sweep is 30 s away)', async () => {
    const h = await startDistributed({ 'pipe.ts': pipeline.replace(", queue: 'gpu'", '') }, { BATON_HEARTBEAT_INTERVAL: '30' });
    try {
      await h.inProcessWorker();
      await new Promise((r) => setTimeout(r, 300));
      const other = await openDatabase({ url: h.config.databaseUrl });
      try {
        const dag = await new SerializedDagCache().require(other.db, 'pipe');
        const t0 = Date.now();
        const run = await other.db.transaction().execute((trx) => createDagRun(trx, { dag, runType: 'manual' }));
        // Well before the first sweep (30 s after start), even on a loaded machine.
        assert.equal(await h.waitForRun('pipe', run.runId, 20_000), 'success');
        assert.ok(Date.now() - t0 < 20_000);
      } finally {
        await other.close();
      }
    } finally {
      await h.stop();
    }
  });

  test("a worker killed mid-try is found by another worker's stalled-job check: the try fails and is retried long before the zombie threshold", async () => {
    const long = `
import { dag, task } from 'baton';
export default dag({ id: 'long', schedule: null }, () => { task({ taskId: 'work', retries: 1, retryDelay: 0 }, async (_: void, ctx) => { if (ctx.ti.tryNumber === 1) await new Promise((r) => setTimeout(r, 60_000)); return ctx.ti.tryNumber; })(); });`;
    const h = await startDistributed({ 'long.ts': long }, { BATON_ZOMBIE_THRESHOLD: '300' });
    const fixture = new URL('../fixtures/distributed/short-lock-worker.ts', import.meta.url).pathname;
    const doomed = spawn(process.execPath, ['--import', 'tsx', fixture], { env: h.env, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        doomed.stdout!.on('data', (d: Buffer) => d.toString().includes('worker ready') && resolve());
        doomed.once('exit', (c) => reject(new Error(`the worker exited (${c})`)));
      });
      const runId = await h.trigger('long');
      await h.waitFor('try 1 to run on the doomed worker', async () => {
        const ti = (await h.db.selectFrom('task_instance').select(['state', 'hostname']).where('run_id', '=', runId).executeTakeFirst());
        return ti?.state === 'running' && ti.hostname === 'doomed';
      });
      doomed.kill('SIGKILL');
      await h.inProcessWorker({ hostname: 'survivor', lockDurationMs: 1000, stalledIntervalMs: 500 });
      assert.equal(await h.waitForRun('long', runId, 60_000), 'success');
      const ti = await h.db.selectFrom('task_instance').select(['try_number', 'hostname']).where('run_id', '=', runId).executeTakeFirstOrThrow();
      assert.deepEqual([ti.try_number, ti.hostname], [2, 'survivor']);
      const first = await h.db.selectFrom('task_instance_history').select(['state', 'hostname']).where('run_id', '=', runId).where('try_number', '=', 1).executeTakeFirstOrThrow();
      assert.deepEqual([first.state, first.hostname], ['up_for_retry', 'doomed']);
    } finally {
      doomed.kill('SIGKILL');
      await h.stop();
    }
  });
});
