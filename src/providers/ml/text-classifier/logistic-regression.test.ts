import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimizeLbfgs, DEFAULT_LBFGS_OPTIONS } from './lbfgs.ts';
import { predictProbabilities, sampleWeights, trainLogisticRegression } from './logistic-regression.ts';
import type { LogisticRegressionOptions } from './logistic-regression.ts';
import type { SparseVector } from './tfidf.ts';

test('L-BFGS finds the minimum of the Rosenbrock function', () => {
  const result = minimizeLbfgs(
    (x, g) => {
      const [a, b] = x;
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    },
    Float64Array.from([-1.2, 1]),
    { ...DEFAULT_LBFGS_OPTIONS, functionTolerance: 0 },
  );
  assert.ok(result.converged);
  assert.ok(Math.abs(result.x[0] - 1) < 1e-4 && Math.abs(result.x[1] - 1) < 1e-4, `stopped at ${result.x}`);
});

const sparse = (entries: [number, number][]): SparseVector => ({
  indices: Int32Array.from(entries.map(([i]) => i)),
  values: Float64Array.from(entries.map(([, v]) => v)),
});
// Feature f signals class f; feature 3 is noise shared by all.
const xs = [
  sparse([[0, 1]]),
  sparse([[0, 0.8], [3, 0.6]]),
  sparse([[1, 1]]),
  sparse([[1, 0.8], [3, 0.6]]),
  sparse([[2, 1]]),
  sparse([[2, 0.8], [3, 0.6]]),
];
const ys = [0, 0, 1, 1, 2, 2];
const options: LogisticRegressionOptions = {
  l2: 1e-3,
  classWeight: null,
  solver: 'lbfgs',
  maxIterations: 200,
  tolerance: 1e-8,
  learningRate: 0.05,
  batchSize: 2,
  seed: 1,
};

for (const solver of ['lbfgs', 'adam'] as const) {
  test(`${solver} fits a separable three-class problem`, () => {
    const model = trainLogisticRegression(xs, ys, 4, 3, { ...options, solver });
    xs.forEach((x, i) => {
      const p = predictProbabilities(model, x);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      assert.equal(p.indexOf(Math.max(...p)), ys[i]);
      assert.ok(p[ys[i]] > 0.8, `sample ${i}: p(true) = ${p[ys[i]]}`);
    });
  });
}

test('a stronger L2 penalty gives smaller weights', () => {
  const norm = (l2: number): number =>
    Math.hypot(...trainLogisticRegression(xs, ys, 4, 3, { ...options, l2 }).weights);
  assert.ok(norm(1e-1) < norm(1e-3));
});

test('balanced class weights are n / (classes * count)', () => {
  assert.deepEqual(Array.from(sampleWeights([0, 0, 0, 1], 2, 'balanced')), [4 / 6, 4 / 6, 4 / 6, 2]);
  assert.deepEqual(Array.from(sampleWeights([0, 1], 2, null)), [1, 1]);
});

test('trainLogisticRegression rejects inconsistent input', () => {
  assert.throws(() => trainLogisticRegression([], [], 4, 3, options), /zero samples/);
  assert.throws(() => trainLogisticRegression(xs, [0], 4, 3, options), /6 inputs but 1 labels/);
  assert.throws(() => trainLogisticRegression(xs, ys, 4, 1, options), /at least 2 classes/);
  assert.throws(() => trainLogisticRegression(xs, [0, 0, 1, 1, 2, 5], 4, 3, options), /label index 5/);
});
