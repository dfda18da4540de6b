import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, classificationReport, confusionMatrix, weightedF1 } from './metrics.ts';

const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: got ${actual}, expected ${expected}`);

interface Case {
  name: string;
  yTrue: string[];
  yPred: string[];
  labels: string[];
  accuracy: number;
  /** [precision, recall, f1, support] per label, in `labels` order. */
  perClass: [number, number, number, number][];
  matrix: number[][];
  macroF1: number;
  weightedPrecision: number;
  weightedRecall: number;
  weightedF1: number;
}

// Every expected number below is worked out by hand from the confusion matrix.
const cases: Case[] = [
  {
    name: 'three classes with mixed errors',
    yTrue: ['a', 'a', 'a', 'b', 'b', 'c'],
    yPred: ['a', 'a', 'b', 'b', 'c', 'c'],
    labels: ['a', 'b', 'c'],
    accuracy: 4 / 6,
    perClass: [
      [1, 2 / 3, 0.8, 3], // tp 2, predicted 2, true 3
      [0.5, 0.5, 0.5, 2], // tp 1, predicted 2, true 2
      [0.5, 1, 2 / 3, 1], // tp 1, predicted 2, true 1
    ],
    matrix: [
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ],
    macroF1: (0.8 + 0.5 + 2 / 3) / 3, // 59/90
    weightedPrecision: (1 * 3 + 0.5 * 2 + 0.5 * 1) / 6, // 0.75
    weightedRecall: 4 / 6,
    weightedF1: (0.8 * 3 + 0.5 * 2 + (2 / 3) * 1) / 6, // 61/90
  },
  {
    name: 'a class never predicted has precision 0 (zero division)',
    yTrue: ['x', 'x', 'y', 'y'],
    yPred: ['x', 'x', 'x', 'x'],
    labels: ['x', 'y'],
    accuracy: 0.5,
    perClass: [
      [0.5, 1, 2 / 3, 2],
      [0, 0, 0, 2],
    ],
    matrix: [
      [2, 0],
      [2, 0],
    ],
    macroF1: 1 / 3,
    weightedPrecision: 0.25,
    weightedRecall: 0.5,
    weightedF1: 1 / 3,
  },
  {
    name: 'a label only predicted has support 0 and recall 0',
    yTrue: ['p', 'p'],
    yPred: ['p', 'q'],
    labels: ['p', 'q'],
    accuracy: 0.5,
    perClass: [
      [1, 0.5, 2 / 3, 2],
      [0, 0, 0, 0],
    ],
    matrix: [
      [1, 1],
      [0, 0],
    ],
    macroF1: 1 / 3,
    weightedPrecision: 1,
    weightedRecall: 0.5,
    weightedF1: 2 / 3,
  },
  {
    name: 'perfect predictions',
    yTrue: ['cat', 'dog', 'dog'],
    yPred: ['cat', 'dog', 'dog'],
    labels: ['cat', 'dog'],
    accuracy: 1,
    perClass: [
      [1, 1, 1, 1],
      [1, 1, 1, 2],
    ],
    matrix: [
      [1, 0],
      [0, 2],
    ],
    macroF1: 1,
    weightedPrecision: 1,
    weightedRecall: 1,
    weightedF1: 1,
  },
];

for (const c of cases) {
  test(`classificationReport: ${c.name}`, () => {
    const report = classificationReport(c.yTrue, c.yPred);
    assert.deepEqual(report.labels, c.labels);
    assert.deepEqual(report.confusionMatrix, c.matrix);
    assert.equal(report.total, c.yTrue.length);
    close(report.accuracy, c.accuracy, 'accuracy');
    c.perClass.forEach(([precision, recall, f1, support], i) => {
      const m = report.perClass[i];
      assert.equal(m.label, c.labels[i]);
      close(m.precision, precision, `${m.label} precision`);
      close(m.recall, recall, `${m.label} recall`);
      close(m.f1, f1, `${m.label} f1`);
      assert.equal(m.support, support);
    });
    close(report.macroF1, c.macroF1, 'macro F1');
    close(report.weightedPrecision, c.weightedPrecision, 'weighted precision');
    close(report.weightedRecall, c.weightedRecall, 'weighted recall');
    close(report.weightedF1, c.weightedF1, 'weighted F1');
    close(weightedF1(c.yTrue, c.yPred), c.weightedF1, 'weightedF1()');
    close(accuracy(c.yTrue, c.yPred), c.accuracy, 'accuracy()');
  });
}

test('confusionMatrix follows an explicit label order, including unseen labels', () => {
  assert.deepEqual(confusionMatrix(['b', 'a', 'a'], ['b', 'b', 'a'], ['b', 'z', 'a']), [
    [1, 0, 0],
    [0, 0, 0],
    [1, 0, 1],
  ]);
});

test('metrics reject mismatched, empty or unlisted input', () => {
  assert.throws(() => accuracy(['a'], ['a', 'b']), /yTrue has 1 labels but yPred has 2/);
  assert.throws(() => classificationReport([], []), /zero samples/);
  assert.throws(() => confusionMatrix(['a'], ['c'], ['a', 'b']), /label "c" is not in the label list/);
  assert.throws(() => confusionMatrix(['a'], ['a'], ['a', 'a']), /labels must be distinct/);
});
