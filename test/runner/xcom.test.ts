import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dag, FunctionOperator, task } from '../../src/sdk/index.ts';
import { run } from './helpers.ts';

describe('XCom in a run', () => {
  test('an explicit push of a Date is pulled back as an equal Date', async () => {
    const when = new Date('2024-05-06T07:08:09.010Z');
    let pulled: unknown;
    const d = dag({ id: 'xcom_date' }, () => {
      const push = task('push', async (_: void, ctx) => {
        await ctx.ti.xcomPush('when', when);
        await ctx.ti.xcomPush('nested', { at: [when] });
      })();
      const pull = task('pull', async (_: void, ctx) => {
        const single = await ctx.ti.xcomPull<Date>({ taskIds: 'push', key: 'when' });
        const nested = await ctx.ti.xcomPull<{ at: Date[] }>({ taskIds: 'push', key: 'nested' });
        pulled = { single, nested };
      })();
      push.then(pull);
    });
    const r = await run(d);
    assert.equal(r.state, 'success');
    const { single, nested } = pulled as { single: Date; nested: { at: Date[] } };
    assert.ok(single instanceof Date);
    assert.equal(single.toISOString(), when.toISOString());
    assert.ok(nested.at[0] instanceof Date);
    assert.equal(nested.at[0]!.getTime(), when.getTime());
  });

  test('a task pulls its own pushed value within the same try', async () => {
    const d = dag({ id: 'xcom_self' }, () => {
      task('self', async (_: void, ctx) => {
        await ctx.ti.xcomPush('k', 41);
        return (await ctx.ti.xcomPull<number>({ taskIds: 'self', key: 'k' })) + 1;
      })();
    });
    assert.equal((await run(d)).returned('self'), 42);
  });

  test('pulling something never pushed gives the default', async () => {
    const d = dag({ id: 'xcom_default' }, () => {
      task('p', async (_: void, ctx) => [await ctx.ti.xcomPull({ taskIds: 'p', key: 'missing' }), await ctx.ti.xcomPull({ taskIds: 'p', key: 'missing', default: 'fallback' })])();
    });
    assert.deepEqual((await run(d)).returned('p'), [null, 'fallback']);
  });

  test('pushing a value that is not JSON fails the task with a clear message', async () => {
    const d = dag({ id: 'xcom_bigint' }, () => {
      task('p', async (_: void, ctx) => {
        await ctx.ti.xcomPush('n', 10n);
      })();
    });
    const r = await run(d);
    assert.equal(r.states.p, 'failed');
    assert.match(r.tis[0]!.error!, /a BigInt cannot be stored/);
  });

  test('returning a value that is not JSON fails the task', async () => {
    const d = dag({ id: 'xcom_return_fn' }, () => {
      task('p', async () => ({ callback: () => 1 }))();
    });
    const r = await run(d);
    assert.equal(r.state, 'failed');
    assert.equal(r.states.p, 'failed');
    assert.match(r.tis[0]!.error!, /XCom values must be JSON: a function cannot be stored \(key "callback"\)/);
  });

  test('multipleOutputs pushes each key of the returned object, plus return_value, and downstream tasks read single keys', async () => {
    const d = dag({ id: 'multiple_outputs' }, () => {
      const split = task({ taskId: 'split', multipleOutputs: true }, async () => ({ train: [1, 2, 3], test: [4], name: 'ds' }));
      const out = split();
      task('count', async ({ rows, name }: { rows: number[]; name: string }) => `${name}:${rows.length}`)({ rows: out.get('train'), name: out.get('name') });
    });
    const r = await run(d);
    const keys = r.xcoms.filter((x) => x.taskId === 'split').map((x) => x.key).sort();
    assert.deepEqual(keys, ['name', 'return_value', 'test', 'train']);
    assert.deepEqual(r.xcoms.find((x) => x.taskId === 'split' && x.key === 'train')!.value, [1, 2, 3]);
    assert.equal(r.returned('count'), 'ds:3');
  });

  test('multipleOutputs with a non-object result fails the task', async () => {
    const d = dag({ id: 'multiple_outputs_bad' }, () => {
      task({ taskId: 'split', multipleOutputs: true }, async () => [1, 2])();
    });
    const r = await run(d);
    assert.equal(r.states.split, 'failed');
    assert.match(r.tis[0]!.error!, /has multipleOutputs but returned a list, not an object/);
  });

  test('an operator pulls the return values of several tasks as a list in the order asked', async () => {
    const d = dag({ id: 'xcom_list' }, () => {
      const a = task('a', async () => 'A')();
      const b = task('b', async () => 'B')();
      const c = new FunctionOperator({ taskId: 'c', fn: (ctx) => ctx.ti.xcomPull({ taskIds: ['b', 'a'] }) });
      c.after(a, b);
    });
    assert.deepEqual((await run(d)).returned('c'), ['B', 'A']);
  });

  test('a TaskFlow input wired from upstream outputs receives the values, nested in objects and arrays', async () => {
    const d = dag({ id: 'xcom_wired' }, () => {
      const n = task('n', async () => 2)();
      const s = task('s', async () => 'x')();
      task('combine', async (input: { pair: [number, string]; nested: { n: number } }) => input)({ pair: [n, s], nested: { n } });
    });
    assert.deepEqual((await run(d)).returned('combine'), { pair: [2, 'x'], nested: { n: 2 } });
  });
});
