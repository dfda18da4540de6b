import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACT_FORMAT, InvalidArtifactError, type TextClassifierArtifact } from './artifact.ts';
import { projectExamples, readProjectsCsv } from './madewithml.ts';
import { evaluate, loadTextClassifier, trainTextClassifier } from './model.ts';
import { DEFAULT_TRAIN_OPTIONS } from './options.ts';

const DATA = new URL('../../../../examples/data/madewithml/', import.meta.url);
const train = projectExamples(readProjectsCsv(new URL('dataset.csv', DATA)));
const holdout = projectExamples(readProjectsCsv(new URL('holdout.csv', DATA)));
const classifier = trainTextClassifier(train);
const artifactText = JSON.stringify(classifier.toJSON());

test('trained on dataset.csv, it scores weighted F1 >= 0.88 on holdout.csv', () => {
  const report = evaluate(classifier, holdout);
  assert.deepEqual(report.labels, ['computer-vision', 'mlops', 'natural-language-processing', 'other']);
  assert.equal(report.total, 191);
  assert.ok(report.weightedF1 >= 0.88, `weighted F1 ${report.weightedF1.toFixed(4)} < 0.88`);
  assert.ok(report.accuracy >= 0.88, `accuracy ${report.accuracy.toFixed(4)} < 0.88`);
});

test('predictProba is a distribution over the labels and predict is its argmax', () => {
  for (const { text } of holdout.slice(0, 20)) {
    const proba = classifier.predictProba(text);
    assert.deepEqual(Object.keys(proba), classifier.labels);
    assert.ok(Math.abs(Object.values(proba).reduce((a, b) => a + b, 0) - 1) < 1e-12);
    const best = Object.entries(proba).reduce((a, b) => (b[1] > a[1] ? b : a));
    assert.equal(classifier.predict(text), best[0]);
  }
  assert.equal(classifier.predict('A transformer language model for machine translation and text summarization'), 'natural-language-processing');
  assert.equal(classifier.predict('Convolutional network for image segmentation and object detection'), 'computer-vision');
});

test('the same examples and seed give the identical artifact', () => {
  assert.equal(JSON.stringify(trainTextClassifier(train, { seed: DEFAULT_TRAIN_OPTIONS.seed })), artifactText);
});

test('the adam solver is reproducible from its seed, and the seed matters', () => {
  const subset = train.slice(0, 200);
  const opts = { solver: 'adam', maxIterations: 3, charNgramRange: null } as const;
  const a = JSON.stringify(trainTextClassifier(subset, { ...opts, seed: 7 }));
  assert.equal(JSON.stringify(trainTextClassifier(subset, { ...opts, seed: 7 })), a);
  assert.notEqual(JSON.stringify(trainTextClassifier(subset, { ...opts, seed: 8 })), a);
});

test('a saved and loaded model predicts exactly as the original', () => {
  const loaded = loadTextClassifier(JSON.parse(artifactText));
  const fromText = loadTextClassifier(artifactText);
  assert.deepEqual(loaded.labels, classifier.labels);
  assert.deepEqual(loaded.options, classifier.options);
  for (const { text } of holdout) {
    const expected = classifier.predictProba(text);
    assert.deepEqual(loaded.predictProba(text), expected);
    assert.deepEqual(fromText.predictProba(text), expected);
    assert.equal(loaded.predict(text), classifier.predict(text));
  }
  assert.equal(JSON.stringify(loaded), artifactText);
});

test('the artifact is plain JSON with format, version, labels, options, vocabulary, idf and weights', () => {
  const artifact = JSON.parse(artifactText) as TextClassifierArtifact;
  assert.equal(artifact.format, ARTIFACT_FORMAT);
  assert.equal(artifact.version, 1);
  assert.deepEqual(artifact.options, { ...DEFAULT_TRAIN_OPTIONS });
  assert.equal(artifact.idf.length, artifact.vocabulary.length);
  assert.equal(artifact.weights.length, artifact.labels.length);
  assert.ok(artifact.weights.every((row) => row.length === artifact.vocabulary.length));
  assert.equal(artifact.bias.length, artifact.labels.length);
});

const corruptions: [string, (a: any) => unknown, RegExp][] = [
  ['truncated JSON text', () => artifactText.slice(0, 100), /not valid JSON/],
  ['null', () => null, /expected a JSON object/],
  ['an array', () => [], /expected a JSON object/],
  ['another format', (a) => ({ ...a, format: 'onnx' }), /format is "onnx", expected "baton.text-classifier"/],
  ['a future version', (a) => ({ ...a, version: 2 }), /version 2 is not supported \(expected 1\)/],
  ['missing bias', (a) => ({ ...a, bias: undefined }), /bias must be an array/],
  ['a short weight row', (a) => ({ ...a, weights: [a.weights[0], a.weights[1].slice(1), ...a.weights.slice(2)] }), /weights\[1\] has \d+ entries, expected \d+/],
  ['a missing weight row', (a) => ({ ...a, weights: a.weights.slice(1) }), /one row per label \(4\)/],
  ['a non-number weight', (a) => { a.weights[2][5] = 'x'; return a; }, /weights\[2\]\[5\] is "x", expected a finite number/],
  ['a null idf (NaN once serialised)', (a) => { a.idf[3] = null; return a; }, /idf\[3\] is null/],
  ['an idf below 1', (a) => { a.idf[0] = 0.5; return a; }, /idf values must be >= 1/],
  ['idf of the wrong length', (a) => ({ ...a, idf: a.idf.slice(1) }), /idf has \d+ entries, expected \d+/],
  ['duplicate labels', (a) => ({ ...a, labels: ['mlops', 'mlops', 'other', 'x'] }), /labels repeats "mlops"/],
  ['a single label', (a) => ({ ...a, labels: ['mlops'] }), /labels has 1 entries, expected at least 2/],
  ['a duplicate vocabulary term', (a) => { a.vocabulary[1] = a.vocabulary[0]; return a; }, /vocabulary repeats/],
  ['a bad option', (a) => ({ ...a, options: { ...a.options, ngramRange: [3, 1] } }), /options: ngramRange must be/],
  ['an unknown option', (a) => ({ ...a, options: { ...a.options, colour: 'red' } }), /options: unknown option "colour"/],
  ['a missing option', (a) => { delete a.options.seed; return a; }, /options: option "seed" is missing/],
];

for (const [name, corrupt, message] of corruptions) {
  test(`loadTextClassifier rejects an artifact with ${name}`, () => {
    const bad = corrupt(JSON.parse(artifactText));
    assert.throws(
      () => loadTextClassifier(bad),
      (error: unknown) => {
        assert.ok(error instanceof InvalidArtifactError, `not an InvalidArtifactError: ${error}`);
        assert.match(error.message, /^Invalid text classifier artifact: /);
        assert.match(error.message, message);
        return true;
      },
    );
  });
}

test('trainTextClassifier rejects unusable examples and options', () => {
  assert.throws(() => trainTextClassifier([{ text: 'a b', label: 'x' }]), /at least 2 labels, got 1 \(x\)/);
  assert.throws(() => trainTextClassifier([{ text: 'a', label: '' }]), /example 0 has no label/);
  assert.throws(() => trainTextClassifier(train, { l2: -1 }), /l2 must be a finite number >= 0/);
  assert.throws(() => trainTextClassifier(train, { solver: 'sgd' as 'adam' }), /solver must be 'lbfgs' or 'adam'/);
  assert.throws(() => trainTextClassifier(train, { lr: 1 } as object), /unknown option "lr"/);
});

test('evaluate keeps labels the classifier never saw', () => {
  const report = evaluate(classifier, [...holdout.slice(0, 5), { text: 'quantum chemistry', label: 'science' }]);
  assert.equal(report.labels.at(-1), 'science');
  assert.equal(report.perClass.at(-1)?.support, 1);
  assert.equal(report.perClass.at(-1)?.recall, 0);
});
