/**
 * What a real run leaves behind, read through API v2: the run followed to success, tries,
 * logs (lines, continuation token, plain text) and XCom entries (list, get as string or
 * native, create, update, delete).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { openV2Harness, type V2Harness } from './support/v2-harness.ts';

const files = {
  'api_v2_xcom.ts': `
import { dag, task } from 'baton';
export default dag({ id: 'api_v2_xcom', schedule: null }, () => {
  const push = task('push', async (_: void, ctx) => {
    ctx.log.info('pushing the answer');
    await ctx.ti.xcomPush('answer', 42);
    return { rows: [1, 2] };
  });
  const flaky = task({ taskId: 'flaky', retries: 1, retryDelay: 0 }, async (_: { rows: number[] }, ctx) => {
    if (ctx.ti.tryNumber === 1) throw new Error('first try fails on purpose');
    ctx.log.info('second try works');
    return 'ok';
  });
  flaky(push());
});`,
};

const RUN = '/api/v2/dags/api_v2_xcom/dagRuns/r1/taskInstances';

for (const dialect of eachDialect()) {
  describe(`API v2 tries, logs and XComs after a real run on ${dialect.name}`, () => {
    let h: V2Harness;
    before(async () => {
      h = await openV2Harness(dialect, { engine: true, files, encrypt: true });
      const r = await h.call('POST', '/api/v2/dags/api_v2_xcom/dagRuns', { body: { dag_run_id: 'r1', logical_date: null } });
      assert.equal(r.status, 200);
      assert.equal(await h.engine!.waitForRun('api_v2_xcom', 'r1', 60_000), 'success');
    });
    after(() => h?.close());

    test('the finished run shows its times and duration', async () => {
      const r = await h.call('GET', '/api/v2/dags/api_v2_xcom/dagRuns/r1');
      assert.equal(r.body.state, 'success');
      assert.ok(r.body.duration >= 0);
      assert.equal(r.body.logical_date, null);
    });

    test('waiting for a finished run answers its state and the requested results, as JSON or NDJSON', async () => {
      const r = await h.call('GET', '/api/v2/dags/api_v2_xcom/dagRuns/r1/wait?interval=0.1&result=push&result=flaky');
      assert.deepEqual(r.body, { state: 'success', results: { push: { rows: [1, 2] }, flaky: 'ok' } });
      const nd = await h.call('GET', '/api/v2/dags/api_v2_xcom/dagRuns/r1/wait?interval=0.1', { headers: { accept: 'application/x-ndjson' } });
      assert.deepEqual(nd.text.trim().split('\n').map((l) => JSON.parse(l)), [{ state: 'success' }]);
      assert.equal((await h.call('GET', '/api/v2/dags/api_v2_xcom/dagRuns/r1/wait?interval=0')).status, 422);
    });

    test('tries list each try of a retried task; one try by number; a missing try is 404', async () => {
      const tries = await h.call('GET', `${RUN}/flaky/tries`);
      assert.deepEqual(tries.body.task_instances.map((t: { try_number: number; state: string }) => [t.try_number, t.state]), [[1, 'up_for_retry'], [2, 'success']]);
      assert.equal((await h.call('GET', `${RUN}/flaky/tries/1`)).body.state, 'up_for_retry');
      assert.equal((await h.call('GET', `${RUN}/flaky/tries/3`)).status, 404);
    });

    test('logs come as lines with a continuation token, or as NDJSON; following from the token gives nothing new', async () => {
      const first = await h.call('GET', `${RUN}/flaky/logs/1`);
      assert.equal(first.status, 200);
      assert.ok(first.body.content.some((l: string) => l.includes('first try fails on purpose')), JSON.stringify(first.body.content));
      const second = await h.call('GET', `${RUN}/flaky/logs/2`);
      assert.ok(second.body.content.some((l: string) => l.includes('second try works')));
      const again = await h.call('GET', `${RUN}/flaky/logs/2?token=${second.body.continuation_token}`);
      assert.deepEqual(again.body.content, []);
      const ndjson = await h.call('GET', `${RUN}/flaky/logs/2`, { headers: { accept: 'application/x-ndjson' } });
      const events = ndjson.text.trim().split('\n').map((l) => JSON.parse(l).event as string);
      assert.ok(events.some((e) => e.includes('second try works')));
      assert.equal((await h.call('GET', `${RUN}/flaky/logs/5`)).status, 404);
    });

    test('XCom entries: list, get as a string or native, create, update, delete', async () => {
      const list = await h.call('GET', `${RUN}/push/xcomEntries`);
      assert.deepEqual(list.body.xcom_entries.map((x: { key: string }) => x.key).sort(), ['answer', 'return_value']);
      const all = await h.call('GET', '/api/v2/dags/~/dagRuns/~/taskInstances/~/xcomEntries?xcom_key_pattern=ANS');
      assert.equal(all.body.total_entries, 1);
      assert.equal((await h.call('GET', `${RUN}/push/xcomEntries/return_value`)).body.value, '{"rows":[1,2]}');
      assert.deepEqual((await h.call('GET', `${RUN}/push/xcomEntries/return_value?deserialize=true&stringify=false`)).body.value, { rows: [1, 2] });
      const made = await h.call('POST', `${RUN}/push/xcomEntries`, { body: { key: 'note', value: { by: 'hand' } } });
      assert.equal(made.status, 201);
      assert.deepEqual(made.body.value, { by: 'hand' });
      assert.equal((await h.call('POST', `${RUN}/push/xcomEntries`, { body: { key: 'note', value: 1 } })).status, 409);
      const changed = await h.call('PATCH', `${RUN}/push/xcomEntries/note`, { body: { value: [1, 2, 3] } });
      assert.deepEqual(changed.body.value, [1, 2, 3]);
      assert.equal((await h.call('PATCH', `${RUN}/push/xcomEntries/note`, { body: { value: 1, extra: 2 } })).status, 422);
      assert.equal((await h.call('DELETE', `${RUN}/push/xcomEntries/note`)).status, 204);
      assert.equal((await h.call('GET', `${RUN}/push/xcomEntries/note`)).status, 404);
      assert.equal((await h.call('POST', `${RUN}/push/xcomEntries`, { role: 'Viewer', body: { key: 'x', value: 1 } })).status, 403);
    });
  });
}
