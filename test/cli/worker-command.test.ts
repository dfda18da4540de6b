/**
 * `baton worker` and `baton jobs check` from the command line: bad arguments and a database that
 * cannot be shared are refused with exit 2 and a clear message; an unreachable Redis or
 * PostgreSQL is reported with its URL, password masked, and retried instead of crashing;
 * `jobs check` tells a live worker from none.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dialectNamed } from '../support/databases.ts';
import { openCliEnv, ROOT, show, type CliEnv } from './cli-helpers.ts';

const postgres = dialectNamed('postgres');
const sqlite = dialectNamed('sqlite');

/** Runs `baton worker` until `until` matches its output, then stops it; returns what it printed and whether it was still alive. */
function watchWorker(env: NodeJS.ProcessEnv, until: RegExp, args: string[] = ['worker']): Promise<{ out: string; aliveWhenMatched: boolean }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/baton.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; output so far:\n${out}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) {
        clearTimeout(timer);
        const alive = child.exitCode === null;
        child.once('exit', () => resolve({ out, aliveWhenMatched: alive }));
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

describe('baton worker and baton jobs check', () => {
  let cli: CliEnv;
  before(async () => {
    cli = await openCliEnv(postgres, { BATON_EXECUTOR: 'bullmq', BATON_REDIS_PREFIX: `cli${process.pid}` });
  });
  after(async () => cli?.close());

  test('bad queue names and concurrency exit 2 saying what is wrong', async () => {
    const [queue, conc] = await Promise.all([cli.run('worker', '--queues', 'gpu,bad:name'), cli.run('worker', '--concurrency', '0')]);
    assert.equal(queue.code, 2, show(queue));
    assert.match(queue.stderr, /queue names are 1 to 100 letters.*"bad:name"/);
    assert.equal(conc.code, 2, show(conc));
    assert.match(conc.stderr, /--concurrency/);
  });

  test('a worker on SQLite is refused: workers on other machines need the shared PostgreSQL database', async () => {
    const lite = await openCliEnv(sqlite);
    try {
      const r = await lite.run('worker');
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, /baton worker needs PostgreSQL as the metadata database/);
    } finally {
      await lite.close();
    }
  });

  test('an unreachable Redis is reported with its URL, password masked, and retried while the worker stays up', async () => {
    const r = await watchWorker({ ...cli.env, BATON_REDIS_URL: 'redis://:hunter2@127.0.0.1:1' }, /is not reachable/);
    assert.match(r.out, /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 is not reachable .*retrying with backoff/);
    assert.doesNotMatch(r.out, /hunter2/);
    assert.ok(r.aliveWhenMatched);
  });

  test('a scheduler with the BullMQ executor and an unreachable Redis says so, password masked, and keeps running', async () => {
    const r = await watchWorker({ ...cli.env, BATON_REDIS_URL: 'redis://:hunter2@127.0.0.1:1' }, /is not reachable/, ['scheduler']);
    assert.match(r.out, /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 is not reachable .*retrying with backoff/);
    assert.doesNotMatch(r.out, /hunter2/);
    assert.ok(r.aliveWhenMatched);
  });

  test('a scheduler started before its PostgreSQL waits for it, naming it with the password masked', async () => {
    const r = await watchWorker({ ...cli.env, BATON_DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/baton' }, /trying again/, ['scheduler']);
    assert.match(r.out, /Could not connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/baton.*trying again/s);
    assert.doesNotMatch(r.out, /hunter2/);
    assert.ok(r.aliveWhenMatched);
  });

  test('an unreachable PostgreSQL is reported with its URL, password masked, and retried', async () => {
    const r = await watchWorker({ ...cli.env, BATON_DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/baton' }, /trying again/);
    assert.match(r.out, /Could not connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/baton.*trying again/s);
    assert.doesNotMatch(r.out, /hunter2/);
    assert.ok(r.aliveWhenMatched);
  });

  test('jobs check exits 1 with no live worker, 0 while one runs; a bad job type exits 2', async () => {
    const cli = await openCliEnv(postgres, { BATON_EXECUTOR: 'bullmq', BATON_REDIS_PREFIX: `jobs${process.pid}` });
    try {
      await jobsCheck(cli);
    } finally {
      await cli.close();
    }
  });
});

async function jobsCheck(cli: CliEnv): Promise<void> {
  {
    const none = await cli.run('jobs', 'check', '--job-type', 'worker');
    assert.equal(none.code, 1, show(none));
    assert.match(none.stderr, /No alive worker: found 0, need 1/);
    const bad = await cli.run('jobs', 'check', '--job-type', 'bogus');
    assert.equal(bad.code, 2, show(bad));
    let checked: Awaited<ReturnType<CliEnv['run']>> | undefined;
    const child = spawn(process.execPath, [join(ROOT, 'bin/baton.js'), 'worker', '--concurrency', '1'], { env: cli.env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('Baton worker is running') && resolve());
        child.once('exit', (c) => reject(new Error(`worker exited ${c}`)));
      });
      checked = await cli.run('jobs', 'check', '--job-type', 'worker', '--local');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    assert.equal(checked.code, 0, show(checked));
    assert.match(checked.stdout, /Found 1 alive worker on /);
  }
}
