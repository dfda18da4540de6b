import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ParamsError } from '../../src/runner/local-dag-run.ts';
import { dag, param, task } from '../../src/sdk/index.ts';
import { run } from './helpers.ts';

function paramsDag(onRun: (params: Record<string, unknown>) => void) {
  return dag(
    {
      id: 'params',
      params: {
        threshold: param(0.5, { type: 'number', minimum: 0, maximum: 1 }),
        mode: param('fast', { enum: ['fast', 'slow'] }),
        label: 'plain default',
      },
    },
    () => {
      task('read', async (_: void, ctx) => {
        onRun(ctx.params);
        return ctx.params;
      })();
    },
  );
}

describe('params in a run', () => {
  test('a task sees the defaults when the conf is empty', async () => {
    const seen: Array<Record<string, unknown>> = [];
    await run(paramsDag((p) => seen.push(p)));
    assert.deepEqual(seen, [{ threshold: 0.5, mode: 'fast', label: 'plain default' }]);
  });

  test('the conf overrides a default; conf keys that name no param are ignored', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const r = await run(paramsDag((p) => seen.push(p)), { conf: { threshold: 0.9, other: 1 } });
    assert.deepEqual(seen, [{ threshold: 0.9, mode: 'fast', label: 'plain default' }]);
    assert.equal(r.state, 'success');
  });

  const invalid: Array<{ name: string; conf: Record<string, unknown>; message: RegExp }> = [
    { name: 'an out-of-range value', conf: { threshold: 3 }, message: /invalid params for DAG 'params': param 'threshold': must be <= 1 \(got 3\)/ },
    { name: 'a value of the wrong type', conf: { threshold: 'high' }, message: /param 'threshold': must be number \(got "high"\)/ },
    { name: 'a value outside the enum', conf: { mode: 'medium' }, message: /param 'mode': must be equal to one of the allowed values \["fast","slow"\]/ },
  ];
  for (const c of invalid) {
    test(`${c.name} in the conf makes runDagLocally throw ParamsError before any task runs`, async () => {
      let ran = false;
      const lines: string[] = [];
      await assert.rejects(
        run(paramsDag(() => (ran = true)), { conf: c.conf, print: (l) => lines.push(l) }),
        (e: Error) => e instanceof ParamsError && c.message.test(e.message),
      );
      assert.equal(ran, false);
      assert.ok(!lines.some((l) => l.startsWith('▶')), 'no task started');
    });
  }

  test('a required param (no default) missing from the conf is an error; given in the conf it is used', async () => {
    const seen: unknown[] = [];
    const d = dag({ id: 'required_param', params: { table: param<string>(undefined, { type: 'string', minLength: 1 }) } }, () => {
      task('use', async (_: void, ctx) => void seen.push(ctx.params.table))();
    });
    await assert.rejects(run(d), (e: Error) => e instanceof ParamsError && /param 'table' is required: give it a default or pass it in the run's conf/.test(e.message));
    assert.deepEqual(seen, []);
    await run(d, { conf: { table: 'users' } });
    assert.deepEqual(seen, ['users']);
  });

  test('every invalid param is reported at once', async () => {
    await assert.rejects(run(paramsDag(() => {}), { conf: { threshold: -1, mode: 'x' } }), (e: Error) => /threshold/.test(e.message) && /mode/.test(e.message));
  });
});
