import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ScheduleSpec } from '../../src/core/serialized-dag.ts';
import { Asset, AssetAlias, Dataset, dag, DagDefinitionError, EmptyOperator, param, task, type ScheduleInput } from '../../src/sdk/index.ts';
import { run } from '../runner/helpers.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';

const isDefinitionError = (pattern: RegExp) => (e: Error) => {
  assert.ok(e instanceof DagDefinitionError, `expected a DagDefinitionError, got ${e.name}: ${e.message}`);
  assert.match(e.message, pattern);
  return true;
};

describe('schedules', () => {
  const a = new Dataset('s3://bucket/a');
  const b = new Dataset('s3://bucket/b');
  const c = new Dataset('warehouse.c');
  const cases: Array<{ name: string; schedule: ScheduleInput | undefined; spec: ScheduleSpec }> = [
    { name: 'no schedule', schedule: undefined, spec: { kind: 'none' } },
    { name: 'null', schedule: null, spec: { kind: 'none' } },
    { name: 'a cron expression', schedule: '30 2 * * 1-5', spec: { kind: 'cron', expression: '30 2 * * 1-5' } },
    { name: '@daily', schedule: '@daily', spec: { kind: 'cron', expression: '0 0 * * *', preset: '@daily' } },
    { name: '@hourly', schedule: '@hourly', spec: { kind: 'cron', expression: '0 * * * *', preset: '@hourly' } },
    { name: '@weekly', schedule: '@weekly', spec: { kind: 'cron', expression: '0 0 * * 0', preset: '@weekly' } },
    { name: '@once', schedule: '@once', spec: { kind: 'once' } },
    { name: '@continuous', schedule: '@continuous', spec: { kind: 'continuous' } },
    { name: 'every 1h', schedule: { every: '1h' }, spec: { kind: 'interval', seconds: 3600 } },
    { name: 'every 90 seconds', schedule: { every: 90 }, spec: { kind: 'interval', seconds: 90 } },
    { name: 'one dataset', schedule: a, spec: { kind: 'dataset', condition: { uri: 's3://bucket/a' } } },
    { name: 'a list with one dataset', schedule: [a], spec: { kind: 'dataset', condition: { uri: 's3://bucket/a' } } },
    {
      name: 'a list of datasets (all of them)',
      schedule: [a, b, c],
      spec: { kind: 'dataset', condition: { all: [{ uri: 's3://bucket/a' }, { uri: 's3://bucket/b' }, { uri: 'warehouse.c' }] } },
    },
    {
      name: 'a.and(b.or(c))',
      schedule: a.and(b.or(c)),
      spec: { kind: 'dataset', condition: { all: [{ uri: 's3://bucket/a' }, { any: [{ uri: 's3://bucket/b' }, { uri: 'warehouse.c' }] }] } },
    },
    { name: 'an asset alias', schedule: new AssetAlias('exports'), spec: { kind: 'dataset', condition: { alias: 'exports' } } },
    {
      name: 'an alias and a dataset (a list)',
      schedule: [new AssetAlias('exports'), a],
      spec: { kind: 'dataset', condition: { all: [{ alias: 'exports' }, { uri: 's3://bucket/a' }] } },
    },
    {
      name: 'alias.or(a)',
      schedule: new AssetAlias('exports').or(a),
      spec: { kind: 'dataset', condition: { any: [{ alias: 'exports' }, { uri: 's3://bucket/a' }] } },
    },
    {
      name: 'a.or(b).and(c)',
      schedule: a.or(b).and(c),
      spec: { kind: 'dataset', condition: { all: [{ any: [{ uri: 's3://bucket/a' }, { uri: 's3://bucket/b' }] }, { uri: 'warehouse.c' }] } },
    },
  ];
  for (const c of cases) {
    test(`${c.name} becomes ${c.spec.kind}`, () => {
      const d = dag({ id: 'sched', schedule: c.schedule }, () => new EmptyOperator({ taskId: 't' }));
      assert.deepEqual(d.schedule, c.spec);
      assert.deepEqual(serializeDag(d).schedule, c.spec);
    });
  }

  const bad: Array<{ name: string; schedule: unknown; message: RegExp }> = [
    { name: 'a cron with too few fields', schedule: '0 3 *', message: /DAG 'bad_sched': invalid schedule "0 3 \*": .*five fields/ },
    { name: 'an unknown preset', schedule: '@fortnightly', message: /invalid schedule "@fortnightly"/ },
    { name: 'an interval that is not a duration', schedule: { every: 'soon' }, message: /invalid schedule \{"every":"soon"\}: .*invalid duration "soon"/ },
    { name: 'an empty list of datasets', schedule: [], message: /an empty list of datasets never triggers a run; use null/ },
    { name: 'a list mixing datasets and strings', schedule: [new Dataset('x'), 'y'], message: /a schedule list must contain only Dataset objects/ },
  ];
  for (const c of bad) {
    test(`${c.name} is a DagDefinitionError`, () => {
      assert.throws(() => dag({ id: 'bad_sched', schedule: c.schedule as ScheduleInput }, () => {}), isDefinitionError(c.message));
    });
  }

  test('an asset alias needs a non-empty name', () => {
    assert.throws(() => new AssetAlias(''), (e: Error) => e instanceof TypeError && /Asset alias name "" is not valid/.test(e.message));
  });

  test('an invalid Dataset URI is a TypeError', () => {
    assert.throws(() => new Dataset('has spaces in it'), (e: Error) => e instanceof TypeError && /Dataset URI "has spaces in it" is not valid/.test(e.message));
  });
});

describe('DAG definition errors', () => {
  test('a cycle is reported by serializeDag with the DAG and the task names', () => {
    const d = dag({ id: 'cyclic' }, () => {
      const a = new EmptyOperator({ taskId: 'extract' });
      const b = new EmptyOperator({ taskId: 'transform' });
      const c = new EmptyOperator({ taskId: 'load' });
      a.then(b).then(c).then(a);
    });
    assert.throws(() => serializeDag(d), isDefinitionError(/DAG 'cyclic': the DAG has a cycle among tasks: .*extract.*/));
    assert.throws(() => serializeDag(d), (e: Error) => ['extract', 'transform', 'load'].every((id) => e.message.includes(id)));
  });

  test('a param default that breaks its own schema is a DagDefinitionError from serializeDag', () => {
    const d = dag({ id: 'bad_param', params: { n: param(50, { type: 'integer', maximum: 10 }) } }, () => new EmptyOperator({ taskId: 't' }));
    assert.throws(() => serializeDag(d), isDefinitionError(/DAG 'bad_param' has invalid params: param 'n': must be <= 10 .*the default must satisfy the param's own schema/));
  });

  test('a param default of the wrong type is a DagDefinitionError', () => {
    const d = dag({ id: 'bad_param_type', params: { name: param(3, { type: 'string' }) } }, () => new EmptyOperator({ taskId: 't' }));
    assert.throws(() => serializeDag(d), isDefinitionError(/param 'name': must be string/));
  });

  test('a param schema with an unknown keyword is a DagDefinitionError', () => {
    const d = dag({ id: 'bad_schema', params: { n: param(1, { minimumm: 0 } as never) } }, () => new EmptyOperator({ taskId: 't' }));
    assert.throws(() => serializeDag(d), isDefinitionError(/param 'n': invalid schema/));
  });

  test('plain values are params with that default; param() keeps its schema', () => {
    const d = dag({ id: 'params', params: { plain: 'x', typed: param(2, { type: 'integer', minimum: 1 }), required: param(undefined, { type: 'string' }) } }, () => new EmptyOperator({ taskId: 't' }));
    assert.deepEqual(serializeDag(d).params, { plain: { default: 'x' }, typed: { default: 2, type: 'integer', minimum: 1 }, required: { type: 'string' } });
  });

  test('a DAG with no tasks cannot be serialized', () => {
    assert.throws(() => serializeDag(dag({ id: 'empty' }, () => {})), isDefinitionError(/DAG 'empty' has no tasks/));
  });

  const badIds = ['', 'with space', 'slash/id'];
  for (const id of badIds) {
    test(`DAG id ${JSON.stringify(id)} is rejected`, () => {
      assert.throws(() => dag({ id }, () => {}), isDefinitionError(/DAG id .* is not valid/));
    });
  }

  test('endDate before startDate is rejected', () => {
    assert.throws(() => dag({ id: 'dates', startDate: '2024-02-01', endDate: '2024-01-01' }, () => {}), isDefinitionError(/endDate is before startDate/));
  });

  test('an unknown time zone is rejected', () => {
    assert.throws(() => dag({ id: 'tz', timezone: 'Mars/Olympus' }, () => {}), isDefinitionError(/unknown time zone "Mars\/Olympus"/));
  });

  test('an operator created outside a DAG throws, telling how to attach it', () => {
    assert.throws(() => new EmptyOperator({ taskId: 'orphan' }), isDefinitionError(/task 'orphan' was created outside a DAG/));
  });

  test('an operator given { dag } outside the build function joins that DAG', () => {
    const d = dag({ id: 'explicit' }, () => new EmptyOperator({ taskId: 'first' }));
    new EmptyOperator({ taskId: 'later', dag: d });
    assert.deepEqual([...d.tasks.keys()], ['first', 'later']);
  });

  test('a TaskFlow task called outside a DAG throws', () => {
    const t = task('floating', async () => 1);
    assert.throws(() => t(), isDefinitionError(/task 'floating' was called outside a dag\(\.\.\.\) build function/));
  });

  test('a TaskFlow task with neither an id nor a named function is rejected', () => {
    assert.throws(() => task((() => () => 1)()), isDefinitionError(/needs an id/));
  });

  test('expand over something that is not a list is rejected', () => {
    assert.throws(
      () => dag({ id: 'bad_expand' }, () => task('m', async ({ x }: { x: number }) => x).expand({ x: 3 as never })),
      isDefinitionError(/expand argument 'x' must be a list or an upstream output/),
    );
  });

  test('a literal expand list longer than maxMapLength is rejected', () => {
    assert.throws(
      () => dag({ id: 'too_long' }, () => task({ taskId: 'm', maxMapLength: 2 }, async ({ x }: { x: number }) => x).expand({ x: [1, 2, 3] })),
      isDefinitionError(/has 3 elements, more than maxMapLength 2/),
    );
  });

  test('the same argument in partial() and expand() is rejected', () => {
    assert.throws(
      () => dag({ id: 'both' }, () => task('m', async ({ x }: { x: number }) => x).partial({ x: 1 }).expand({ x: [1, 2] })),
      isDefinitionError(/'x' is given to both partial\(\) and expand\(\)/),
    );
  });
});

describe('asset aliases among outlets', () => {
  const alias = new AssetAlias('exports');
  const other = new AssetAlias('archive');
  const orders = new Asset('s3://exports/orders');

  test('aliases are serialized by name beside the outlet URIs; tasks without aliases have no outletAliases', () => {
    const d = dag({ id: 'alias_outlets', schedule: null }, () => {
      task({ taskId: 'export', outlets: [alias, orders, alias] }, async () => 1)();
      task({ taskId: 'plain', outlets: [orders] }, async () => 1)();
    });
    const [exp, plain] = serializeDag(d).tasks;
    assert.deepEqual([exp!.outlets, exp!.outletAliases], [['s3://exports/orders'], ['exports']]);
    assert.deepEqual([plain!.outlets, 'outletAliases' in plain!], [['s3://exports/orders'], false]);
  });

  test('an outlet that is neither a dataset nor an alias is a DagDefinitionError', () => {
    const d = dag({ id: 'bad_outlets', schedule: null }, () => {
      task({ taskId: 'export', outlets: ['s3://x' as unknown as Asset] }, async () => 1)();
    });
    assert.throws(() => serializeDag(d), isDefinitionError(/task 'export': outlets must be Dataset, Asset or AssetAlias objects, got "s3:\/\/x"/));
  });

  test('dags test reports the events added through aliases, one per asset and extra, with every alias it went through', async () => {
    const d = dag({ id: 'alias_events', schedule: null }, () => {
      task({ taskId: 'export', outlets: [alias, other, orders] }, async (_: void, ctx) => {
        ctx.outletEvents.get(alias).add(new Asset('s3://exports/2024-01-01'), { extra: { rows: 2 } });
        ctx.outletEvents.get(other).add(new Asset('s3://exports/2024-01-01'), { extra: { rows: 2 } });
        ctx.outletEvents.get(alias).add(new Asset('s3://exports/2024-01-02'));
      })();
    });
    const r = await run(d);
    assert.equal(r.state, 'success');
    assert.deepEqual(r.aliasEvents, [
      { uri: 's3://exports/2024-01-01', extra: { rows: 2 }, aliases: ['exports', 'archive'] },
      { uri: 's3://exports/2024-01-02', extra: {}, aliases: ['exports'] },
    ]);
    assert.deepEqual(r.lines.filter((l) => l.includes('◆')), [
      '  ◆ asset event: s3://exports/orders',
      '  ◆ asset event: s3://exports/2024-01-01 through alias exports, archive · extra {"rows":2}',
      '  ◆ asset event: s3://exports/2024-01-02 through alias exports',
    ]);
  });

  test('adding through an alias the task does not declare, or with an extra that is not an object, fails the try with the reason and reports no event', async () => {
    for (const [body, message] of [
      [(ctx: import('../../src/sdk/index.ts').TaskContext) => ctx.outletEvents.get(other).add(orders), /task 'export' can add events only through an asset alias among its outlets; AssetAlias\("archive"\) is not one \(its outlets: AssetAlias\("exports"\)\)/],
      [(ctx: import('../../src/sdk/index.ts').TaskContext) => ctx.outletEvents.get(alias).add(orders, { extra: [1] as never }), /the extra of an event added through AssetAlias\("exports"\) must be a JSON object, got a list/],
    ] as const) {
      const d = dag({ id: 'alias_misuse', schedule: null }, () => {
        task({ taskId: 'export', outlets: [alias] }, async (_: void, ctx) => { body(ctx); })();
      });
      const r = await run(d);
      assert.equal(r.state, 'failed');
      assert.match(r.tis[0]!.error!, message);
      assert.deepEqual(r.aliasEvents, []);
    }
  });
});
