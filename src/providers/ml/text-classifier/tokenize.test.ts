import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charNgrams, tokenize, validateTokenizeOptions, wordNgrams, words } from './tokenize.ts';
import type { TokenizeOptions } from './tokenize.ts';

const base: TokenizeOptions = { ngramRange: [1, 1], charNgramRange: null, stopwords: false, minTokenLength: 2 };

test('words lowercases, drops URLs, punctuation and one-letter words', () => {
  assert.deepEqual(words('Hello, World! See https://example.com/x?y=1 and www.test.org — a GPT-2 demo.', base), [
    'hello',
    'world',
    'see',
    'and',
    'gpt',
    'demo',
  ]);
  assert.deepEqual(words('Café déjà-vu 3D', base), ['café', 'déjà', 'vu', '3d']);
});

test('stopwords are removed before n-grams are formed', () => {
  const terms = tokenize('The state of the art in object detection', { ...base, ngramRange: [1, 2], stopwords: true });
  assert.deepEqual(terms, ['state', 'art', 'object', 'detection', 'state art', 'art object', 'object detection']);
});

test('wordNgrams covers every length in the range', () => {
  assert.deepEqual(wordNgrams(['a', 'b', 'c'], [2, 3]), ['a b', 'b c', 'a b c']);
  assert.deepEqual(wordNgrams(['a'], [2, 2]), []);
});

test('charNgrams pads words and prefixes terms so they never clash with words', () => {
  assert.deepEqual(charNgrams(['ab'], [2, 3]), ['# a', '#ab', '#b ', '# ab', '#ab ']);
  const terms = tokenize('the GAN', { ...base, stopwords: true, charNgramRange: [4, 4] });
  // Stopwords feed character n-grams even when dropped as words.
  assert.deepEqual(terms, ['gan', '# the', '#the ', '# gan', '#gan ']);
});

test('validateTokenizeOptions names the bad field', () => {
  assert.throws(() => validateTokenizeOptions({ ...base, ngramRange: [2, 1] }), /ngramRange must be \[min, max\]/);
  assert.throws(() => validateTokenizeOptions({ ...base, charNgramRange: [0, 3] }), /charNgramRange/);
  assert.throws(() => validateTokenizeOptions({ ...base, minTokenLength: 0 }), /minTokenLength/);
});
