/**
 * Distributed mode under faults, on real PostgreSQL and Redis: work resumes with nothing lost and
 * no recorded try run again after a worker and a scheduler are killed with SIGKILL, Redis
 * restarts and every PostgreSQL connection to its database is terminated. Restarting Redis
 * disturbs every other user of the server, so `npm test` runs this file in its Redis lane, one
 * file at a time.
 */
import assert from 'node:assert/strict';
import { execSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { allRunsDone, lines, startDistributed, startScheduler } from './helpers.ts';

const REDIS_START = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

describe('distributed mode: exactly once under faults', () => {
  test('kill -9 of a worker and of a scheduler, a Redis restart and terminated PostgreSQL connections: every task succeeds, none recorded is run again', async () => {
    const h = await startDistributed({}, { BATON_ZOMBIE_THRESHOLD: '3' });
    const marks = join(h.home, 'marks.txt');
    const children: ChildProcess[] = [];
    try {
      await h.writeDag('steady.ts', `
import { dag, task } from 'baton';
import { appendFileSync } from 'node:fs';
export default dag({ id: 'steady', schedule: null, maxActiveRuns: 10, maxActiveTasks: 100 }, () => {
  for (let i = 0; i < 30; i++) {
    task({ taskId: 't' + i, retries: 5, retryDelay: 0 }, async (_: void, ctx) => {
      appendFileSync(${JSON.stringify(marks)}, 'start ' + ctx.runId + ' ' + ctx.task.taskId + ' ' + ctx.ti.tryNumber + '\\n');
      await new Promise((r) => setTimeout(r, 400));
      appendFileSync(${JSON.stringify(marks)}, 'end ' + ctx.runId + ' ' + ctx.task.taskId + ' ' + ctx.ti.tryNumber + '\\n');
    })();
  }
});`);
      const second = startScheduler(h);
      children.push(second);
      const victim = await h.workerProcess(['--concurrency', '2']);
      children.push(victim, await h.workerProcess(['--concurrency', '2']), await h.workerProcess(['--concurrency', '2']));
      for (let i = 0; i < 4; i++) await h.trigger('steady', { runId: `f${i}` });
      const tries = async () => (await h.db.selectFrom('task_instance').select('state').where('dag_id', '=', 'steady').execute()).filter((t) => t.state === 'success').length;
      await h.waitFor('some tasks to succeed', async () => (await tries()) >= 10, 60_000);

      victim.kill('SIGKILL');
      second.kill('SIGKILL');
      execSync('redis-cli -p 6379 shutdown nosave || true', { stdio: 'ignore', shell: '/bin/bash' });
      await new Promise((r) => setTimeout(r, 300));
      execSync(REDIS_START, { stdio: 'ignore', shell: '/bin/bash' });
      const dbName = new URL(h.config.databaseUrl).pathname.slice(1);
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`.execute(h.db).catch(() => {});
      children.push(await h.workerProcess(['--concurrency', '2']));

      await h.waitFor('4 runs to finish', () => allRunsDone(h, 'steady', 4), 180_000);
      const runs = await h.db.selectFrom('dag_run').select(['run_id', 'state']).where('dag_id', '=', 'steady').execute();
      assert.deepEqual(runs.map((r) => r.state), ['success', 'success', 'success', 'success']);
      const tis = await h.db.selectFrom('task_instance').select(['run_id', 'task_id', 'state', 'try_number']).where('dag_id', '=', 'steady').execute();
      assert.equal(tis.length, 120);
      assert.ok(tis.every((t) => t.state === 'success'));
      // No try beyond the recorded one started: a task whose success was recorded never ran again.
      const finalTry = new Map(tis.map((t) => [`${t.run_id} ${t.task_id}`, t.try_number]));
      const log = lines(marks);
      for (const l of log) {
        const [kind, runId, taskId, tryNo] = l.split(' ');
        assert.ok(Number(tryNo) <= finalTry.get(`${runId} ${taskId}`)!, `${taskId} of ${runId} started try ${tryNo} after its recorded try ${finalTry.get(`${runId} ${taskId}`)} (${kind})`);
      }
      for (const [k, n] of finalTry) assert.ok(log.includes(`end ${k} ${n}`), `the recorded try ${n} of ${k} ran to its end`);
    } finally {
      for (const c of children) c.kill('SIGKILL');
      try {
        execSync('redis-cli -p 6379 ping', { stdio: 'ignore' });
      } catch {
        execSync(REDIS_START, { stdio: 'ignore', shell: '/bin/bash' });
      }
      await h.stop();
    }
  });
});
