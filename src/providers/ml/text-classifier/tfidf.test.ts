import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smoothIdf, TfidfVectorizer } from './tfidf.ts';
import type { TfidfOptions } from './tfidf.ts';

const raw: TfidfOptions = { minDf: 1, maxDf: 1, maxFeatures: null, sublinearTf: false };
const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('smooth idf matches ln((1 + n) / (1 + df)) + 1', () => {
  close(smoothIdf(2, 2), 1);
  close(smoothIdf(1, 2), Math.log(1.5) + 1);
});

test('fit builds a sorted vocabulary and transform gives L2-normalised tf-idf', () => {
  const v = TfidfVectorizer.fit([['b', 'a'], ['a']], raw);
  assert.deepEqual(v.vocabulary, ['a', 'b']);
  close(v.idf[0], 1);
  close(v.idf[1], 1 + Math.log(1.5));
  const x = v.transform(['b', 'a', 'b', 'unknown']);
  assert.deepEqual(Array.from(x.indices), [0, 1]);
  const a = 1;
  const b = 2 * (1 + Math.log(1.5));
  const norm = Math.hypot(a, b);
  close(x.values[0], a / norm);
  close(x.values[1], b / norm);
});

test('sublinear tf uses 1 + ln(count)', () => {
  const v = TfidfVectorizer.fit([['a'], ['b']], { ...raw, sublinearTf: true });
  const x = v.transform(['a', 'a', 'a', 'b']);
  const a = 1 + Math.log(3);
  const norm = Math.hypot(a, 1);
  close(x.values[0], a / norm);
  close(x.values[1], 1 / norm);
});

test('minDf, maxDf and maxFeatures prune the vocabulary', () => {
  const docs = [['common', 'rare', 'mid'], ['common', 'mid'], ['common', 'mid', 'mid']];
  assert.deepEqual(TfidfVectorizer.fit(docs, { ...raw, minDf: 2 }).vocabulary, ['common', 'mid']);
  assert.deepEqual(TfidfVectorizer.fit(docs, { ...raw, maxDf: 0.9 }).vocabulary, ['rare']);
  // mid occurs 4 times, common 3 times, rare once.
  assert.deepEqual(TfidfVectorizer.fit(docs, { ...raw, maxFeatures: 1 }).vocabulary, ['mid']);
});

test('an out-of-vocabulary document maps to the empty vector', () => {
  const x = TfidfVectorizer.fit([['a']], raw).transform(['zzz']);
  assert.equal(x.indices.length, 0);
  assert.equal(x.values.length, 0);
});

test('fit rejects bad options and empty input', () => {
  assert.throws(() => TfidfVectorizer.fit([], raw), /zero documents/);
  assert.throws(() => TfidfVectorizer.fit([['a']], { ...raw, minDf: 0 }), /minDf must be an integer >= 1/);
  assert.throws(() => TfidfVectorizer.fit([['a']], { ...raw, maxDf: 0 }), /maxDf must be a number in \(0, 1\]/);
  assert.throws(() => TfidfVectorizer.fit([['a']], { ...raw, minDf: 2 }), /no term occurs in at least minDf=2/);
});
