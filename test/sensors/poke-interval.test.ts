import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextPokeInterval, type PokeIntervalArgs } from '../../src/sdk/sensors/poke-interval.ts';

const base: PokeIntervalArgs = {
  dagId: 'd', taskId: 't', startedAt: new Date('2024-03-10T00:00:00Z'), elapsed: 0, pokeCount: 1, mode: 'poke',
  pokeInterval: 10, timeout: 604800, exponentialBackoff: true, maxWait: null,
};

describe('next poke interval', () => {
  test('without exponential backoff it is the poke interval', () => {
    assert.equal(nextPokeInterval({ ...base, exponentialBackoff: false, pokeCount: 5 }), 10);
  });

  test("with exponential backoff it matches Airflow's values for the same dag, task, start and poke count", () => {
    // Computed with Airflow's BaseSensorOperator._get_next_poke_interval formula.
    const got = [1, 2, 3, 4, 5, 6, 7].map((pokeCount) => nextPokeInterval({ ...base, pokeCount }));
    assert.deepEqual(got, [9, 11, 34, 74, 93, 199, 528]);
  });

  test('maxWait caps the interval', () => {
    assert.equal(nextPokeInterval({ ...base, pokeCount: 7, maxWait: 100 }), 100);
  });

  test('the interval never goes past the timeout', () => {
    assert.equal(nextPokeInterval({ ...base, pokeCount: 7, timeout: 300, elapsed: 250 }), 50);
  });

  test('in reschedule mode the poke count is estimated from the time waited so far', () => {
    // 100 s waited: Airflow estimates poke 4, whose interval is 74 s.
    assert.equal(nextPokeInterval({ ...base, mode: 'reschedule', elapsed: 100, pokeCount: 1 }), 74);
  });
});
