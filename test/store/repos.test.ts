import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deleteConnection, getConnection, listConnections, upsertConnection } from '../../src/store/repos/connections.ts';
import { appendEventLog, listEventLog } from '../../src/store/repos/event-log.ts';
import { clearImportError, clearImportErrorsExcept, listImportErrors, replaceImportError } from '../../src/store/repos/import-errors.ts';
import { endJob, failStaleJobs, heartbeatJob, listAliveJobs, listStaleJobs, startJob } from '../../src/store/repos/jobs.ts';
import { deletePool, getPool, listPools, upsertPool } from '../../src/store/repos/pools.ts';
import { deleteVariable, getVariable, listVariables, setVariable } from '../../src/store/repos/variables.ts';
import { eachDialect } from '../support/databases.ts';
import type { TestDb } from '../support/databases.ts';

for (const dialect of eachDialect()) {
  describe(`repositories on ${dialect.name}`, () => {
    let t: TestDb;
    before(async () => {
      t = await dialect.open();
    });
    after(async () => {
      await t?.drop();
    });

    test('pools: upsert, get, list, partial update, delete', async () => {
      assert.deepEqual(await upsertPool(t.db, { name: 'gpu', slots: 2, description: 'GPUs', includeDeferred: true }), { name: 'gpu', slots: 2, description: 'GPUs', includeDeferred: true });
      assert.deepEqual(await upsertPool(t.db, { name: 'gpu', slots: 4 }), { name: 'gpu', slots: 4, description: 'GPUs', includeDeferred: true });
      assert.deepEqual((await listPools(t.db)).map((p) => [p.name, p.slots]), [['default_pool', 128], ['gpu', 4]]);
      assert.equal((await getPool(t.db, 'default_pool'))?.includeDeferred, false);
      assert.equal(await deletePool(t.db, 'gpu'), true);
      assert.equal(await deletePool(t.db, 'gpu'), false);
      assert.equal(await getPool(t.db, 'gpu'), undefined);
    });

    test('pools: default_pool cannot be deleted, bad input is refused', async () => {
      await assert.rejects(deletePool(t.db, 'default_pool'), /default_pool cannot be deleted/);
      assert.equal((await getPool(t.db, 'default_pool'))?.slots, 128);
      await assert.rejects(upsertPool(t.db, { name: '', slots: 1 }), /non-empty name/);
      await assert.rejects(upsertPool(t.db, { name: 'x', slots: 1.5 }), /whole number/);
      await assert.rejects(upsertPool(t.db, { name: 'x', slots: -2 }), /-1 for unlimited/);
      assert.equal((await upsertPool(t.db, { name: 'unlimited', slots: -1 })).slots, -1);
    });

    test('variables: set, get, overwrite, list, delete', async () => {
      await setVariable(t.db, 'env', 'prod', { description: 'where we are' });
      await setVariable(t.db, 'secret', 'gAAAA…', { isEncrypted: true });
      await setVariable(t.db, 'env', 'staging');
      assert.deepEqual(await getVariable(t.db, 'env'), { key: 'env', value: 'staging', description: 'where we are', isEncrypted: false });
      assert.equal((await getVariable(t.db, 'secret'))?.isEncrypted, true);
      assert.deepEqual((await listVariables(t.db)).map((v) => v.key), ['env', 'secret']);
      assert.equal(await deleteVariable(t.db, 'env'), true);
      assert.equal(await deleteVariable(t.db, 'env'), false);
      assert.equal(await getVariable(t.db, 'env'), undefined);
      await assert.rejects(setVariable(t.db, '', 'x'), /non-empty key/);
      await assert.rejects(setVariable(t.db, 'n', 5 as never), /must be set to a string/);
    });

    test('connections: upsert replaces every field, list, delete', async () => {
      await upsertConnection(t.db, { connId: 'warehouse', connType: 'postgres', host: 'db', port: 5432, login: 'u', password: 'p', schema: 'public', extra: '{"sslmode":"require"}', isEncrypted: true });
      assert.deepEqual(await getConnection(t.db, 'warehouse'), {
        connId: 'warehouse', connType: 'postgres', description: null, host: 'db', schema: 'public', login: 'u', password: 'p', port: 5432, extra: '{"sslmode":"require"}', isEncrypted: true, isExtraEncrypted: false,
      });
      await upsertConnection(t.db, { connId: 'warehouse', connType: 'http', host: 'api' });
      const replaced = await getConnection(t.db, 'warehouse');
      assert.equal(replaced?.connType, 'http');
      assert.equal(replaced?.password, null);
      assert.equal(replaced?.isEncrypted, false);
      await upsertConnection(t.db, { connId: 'a_first', connType: 'fs' });
      assert.deepEqual((await listConnections(t.db)).map((c) => c.connId), ['a_first', 'warehouse']);
      assert.equal(await deleteConnection(t.db, 'warehouse'), true);
      assert.equal(await getConnection(t.db, 'warehouse'), undefined);
      await assert.rejects(upsertConnection(t.db, { connId: 'bad', connType: 'http', port: 70000 }), /0 to 65535/);
      await assert.rejects(upsertConnection(t.db, { connId: 'bad', connType: '' }), /needs a conn_type/);
    });

    test('import errors: replace per file, clear, clear files that are gone', async () => {
      await replaceImportError(t.db, { filename: '/dags/a.ts', stacktrace: 'SyntaxError 1', line: 3, timestamp: '2024-01-01T00:00:00.000Z' });
      await replaceImportError(t.db, { filename: '/dags/a.ts', stacktrace: 'SyntaxError 2' });
      await replaceImportError(t.db, { filename: '/dags/b.ts', stacktrace: 'TypeError' });
      await replaceImportError(t.db, { filename: '/dags/c.ts', stacktrace: 'TypeError' });
      const errors = await listImportErrors(t.db);
      assert.deepEqual(errors.map((e) => [e.filename, e.stacktrace, e.line]), [['/dags/a.ts', 'SyntaxError 2', null], ['/dags/b.ts', 'TypeError', null], ['/dags/c.ts', 'TypeError', null]]);
      assert.match(errors[0]!.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.equal(await clearImportError(t.db, '/dags/a.ts'), true);
      assert.equal(await clearImportError(t.db, '/dags/a.ts'), false);
      assert.equal(await clearImportErrorsExcept(t.db, ['/dags/b.ts']), 1);
      assert.deepEqual((await listImportErrors(t.db)).map((e) => e.filename), ['/dags/b.ts']);
    });

    test('event log: append, filter, newest first, JSON extra', async () => {
      const first = await appendEventLog(t.db, { event: 'trigger', dagId: 'd1', runId: 'r1', owner: 'ana', extra: { conf: { x: 1 } }, dttm: '2024-01-01T00:00:00.000Z' });
      const second = await appendEventLog(t.db, { event: 'clear', dagId: 'd1', taskId: 't', mapIndex: -1, tryNumber: 2, dttm: '2024-01-02T00:00:00.000Z' });
      await appendEventLog(t.db, { event: 'pause', dagId: 'd2', dttm: '2024-01-03T00:00:00.000Z' });
      assert.ok(second > first);
      const d1 = await listEventLog(t.db, { dagId: 'd1' });
      assert.deepEqual(d1.map((e) => e.event), ['clear', 'trigger']);
      assert.deepEqual(d1[1]!.extra, { conf: { x: 1 } });
      assert.equal(d1[0]!.extra, null);
      assert.equal(d1[0]!.tryNumber, 2);
      assert.deepEqual((await listEventLog(t.db, { after: '2024-01-02T00:00:00.000Z' })).map((e) => e.event), ['pause', 'clear']);
      assert.deepEqual((await listEventLog(t.db, { before: '2024-01-02T00:00:00.000Z' })).map((e) => e.event), ['trigger']);
      assert.deepEqual((await listEventLog(t.db, { limit: 1, offset: 1 })).map((e) => e.event), ['clear']);
      await assert.rejects(appendEventLog(t.db, { event: '' }), /non-empty event name/);
    });

    test('jobs: start, heartbeat, alive and stale, end', async () => {
      const t0 = Date.parse('2024-01-01T00:00:00.000Z');
      const at = (s: number) => new Date(t0 + s * 1000);
      const sched = await startJob(t.db, { jobType: 'scheduler', now: at(0) });
      const trig = await startJob(t.db, { jobType: 'triggerer', hostname: 'h2', pid: 7, now: at(0) });
      assert.equal(sched.state, 'running');
      assert.equal(sched.pid, process.pid);
      assert.equal(typeof sched.id, 'number');
      assert.equal(await heartbeatJob(t.db, sched.id, at(50)), true);
      const query = { timeoutSeconds: 30, now: at(60) };
      assert.deepEqual((await listAliveJobs(t.db, query)).map((j) => j.id), [sched.id]);
      assert.deepEqual((await listStaleJobs(t.db, query)).map((j) => j.id), [trig.id]);
      assert.deepEqual(await listStaleJobs(t.db, { ...query, jobType: 'scheduler' }), []);
      assert.deepEqual(await failStaleJobs(t.db, query), [trig.id]);
      assert.equal(await heartbeatJob(t.db, trig.id, at(61)), false, 'a job declared failed learns it on its next heartbeat');
      assert.equal(await endJob(t.db, sched.id, 'success', at(70)), true);
      assert.equal(await endJob(t.db, sched.id, 'failed', at(71)), false);
      assert.deepEqual(await listAliveJobs(t.db, query), []);
      await assert.rejects(startJob(t.db, { jobType: 'cron' as never }), /Unknown job type/);
    });
  });
}
