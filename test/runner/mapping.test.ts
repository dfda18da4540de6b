import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dag, task } from '../../src/sdk/index.ts';
import { run } from './helpers.ts';

describe('dynamic task mapping (runDagLocally)', () => {
  test('expanding over a literal list makes one copy per element, each receiving its element', async () => {
    const seen: Array<[number, number]> = [];
    const d = dag({ id: 'map_literal' }, () => {
      task('double', async ({ x }: { x: number }, ctx) => {
        seen.push([ctx.ti.mapIndex, x]);
        return x * 2;
      }).expand({ x: [5, 6, 7] });
    });
    const r = await run(d);
    assert.deepEqual(r.states, { 'double[0]': 'success', 'double[1]': 'success', 'double[2]': 'success' });
    assert.deepEqual(seen, [[0, 5], [1, 6], [2, 7]]);
    assert.deepEqual([0, 1, 2].map((i) => r.returned('double', i)), [10, 12, 14]);
    assert.ok(r.lines.some((l) => l.includes('double expanded into 3 mapped task instances')));
  });

  test('expanding over an upstream output, with partial constants, and a reduce that receives every result in map-index order', async () => {
    const d = dag({ id: 'map_upstream' }, () => {
      const numbers = task('numbers', async () => [1, 2, 3, 4]);
      const square = task('square', async ({ x, offset }: { x: number; offset: number }) => x * x + offset);
      const total = task('total', async ({ values }: { values: number[] }) => values);
      total({ values: square.partial({ offset: 1 }).expand({ x: numbers() }) });
    });
    const r = await run(d);
    assert.equal(r.state, 'success');
    assert.deepEqual(r.returned('total'), [2, 5, 10, 17]);
    assert.equal(Object.keys(r.states).filter((k) => k.startsWith('square[')).length, 4);
  });

  test('a partial constant may itself be an upstream output', async () => {
    const d = dag({ id: 'map_partial_xcom' }, () => {
      const base = task('base', async () => 100)();
      task('add', async ({ x, offset }: { x: number; offset: number }) => x + offset).partial({ offset: base }).expand({ x: [1, 2] });
    });
    const r = await run(d);
    assert.deepEqual([r.returned('add', 0), r.returned('add', 1)], [101, 102]);
  });

  test('expanding two lists makes their cross product, the last argument varying fastest', async () => {
    const d = dag({ id: 'map_cross' }, () => {
      const letters = task('letters', async () => ['a', 'b', 'c']);
      task('pair', async ({ n, letter }: { n: number; letter: string }) => `${n}${letter}`).expand({ n: [1, 2], letter: letters() });
    });
    const r = await run(d);
    const copies = Object.keys(r.states).filter((k) => k.startsWith('pair['));
    assert.equal(copies.length, 6);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => r.returned('pair', i)), ['1a', '1b', '1c', '2a', '2b', '2c']);
  });

  test('expandKwargs makes one copy per argument object', async () => {
    const d = dag({ id: 'map_kwargs' }, () => {
      const configs = task('configs', async () => [{ a: 1, b: 2 }, { a: 10, b: 20 }, { a: 100, b: 200 }]);
      task('sum', async ({ a, b, scale }: { a: number; b: number; scale: number }) => (a + b) * scale).partial({ scale: 2 }).expandKwargs(configs());
    });
    const r = await run(d);
    assert.deepEqual([0, 1, 2].map((i) => r.returned('sum', i)), [6, 60, 600]);
  });

  test('expandKwargs over a literal list', async () => {
    const d = dag({ id: 'map_kwargs_literal' }, () => {
      task('greet', async ({ name }: { name: string }) => `hi ${name}`).expandKwargs([{ name: 'ada' }, { name: 'bob' }]);
    });
    const r = await run(d);
    assert.deepEqual([r.returned('greet', 0), r.returned('greet', 1)], ['hi ada', 'hi bob']);
  });

  test('expanding over an empty list skips the mapped task and its all_success downstream', async () => {
    let ran = false;
    const d = dag({ id: 'map_empty' }, () => {
      const nothing = task('nothing', async (): Promise<number[]> => []);
      const each = task('each', async ({ x }: { x: number }) => {
        ran = true;
        return x;
      });
      const after = task('after', async ({ values }: { values: number[] }) => values.length);
      after({ values: each.expand({ x: nothing() }) });
    });
    const r = await run(d);
    assert.deepEqual(r.states, { nothing: 'success', each: 'skipped', after: 'skipped' });
    assert.equal(ran, false);
    assert.equal(r.state, 'success');
  });

  test('the reduce receives results in map-index order even when copies finish out of order', async () => {
    const attempts = new Map<number, number>();
    const d = dag({ id: 'map_order' }, () => {
      // Copy 0 fails its first try and is retried after the others finished.
      const work = task({ taskId: 'work', retries: 1, retryDelay: '200ms' }, async ({ x }: { x: string }, ctx) => {
        const n = (attempts.get(ctx.ti.mapIndex) ?? 0) + 1;
        attempts.set(ctx.ti.mapIndex, n);
        if (ctx.ti.mapIndex === 0 && n === 1) throw new Error('first try of copy 0 fails');
        return x;
      });
      task('collect', async ({ values }: { values: string[] }) => values)({ values: work.expand({ x: ['zero', 'one', 'two'] }) });
    });
    const r = await run(d, { fastRetries: false });
    const finishOrder = r.xcoms.filter((x) => x.taskId === 'work').map((x) => x.mapIndex);
    assert.deepEqual(finishOrder, [1, 2, 0], 'copy 0 finished last');
    assert.deepEqual(r.returned('collect'), ['zero', 'one', 'two']);
  });

  test('a failing mapped copy fails only that copy; the others succeed and the reduce is upstream_failed', async () => {
    const d = dag({ id: 'map_one_fails' }, () => {
      const each = task('each', async ({ x }: { x: number }) => {
        if (x === 2) throw new Error('two is not allowed');
        return x;
      });
      task('reduce', async ({ values }: { values: number[] }) => values)({ values: each.expand({ x: [1, 2, 3] }) });
    });
    const r = await run(d);
    assert.deepEqual(r.states, { 'each[0]': 'success', 'each[1]': 'failed', 'each[2]': 'success', reduce: 'upstream_failed' });
    assert.equal(r.state, 'failed');
  });

  test('the map index and try number are visible on the context of each copy', async () => {
    const seen: string[] = [];
    const d = dag({ id: 'map_ctx' }, () => {
      task('look', async ({ x }: { x: number }, ctx) => {
        seen.push(`${ctx.ti.taskId}:${ctx.ti.mapIndex}:${ctx.ti.tryNumber}:${x}`);
      }).expand({ x: [7, 8] });
    });
    await run(d);
    assert.deepEqual(seen, ['look:0:1:7', 'look:1:1:8']);
  });

  test('an upstream output that is not a list fails the upstream task with a clear message', async () => {
    const d = dag({ id: 'map_not_list' }, () => {
      const notAList = task('not_a_list', async () => 5 as unknown as number[]);
      task('each', async ({ x }: { x: number }) => x).expand({ x: notAList() });
    });
    const r = await run(d);
    assert.deepEqual(r.states, { not_a_list: 'failed', each: 'upstream_failed' });
    assert.match(r.tis.find((t) => t.taskId === 'not_a_list')!.error!, /must produce a list for XCom 'return_value' because a mapped task expands over it/);
  });

  test('an all_done mapped task whose list producer failed is upstream_failed, and an all_done cleanup still runs', async () => {
    const d = dag({ id: 'map_producer_failed' }, () => {
      const produce = task('produce', async (): Promise<number[]> => {
        throw new Error('no list today');
      });
      const each = task({ taskId: 'each', triggerRule: 'all_done' }, async ({ x }: { x: number }) => x).expand({ x: produce() });
      each.then(task({ taskId: 'cleanup', triggerRule: 'all_done' }, async () => 'cleaned')());
    });
    const r = await run(d);
    assert.deepEqual(r.states, { produce: 'failed', each: 'upstream_failed', cleanup: 'success' });
    assert.ok(!r.lines.some((l) => l.includes('deadlocked')));
  });

  test('an expansion over maxMapLength fails the mapped task', async () => {
    const d = dag({ id: 'map_too_long' }, () => {
      const many = task('many', async () => [1, 2, 3, 4]);
      task({ taskId: 'each', maxMapLength: 3 }, async ({ x }: { x: number }) => x).expand({ x: many() });
    });
    const r = await run(d);
    assert.deepEqual(r.states, { many: 'success', each: 'failed' });
    assert.equal(r.state, 'failed');
  });
});
