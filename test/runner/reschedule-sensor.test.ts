import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConditionSensor, dag } from '../../src/sdk/index.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';
import { runDagLocally } from '../../src/runner/local-dag-run.ts';

test('dags test: a reschedule-mode sensor that never succeeds times out (counted from its first poke) and fails without retrying', async () => {
  let pokes = 0;
  const d = dag({ id: 'never_ready' }, () => {
    new ConditionSensor({ taskId: 'wait', mode: 'reschedule', pokeInterval: 0.05, timeout: 0.4, retries: 3, condition: () => (pokes++, false) });
  });
  const result = await runDagLocally({ dag: d, serialized: serializeDag(d), fastRetries: true, print: () => {} });
  assert.equal(result.state, 'failed');
  const [ti] = result.tis;
  assert.equal(ti!.state, 'failed');
  assert.equal(ti!.tryNumber, 1, 'reschedules do not spend tries');
  assert.ok(pokes > 1, 'the sensor was poked several times');
});
