import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { TaskInstanceKey } from '../../src/store/cas.ts';
import { Triggerer, type TriggererOptions, type Trigger } from '../../src/triggerer/index.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';
import { insertDag, insertRun, insertTi } from '../support/store-fixtures.ts';
import { tempDir } from '../sensors/helpers.ts';
import { insertDeferred, tiState, waitFor } from './helpers.ts';

const quiet = { info: () => {}, warn: () => {}, error: (m: string) => process.stderr.write(`${m}\n`) };
const FAR = '2999-01-01T00:00:00.000Z';

for (const dialect of eachDialect()) {
  describe(`triggerer on ${dialect.name}`, () => {
    let t: TestDb;
    let runs = 0;
    const started: Triggerer[] = [];
    before(async () => {
      t = await dialect.open();
      await insertDag(t.db, 'trig');
    });
    afterEach(async () => {
      await Promise.all(started.splice(0).map((x) => x.stop()));
    });
    after(async () => {
      await t?.drop();
    });

    async function newRun() {
      const run = { dagId: 'trig', runId: `r${++runs}` };
      await insertRun(t.db, run.dagId, run.runId, new Date(Date.UTC(2024, 0, runs)).toISOString(), { state: 'running' });
      return run;
    }
    async function startTriggerer(o: Partial<TriggererOptions> = {}): Promise<Triggerer> {
      const tr = new Triggerer({ db: t.db, checkInterval: 0.05, log: quiet, ...o });
      started.push(tr);
      await tr.start();
      return tr;
    }

    test('1000 deferred dateTime triggers all fire in one triggerer, each resuming its task with the event', async () => {
      const run = await newRun();
      const moment = new Date(Date.now() + 500).toISOString();
      const n = 1000;
      const ids = await t.db
        .insertInto('trigger')
        .values(Array.from({ length: n }, () => ({ classpath: 'dateTime', kwargs: JSON.stringify({ moment, __timeoutAt: FAR }), created_date: moment })))
        .returning('id')
        .execute();
      for (let i = 0; i < n; i += 200) {
        await t.db
          .insertInto('task_instance')
          .values(ids.slice(i, i + 200).map((row, j) => ({
            dag_id: run.dagId, run_id: run.runId, task_id: `wait_${i + j}`, map_index: -1, state: 'deferred' as const, pool: 'default_pool', queue: 'default',
            updated_at: moment, try_number: 1, trigger_id: row.id, next_method: 'executeComplete',
          })))
          .execute();
      }
      const resumed: TaskInstanceKey[] = [];
      const tr = await startTriggerer({ onFire: (keys) => resumed.push(...keys) });
      await waitFor('1000 scheduled task instances', async () => {
        const r = await t.db.selectFrom('task_instance').select((eb) => eb.fn.countAll<number>().as('n')).where('run_id', '=', run.runId).where('state', '=', 'scheduled').executeTakeFirstOrThrow();
        return Number(r.n) === n;
      });
      const tis = await t.db.selectFrom('task_instance').select(['next_kwargs', 'next_method', 'trigger_id', 'try_number']).where('run_id', '=', run.runId).execute();
      assert.equal(tis.length, n);
      assert.ok(tis.every((ti) => JSON.parse(ti.next_kwargs!).status === 'success' && ti.next_method === 'executeComplete' && ti.trigger_id === null && ti.try_number === 1));
      assert.equal(tr.firedCount, n);
      assert.equal(new Set(resumed.map((k) => k.taskId)).size, n);
      const left = await t.db.selectFrom('trigger').select('id').where('id', 'in', ids.map((r) => r.id)).execute();
      assert.equal(left.length, 0);
    });

    test('triggers wait concurrently on the event loop: 1000 are running at once in one triggerer', async () => {
      const run = await newRun();
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const gated: Trigger = { run: async () => (await gate, { status: 'success' }) };
      for (let i = 0; i < 1000; i += 250) {
        const rows = await t.db
          .insertInto('trigger')
          .values(Array.from({ length: 250 }, () => ({ classpath: 'gate', kwargs: '{"__timeoutAt":null}', created_date: FAR })))
          .returning('id')
          .execute();
        await t.db
          .insertInto('task_instance')
          .values(rows.map((row, j) => ({ dag_id: run.dagId, run_id: run.runId, task_id: `g_${i + j}`, map_index: -1, state: 'deferred' as const, pool: 'default_pool', queue: 'default', updated_at: FAR, trigger_id: row.id })))
          .execute();
      }
      const tr = await startTriggerer({ triggers: new Map([['gate', gated]]) });
      await waitFor('1000 running triggers', () => tr.runningCount === 1000);
      open();
      await waitFor('1000 fired triggers', () => tr.firedCount === 1000);
      assert.equal(tr.runningCount, 0);
    });

    test('a deferral whose timeout passes first resumes its task with a timeout event', async () => {
      const run = await newRun();
      await insertDeferred(t.db, run, 'wait', { kind: 'dateTime', kwargs: { moment: FAR }, timeoutAt: new Date(Date.now() - 1000).toISOString() });
      await startTriggerer();
      const ti = await waitFor('the timed-out TI to be scheduled', async () => ((await tiState(t.db, run, 'wait')).state === 'scheduled' ? tiState(t.db, run, 'wait') : null));
      assert.deepEqual(ti.event, { status: 'timeout' });
      assert.equal(ti.next_method, 'executeComplete');
    });

    test('an unknown trigger kind or unusable arguments resume the task with a failed event that says why', async () => {
      const run = await newRun();
      await insertDeferred(t.db, run, 'unknown', { kind: 'teleport', kwargs: {} });
      await insertDeferred(t.db, run, 'bad', { kind: 'dateTime', kwargs: { moment: 'soon' } });
      await startTriggerer();
      const unknown = await waitFor('the unknown-kind TI', async () => ((await tiState(t.db, run, 'unknown')).event ? tiState(t.db, run, 'unknown') : null));
      const bad = await waitFor('the bad-arguments TI', async () => ((await tiState(t.db, run, 'bad')).event ? tiState(t.db, run, 'bad') : null));
      assert.equal(unknown.event!.status, 'failed');
      assert.match(String(unknown.event!.message), /unknown trigger kind 'teleport'; the triggerer runs dateTime, fileExists, externalTask/);
      assert.match(String(bad.event!.message), /trigger 'dateTime': moment must be an ISO-8601 time \(got "soon"\)/);
    });

    test('fileExists triggers fire when the file appears, all waiters on one pattern together', async () => {
      const run = await newRun();
      const dir = tempDir();
      for (let i = 0; i < 20; i++) await insertDeferred(t.db, run, `f${i}`, { kind: 'fileExists', kwargs: { pattern: join(dir, '*.ready'), pollInterval: 0.1 } });
      const tr = await startTriggerer();
      await waitFor('20 running file triggers', () => tr.runningCount === 20);
      writeFileSync(join(dir, 'batch.ready'), '');
      await waitFor('20 fired file triggers', () => tr.firedCount === 20);
      assert.deepEqual((await tiState(t.db, run, 'f7')).event, { status: 'success', path: join(dir, 'batch.ready') });
    });

    test("externalTask triggers fire on the other task's allowed state, and fail on a failed state", async () => {
      const run = await newRun();
      const up = await newRun();
      const upDate = new Date(Date.UTC(2024, 0, runs)).toISOString();
      await insertTi(t.db, up, 'load', 'running');
      await insertTi(t.db, up, 'check', 'running');
      const kw = (taskId: string) => ({ dagId: 'trig', taskId, logicalDate: upDate, allowedStates: ['success'], failedStates: ['failed'], pollInterval: 0.1 });
      await insertDeferred(t.db, run, 'on_load', { kind: 'externalTask', kwargs: kw('load') });
      await insertDeferred(t.db, run, 'on_check', { kind: 'externalTask', kwargs: kw('check') });
      const tr = await startTriggerer();
      await waitFor('2 running external triggers', () => tr.runningCount === 2);
      await t.db.updateTable('task_instance').set({ state: 'success' }).where('run_id', '=', up.runId).where('task_id', '=', 'load').execute();
      await t.db.updateTable('task_instance').set({ state: 'failed' }).where('run_id', '=', up.runId).where('task_id', '=', 'check').execute();
      await waitFor('both fired', () => tr.firedCount === 2);
      assert.deepEqual((await tiState(t.db, run, 'on_load')).event, { status: 'success', state: 'success' });
      const failed = (await tiState(t.db, run, 'on_check')).event!;
      assert.equal(failed.status, 'failed');
      assert.match(String(failed.message), /The external task trig\.check on .* is failed/);
    });

    test("a dead triggerer's triggers are taken over; a live triggerer's are left alone", async () => {
      const run = await newRun();
      const job = (heartbeat: string) => t.db.insertInto('job').values({ job_type: 'triggerer', state: 'running', hostname: 'elsewhere', pid: 1, start_date: heartbeat, latest_heartbeat: heartbeat }).returning('id').executeTakeFirstOrThrow();
      const dead = await job(new Date(Date.now() - 3600_000).toISOString());
      const live = await job(new Date(Date.now() + 3600_000).toISOString());
      await insertDeferred(t.db, run, 'orphaned', { kind: 'dateTime', kwargs: { moment: '2000-01-01T00:00:00Z' }, triggererId: dead.id });
      const liveTrigger = await insertDeferred(t.db, run, 'owned', { kind: 'dateTime', kwargs: { moment: '2000-01-01T00:00:00Z' }, triggererId: live.id });
      const tr = await startTriggerer({ healthCheckThreshold: 30 });
      await waitFor('the orphaned trigger to fire', () => tr.firedCount === 1);
      tr.wake();
      await tr.idle();
      assert.equal((await tiState(t.db, run, 'orphaned')).state, 'scheduled');
      assert.equal((await tiState(t.db, run, 'owned')).state, 'deferred');
      const row = await t.db.selectFrom('trigger').select('triggerer_id').where('id', '=', liveTrigger).executeTakeFirstOrThrow();
      assert.equal(row.triggerer_id, live.id);
    });

    test('two triggerers on one database fire every trigger exactly once', async () => {
      const run = await newRun();
      for (let i = 0; i < 100; i++) await insertDeferred(t.db, run, `w${i}`, { kind: 'dateTime', kwargs: { moment: new Date(Date.now() + 300).toISOString() } });
      const [a, b] = [await startTriggerer(), await startTriggerer()];
      await waitFor('100 fired triggers', () => a!.firedCount + b!.firedCount === 100);
      const scheduled = await t.db.selectFrom('task_instance').select('task_id').where('run_id', '=', run.runId).where('state', '=', 'scheduled').execute();
      assert.equal(scheduled.length, 100);
      assert.equal(a!.runningCount + b!.runningCount, 0);
    });

    test('a trigger whose task was cleared stops running', async () => {
      const run = await newRun();
      const id = await insertDeferred(t.db, run, 'cleared', { kind: 'dateTime', kwargs: { moment: FAR } });
      const tr = await startTriggerer();
      await waitFor('the trigger to run', () => tr.runningCount === 1);
      await t.db.updateTable('task_instance').set({ state: 'none', trigger_id: null, next_method: null }).where('run_id', '=', run.runId).execute();
      await t.db.deleteFrom('trigger').where('id', '=', id).execute();
      tr.wake();
      await waitFor('the trigger to stop', () => tr.runningCount === 0);
      assert.equal(tr.firedCount, 0);
    });

    test('wake() starts a new trigger at once, without waiting for the periodic check', async () => {
      const tr = await startTriggerer({ checkInterval: 3600 });
      await tr.idle();
      const run = await newRun();
      await insertDeferred(t.db, run, 'prompt', { kind: 'dateTime', kwargs: { moment: '2000-01-01T00:00:00Z' } });
      tr.wake();
      await waitFor('the woken trigger to fire', () => tr.firedCount === 1);
      assert.equal((await tiState(t.db, run, 'prompt')).state, 'scheduled');
    });

    test('trigger rows no deferred task waits on are removed', async () => {
      const orphan = await t.db.insertInto('trigger').values({ classpath: 'dateTime', kwargs: JSON.stringify({ moment: FAR, __timeoutAt: null }), created_date: FAR }).returning('id').executeTakeFirstOrThrow();
      await startTriggerer({ heartbeatInterval: 0.05 });
      await waitFor('the orphan row to go', async () => !(await t.db.selectFrom('trigger').select('id').where('id', '=', orphan.id).executeTakeFirst()));
    });

    test('stopping gives the rows back and ends the job, so another triggerer takes over at once', async () => {
      const run = await newRun();
      const id = await insertDeferred(t.db, run, 'handover', { kind: 'dateTime', kwargs: { moment: FAR } });
      const first = await startTriggerer();
      await waitFor('the trigger to run', () => first.runningCount === 1);
      await first.stop();
      const row = await t.db.selectFrom('trigger').select('triggerer_id').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.triggerer_id, null);
      const job = await t.db.selectFrom('job').select('state').where('id', '=', first.jobId!).executeTakeFirstOrThrow();
      assert.equal(job.state, 'success');
      const second = await startTriggerer();
      await waitFor('the second triggerer to run it', () => second.runningCount === 1);
    });
  });
}
