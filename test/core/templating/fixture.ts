import { buildTemplateContext } from '../../../src/core/templating/index.ts';
import type { TemplateContext, TemplateContextInput, XComPullArgs } from '../../../src/core/templating/index.ts';

export const XCOMS: Record<string, Record<string, unknown>> = {
  push: { return_value: 'pushed', k: 'push-k' },
  a: { return_value: 'A', k: 'a-k' },
  b: { return_value: 'B', k: 'b-k' },
  nums: { return_value: [1, 2, 3] },
};

/** Looks XComs up in XCOMS; a list of task ids gives a list of values, like Airflow. */
export function fakeXcomPull(args: XComPullArgs): unknown {
  const one = (id: string) => (args.key === undefined ? Object.values(XCOMS[id] ?? {})[0] : XCOMS[id]?.[args.key]);
  if (Array.isArray(args.taskIds)) return args.taskIds.map(one);
  return args.taskIds === undefined ? undefined : one(args.taskIds);
}

export function makeContext(over: Partial<TemplateContextInput> = {}): TemplateContext {
  return buildTemplateContext({
    logicalDate: new Date('2024-01-01T00:00:00Z'),
    dataIntervalStart: new Date('2024-01-01T00:00:00Z'),
    dataIntervalEnd: new Date('2024-01-02T00:00:00Z'),
    runId: 'scheduled__2024-01-01T00:00:00+00:00',
    runType: 'scheduled',
    dagId: 'example',
    taskId: 'report',
    mapIndex: -1,
    tryNumber: 1,
    params: { my_param: 'hello', flag: true, fruits: ['x', 'y'], limit: 10, nothing: null },
    conf: { k: 'from-conf', nested: { deep: 1 } },
    xcomPull: fakeXcomPull,
    getVariable: (key) => ({ foo: 'bar', settings: '{"region": "eu", "sizes": [1, 2]}', broken: '{nope' } as Record<string, string>)[key],
    getConnection: (id) =>
      id === 'warehouse'
        ? { connType: 'postgres', host: 'db.internal', login: 'etl', password: 's3cret', schema: 'analytics', port: 5432, extra: '{"sslmode": "require"}' }
        : id === 'snake'
          ? { conn_type: 'http', host: 'api.example.com' }
          : undefined,
    ...over,
  });
}
