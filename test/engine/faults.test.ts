/**
 * Faults lose no work: a worker killed with SIGKILL is detected and its task retried; a
 * scheduler killed with SIGKILL mid-run and restarted completes the run without running any
 * finished task again; a broken DAG file becomes an import error while other DAGs keep running.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDatabase, type BatonDb } from '../../src/store/index.ts';
import { eachDialect } from '../support/databases.ts';
import { createDagRun } from '../../src/scheduler/create-run.ts';
import { SerializedDagCache } from '../../src/scheduler/serialized-dags.ts';
import { sql } from 'kysely';
import { startHarness, type EngineHarness } from '../support/engine-harness.ts';

const BIN = new URL('../../bin/baton.js', import.meta.url).pathname;

const chainDag = (marks: string) => `
import { dag, task, chain } from 'baton';
import { appendFileSync } from 'node:fs';
export default dag({ id: 'chain5', schedule: null }, () => {
  const steps = [1, 2, 3, 4, 5].map((i) =>
    task({ taskId: 'step' + i, retries: 2, retryDelay: 0 }, async (_: void, ctx) => {
      appendFileSync(${JSON.stringify(marks)}, 'start ' + ctx.task.taskId + ' try ' + ctx.ti.tryNumber + '\\n');
      await new Promise((r) => setTimeout(r, i === 3 ? 3000 : 50));
      appendFileSync(${JSON.stringify(marks)}, 'end ' + ctx.task.taskId + '\\n');
      return i;
    })(),
  );
  chain(...steps);
});`;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false | null>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startScheduler(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'scheduler'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', () => {});
  return child;
}

for (const dialect of eachDialect()) {
  describe(`faults on ${dialect.name}`, () => {
    test('a worker killed with SIGKILL is detected at once and its task is retried; the run completes', async () => {
      const h = await startHarness(dialect, {
        'victim.ts': `
import { dag, task } from 'baton';
export default dag({ id: 'victim', schedule: null }, () => {
  const v = task({ taskId: 'victim', retries: 1, retryDelay: 0 }, async (_: void, ctx) => {
    if (ctx.ti.tryNumber === 1) await new Promise((r) => setTimeout(r, 60_000));
    return ctx.ti.tryNumber;
  });
  const after = task('after', async (n: number) => n);
  after(v());
});`,
      });
      try {
        const runId = await h.trigger('victim');
        const pid = await h.waitFor('the victim to run', async () => {
          const r = await h.db.selectFrom('task_instance').select(['state', 'pid']).where('run_id', '=', runId).where('task_id', '=', 'victim').executeTakeFirst();
          return r?.state === 'running' && r.pid ? r.pid : undefined;
        });
        process.kill(pid, 'SIGKILL');
        assert.equal(await h.waitForRun('victim', runId), 'success');
        const tis = Object.fromEntries((await h.tis('victim', runId)).map((t) => [t.task_id, t]));
        assert.equal(tis.victim!.try_number, 2);
        assert.equal(tis.after!.state, 'success');
      } finally {
        await h.stop();
      }
    });

    test('a scheduler killed with SIGKILL mid-run and restarted completes the run; no finished task runs again', async () => {
      const db0 = await dialect.open();
      const url = db0.url;
      await db0.close();
      const home = await mkdtemp(join(tmpdir(), 'baton-kill-'));
      const dags = join(home, 'dags');
      await mkdir(dags);
      const marks = join(home, 'marks.log');
      appendFileSync(marks, '');
      await writeFile(join(dags, 'chain5.ts'), chainDag(marks));
      const env = { ...process.env, BATON_HOME: home, BATON_DAGS_FOLDER: dags, BATON_DATABASE_URL: url, BATON_DAGS_ARE_PAUSED_AT_CREATION: 'false', BATON_PARALLELISM: '2', BATON_HEARTBEAT_INTERVAL: '0.5', BATON_ZOMBIE_THRESHOLD: '5' };
      let sched = startScheduler(env);
      let db: BatonDb | null = null;
      try {
        await waitFor('the DAG to be loaded', async () => {
          const probe = await openDatabase({ url });
          try {
            return await probe.db.selectFrom('serialized_dag').select('dag_id').where('dag_id', '=', 'chain5').executeTakeFirst().catch(() => undefined);
          } finally {
            await probe.close();
          }
        });
        db = await openDatabase({ url });
        const dag = await new SerializedDagCache().require(db.db, 'chain5');
        await db.db.transaction().execute((trx) => createDagRun(trx, { dag, runType: 'manual', runId: 'killme' }));
        await waitFor('step3 to start', async () => readFileSync(marks, 'utf8').includes('start step3'));
        sched.kill('SIGKILL');
        await new Promise((r) => sched.on('exit', r));
        sched = startScheduler(env);
        const state = await waitFor('the run to finish', async () => {
          const r = await db!.db.selectFrom('dag_run').select('state').where('run_id', '=', 'killme').executeTakeFirst();
          return r && (r.state === 'success' || r.state === 'failed') ? r.state : undefined;
        }, 60_000);
        assert.equal(state, 'success');
        const lines = readFileSync(marks, 'utf8').trim().split('\n');
        for (const step of ['step1', 'step2', 'step4', 'step5']) {
          assert.equal(lines.filter((l) => l.startsWith(`start ${step} `)).length, 1, `${step} ran exactly once`);
        }
        assert.equal(lines.filter((l) => l === 'end step3').length, 1, 'the interrupted step finished once, on its retry');
      } finally {
        sched.kill('SIGKILL');
        await db?.close();
        if (dialect.name === 'postgres') await dropPg(url);
        await rm(home, { recursive: true, force: true });
      }
    });

    test('a broken DAG file becomes an import error while the other DAGs keep running, also when a file breaks later', async () => {
      const good = `import { dag, task } from 'baton';\nexport default dag({ id: 'good', schedule: null }, () => { task('t', async () => 1)(); });\n`;
      // The per-file timeout is long enough for a good file to import on a busy machine (test
      // files run side by side), and short enough that the hanging one is given up soon.
      const h = await startHarness(dialect, {
        'good.ts': good,
        'other.ts': good.replace("'good'", "'other'"),
        'broken.ts': `import { dag } from 'baton';\nthrow new Error('this file is broken on purpose');\n`,
        // Never finishes importing, without keeping a core busy while the processor waits it out.
        'hangs.ts': `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);\n`,
      }, { env: { BATON_DAG_FILE_PROCESSOR_TIMEOUT: '6' } });
      try {
        const errors = await h.db.selectFrom('import_error').select(['filename', 'stacktrace', 'line']).orderBy('filename').execute();
        assert.deepEqual(errors.map((e) => e.filename.split('/').pop()), ['broken.ts', 'hangs.ts']);
        assert.match(errors[0]!.stacktrace, /broken on purpose/);
        assert.equal(errors[0]!.line, 2);
        assert.equal(await h.waitForRun('good', await h.trigger('good')), 'success');
        await h.writeDag('good.ts', 'this is not TypeScript (');
        const broken = await h.db.selectFrom('import_error').select('filename').execute();
        assert.ok(broken.some((e) => e.filename.endsWith('/good.ts')), 'the newly broken file is reported');
        assert.equal((await h.db.selectFrom('dag').select('is_active').where('dag_id', '=', 'good').executeTakeFirst())!.is_active, 1, 'its DAG is not dropped');
        assert.equal(await h.waitForRun('other', await h.trigger('other')), 'success', 'the scheduler keeps running other DAGs');
      } finally {
        await h.stop();
      }
    });
  });
}

async function dropPg(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = await openDatabase({ url: url.replace(/\/[^/]+$/, '/postgres') });
  try {
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.db);
  } catch {
    /* best effort */
  } finally {
    await admin.close();
  }
}
