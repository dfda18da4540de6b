/**
 * What tasks leave behind, read through the API after the real engine ran them: tries (from
 * task_instance_history), logs (fragments, continuation tokens, full content, plain text) and
 * XCom entries (inline and in the file store; stringified or native values).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LOG_FRAGMENT_BYTES } from '../../src/api/routes/task-logs.ts';
import { eachDialect } from '../support/databases.ts';
import { openApiHarness, type ApiHarness } from './support/api-harness.ts';

const files = {
  'api_xcom.ts': `
import { dag, task } from 'baton';
export default dag({ id: 'api_xcom', schedule: null }, () => {
  const push = task('push', async (_: void, ctx) => {
    for (let i = 0; i < 7000; i++) ctx.log.info('line ' + i + ' ünïcode ✓ ' + 'x'.repeat(60));
    await ctx.ti.xcomPush('answer', 42);
    await ctx.ti.xcomPush('when', new Date('2024-01-01T00:00:00Z'));
    await ctx.ti.xcomPush('big', 'z'.repeat(70000));
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

const RUN = '/api/v1/dags/api_xcom/dagRuns/r1/taskInstances';

for (const dialect of eachDialect()) {
  describe(`task tries, logs and XComs on ${dialect.name}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(dialect, { engine: true, files });
      const r = await h.call('POST', '/api/v1/dags/api_xcom/dagRuns', { body: { dag_run_id: 'r1' } });
      assert.equal(r.status, 200);
      assert.equal(await h.engine!.waitForRun('api_xcom', 'r1', 60_000), 'success');
    });
    after(() => h?.close());

    test('GET …/tries lists every try from the history; …/tries/{n} gets one; a try that did not happen is 404', async () => {
      const tries = await h.call('GET', `${RUN}/flaky/tries`);
      assert.equal(tries.status, 200);
      assert.deepEqual(tries.body.task_instances.map((t: { try_number: number; state: string }) => [t.try_number, t.state]), [[1, 'up_for_retry'], [2, 'success']]);
      assert.equal(tries.body.total_entries, 2);
      const newestFirst = await h.call('GET', `${RUN}/flaky/tries?order_by=-try_number&limit=1`);
      assert.deepEqual([newestFirst.body.task_instances.length, newestFirst.body.task_instances[0].try_number], [1, 2]);
      const first = await h.call('GET', `${RUN}/flaky/tries/1`);
      assert.equal(first.body.state, 'up_for_retry');
      assert.ok(first.body.start_date && first.body.end_date);
      assert.equal((await h.call('GET', `${RUN}/flaky/tries/3`)).status, 404);
      assert.equal((await h.call('GET', `${RUN}/flaky/tries/zero`)).status, 400);
    });

    test('GET …/logs/{try} returns each try\'s log as JSON content with a continuation token, or as plain text', async () => {
      const first = await h.call('GET', `${RUN}/flaky/logs/1`);
      assert.equal(first.status, 200);
      assert.match(first.body.content, /first try fails on purpose/);
      assert.equal(typeof first.body.continuation_token, 'string');
      const second = await h.call('GET', `${RUN}/flaky/logs/2`, { headers: { accept: 'text/plain' } });
      assert.match(second.contentType, /^text\/plain/);
      assert.match(second.body, /second try works/);
      assert.doesNotMatch(second.body, /first try fails/);
      assert.equal((await h.call('GET', `${RUN}/flaky/logs/3`)).status, 404);
      assert.equal((await h.call('GET', `${RUN}/nope/logs/1`)).status, 404);
    });

    test('a long log comes in fragments that the continuation token resumes exactly, never splitting a character; full_content returns it whole', async () => {
      const whole = await h.call('GET', `${RUN}/push/logs/1?full_content=true`);
      const size = Buffer.byteLength(whole.body.content);
      assert.ok(size > LOG_FRAGMENT_BYTES, `the log is ${size} bytes`);
      assert.match(whole.body.content, /line 6999 /);
      let text = '';
      let token: string | undefined;
      let fragments = 0;
      for (;;) {
        const r = await h.call('GET', `${RUN}/push/logs/1${token ? `?token=${token}` : ''}`);
        if (r.body.content === '') break;
        assert.ok(Buffer.byteLength(r.body.content) <= LOG_FRAGMENT_BYTES);
        assert.ok(!r.body.content.includes('\uFFFD'), 'no character is cut in two');
        text += r.body.content;
        token = r.body.continuation_token;
        fragments++;
      }
      assert.equal(fragments, 2);
      assert.equal(text, whole.body.content);
      assert.equal((await h.call('GET', `${RUN}/push/logs/1?token=not-a-token!`)).status, 400);
    });

    test('GET …/xcomEntries lists entries without values; ~ stands for every DAG, run and task; xcom_key filters', async () => {
      const r = await h.call('GET', `${RUN}/push/xcomEntries`);
      assert.deepEqual(r.body.xcom_entries.map((x: { key: string }) => x.key).sort(), ['answer', 'big', 'return_value', 'when']);
      assert.ok(r.body.xcom_entries.every((x: Record<string, unknown>) => !('value' in x) && x.dag_id === 'api_xcom' && x.map_index === -1));
      const all = await h.call('GET', '/api/v1/dags/~/dagRuns/~/taskInstances/~/xcomEntries?xcom_key=return_value');
      assert.deepEqual(all.body.xcom_entries.map((x: { task_id: string }) => x.task_id).sort(), ['flaky', 'push']);
      const paged = await h.call('GET', `${RUN}/~/xcomEntries?limit=2`);
      assert.deepEqual([paged.body.xcom_entries.length, paged.body.total_entries], [2, 5]);
    });

    test('GET …/xcomEntries/{key} returns the value as a string by default and natively with deserialize=true&stringify=false', async () => {
      const answer = await h.call('GET', `${RUN}/push/xcomEntries/answer`);
      assert.equal(answer.body.value, '42');
      const native = await h.call('GET', `${RUN}/push/xcomEntries/answer?deserialize=true&stringify=false`);
      assert.equal(native.body.value, 42);
      const rows = await h.call('GET', `${RUN}/push/xcomEntries/return_value?deserialize=true&stringify=false`);
      assert.deepEqual(rows.body.value, { rows: [1, 2] });
      assert.equal((await h.call('GET', `${RUN}/push/xcomEntries/return_value`)).body.value, '{"rows":[1,2]}');
      assert.equal((await h.call('GET', `${RUN}/push/xcomEntries/when?deserialize=true&stringify=false`)).body.value, '2024-01-01T00:00:00.000Z');
      assert.equal((await h.call('GET', `${RUN}/push/xcomEntries/missing`)).status, 404);
    });

    test('a large XCom kept in the file store is read back whole', async () => {
      const stored = await h.db.selectFrom('xcom').select(['value', 'value_ref']).where('key', '=', 'big').executeTakeFirstOrThrow();
      assert.equal(stored.value, null);
      assert.ok(stored.value_ref);
      const big = await h.call('GET', `${RUN}/push/xcomEntries/big`);
      assert.equal(big.body.value, 'z'.repeat(70000));
    });

    test('reading logs needs the Task Logs permission and XComs the XComs permission: anonymous callers get 401', async () => {
      const anon = await h.call('GET', `${RUN}/flaky/logs/1`, { role: null });
      assert.equal(anon.status, 401);
      assert.match(anon.headers.get('www-authenticate') ?? '', /Basic/);
      assert.equal((await h.call('GET', `${RUN}/push/xcomEntries`, { role: 'Public' })).status, 403);
      assert.equal((await h.call('GET', `${RUN}/push/xcomEntries`, { role: 'Viewer' })).status, 200);
    });
  });
}
