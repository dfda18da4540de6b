import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jobIdOf, queueNameProblem, tryOfJobId } from './job-ids.ts';
import { maskRedisUrl } from './redis-connection.ts';
import { Semaphore } from './semaphore.ts';

describe('BullMQ job ids', () => {
  const cases = [
    { key: { dagId: 'etl', runId: 'manual__2026-01-01T00:00:00+00:00', taskId: 'load', mapIndex: -1 }, tryNumber: 1, queuedAt: '2026-01-01T00:00:01.000Z' },
    { key: { dagId: 'a|b', runId: 'r:1|2', taskId: 'g.t%', mapIndex: 42 }, tryNumber: 7, queuedAt: '2026-12-05T10:00:00.123Z' },
    { key: { dagId: 'ünï', runId: '0', taskId: 't', mapIndex: 0 }, tryNumber: 2, queuedAt: 'x' },
  ];
  for (const c of cases) {
    test(`round-trips ${c.key.dagId}/${c.key.runId}/${c.key.taskId}[${c.key.mapIndex}] try ${c.tryNumber}, with no ':' (BullMQ refuses it) and never a bare integer`, () => {
      const id = jobIdOf(c);
      assert.ok(!id.includes(':'), id);
      assert.ok(!/^\d+$/.test(id));
      assert.deepEqual(tryOfJobId(id), c);
    });
  }

  test('each dispatch of a try has its own id: a deferred try resumed under the same try number is a new job', () => {
    const t = cases[0]!;
    assert.notEqual(jobIdOf(t), jobIdOf({ ...t, queuedAt: '2026-01-01T00:00:09.000Z' }));
    assert.notEqual(jobIdOf(t), jobIdOf({ ...t, tryNumber: 2 }));
  });

  for (const bad of ['', 'abc', '1|2|3', 'a|r|t|x|1|q', 'a|r|t|0|0|q', '|r|t|0|1|q', 'a|r|t|0|1|%E0%A4%A']) {
    test(`${JSON.stringify(bad)} is not a Baton job id`, () => assert.equal(tryOfJobId(bad), null));
  }

  for (const [name, ok] of [['default', true], ['gpu', true], ['ml.train-2_x', true], ['', false], ['a:b', false], ['with space', false], ['x'.repeat(101), false]] as const) {
    test(`queue name ${JSON.stringify(name.slice(0, 20))} is ${ok ? 'accepted' : 'refused with a reason'}`, () => {
      const p = queueNameProblem(name);
      if (ok) assert.equal(p, null);
      else assert.match(p!, /queue names are 1 to 100 letters/);
    });
  }
});

describe('Redis URL masking', () => {
  for (const [url, masked] of [
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://:s3cret@redis:6379/0', 'redis://:***@redis:6379/0'],
    ['rediss://user:p%40ss@host', 'rediss://user:***@host'],
  ]) {
    test(`${url} shows as ${masked}`, () => assert.equal(maskRedisUrl(url!), masked));
  }
});

describe('Semaphore', () => {
  test('gives out as many permits as it has, queues the rest in order, and turns waiters away once closed', async () => {
    const s = new Semaphore(2);
    assert.equal(await s.acquire(), true);
    assert.equal(await s.acquire(), true);
    const order: string[] = [];
    const third = s.acquire().then((ok) => order.push(`third ${ok}`));
    const fourth = s.acquire().then((ok) => order.push(`fourth ${ok}`));
    s.release();
    await third;
    assert.deepEqual(order, ['third true']);
    s.close();
    await fourth;
    assert.deepEqual(order, ['third true', 'fourth false']);
    assert.equal(await s.acquire(), false);
  });
});
