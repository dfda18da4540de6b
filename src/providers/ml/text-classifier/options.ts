/**
 * Training options of the text classifier: defaults, merging and validation.
 */
import type { LogisticRegressionOptions } from './logistic-regression.ts';
import { validateTfidfOptions, type TfidfOptions } from './tfidf.ts';
import { validateTokenizeOptions, type TokenizeOptions } from './tokenize.ts';

/** Every setting of tokenization, TF-IDF weighting and the logistic regression fit. */
export interface TrainOptions extends TokenizeOptions, TfidfOptions, LogisticRegressionOptions {}

/**
 * Defaults, chosen by cross-validation on the training split:
 * - tokenization: word unigrams + bigrams (`ngramRange: [1, 2]`), character n-grams of 2 to 5
 *   characters inside words (`charNgramRange: [2, 5]`), English stopwords removed
 *   (`stopwords: true`), words of 2+ characters (`minTokenLength: 2`);
 * - TF-IDF: terms in 2+ documents (`minDf: 2`), no upper document-frequency cut (`maxDf: 1`),
 *   no vocabulary cap (`maxFeatures: null`), sublinear tf (`sublinearTf: true`);
 * - model: L-BFGS (`solver: 'lbfgs'`) with `l2: 3e-5`, balanced class weights
 *   (`classWeight: 'balanced'`), at most 300 iterations (`maxIterations: 300`),
 *   `tolerance: 1e-5`; Adam settings `learningRate: 0.01`, `batchSize: 32`; `seed: 42`.
 */
export const DEFAULT_TRAIN_OPTIONS: Readonly<TrainOptions> = Object.freeze({
  ngramRange: [1, 2] as [number, number],
  charNgramRange: [2, 5] as [number, number],
  stopwords: true,
  minTokenLength: 2,
  minDf: 2,
  maxDf: 1,
  maxFeatures: null,
  sublinearTf: true,
  l2: 3e-5,
  classWeight: 'balanced' as const,
  solver: 'lbfgs' as const,
  maxIterations: 300,
  tolerance: 1e-5,
  learningRate: 0.01,
  batchSize: 32,
  seed: 42,
});

const KNOWN_KEYS = new Set(Object.keys(DEFAULT_TRAIN_OPTIONS));

/** Throws an Error naming the first unusable field of a complete options object. */
export function validateTrainOptions(options: TrainOptions): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw new Error(`unknown option ${JSON.stringify(key)}`);
  }
  for (const key of KNOWN_KEYS) {
    if (!(key in options)) throw new Error(`option ${JSON.stringify(key)} is missing`);
  }
  validateTokenizeOptions(options);
  validateTfidfOptions(options);
  if (typeof options.l2 !== 'number' || !(options.l2 >= 0) || !Number.isFinite(options.l2)) {
    throw new Error(`l2 must be a finite number >= 0, got ${JSON.stringify(options.l2)}`);
  }
  if (options.classWeight !== null && options.classWeight !== 'balanced') {
    throw new Error(`classWeight must be 'balanced' or null, got ${JSON.stringify(options.classWeight)}`);
  }
  if (options.solver !== 'lbfgs' && options.solver !== 'adam') {
    throw new Error(`solver must be 'lbfgs' or 'adam', got ${JSON.stringify(options.solver)}`);
  }
  const positiveInt = ['maxIterations', 'batchSize'] as const;
  for (const key of positiveInt) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new Error(`${key} must be an integer >= 1, got ${JSON.stringify(options[key])}`);
    }
  }
  const positive = ['tolerance', 'learningRate'] as const;
  for (const key of positive) {
    if (typeof options[key] !== 'number' || !(options[key] > 0) || !Number.isFinite(options[key])) {
      throw new Error(`${key} must be a finite number > 0, got ${JSON.stringify(options[key])}`);
    }
  }
  if (!Number.isInteger(options.seed)) throw new Error(`seed must be an integer, got ${JSON.stringify(options.seed)}`);
}

/** Fills unset fields of `options` from {@link DEFAULT_TRAIN_OPTIONS} and validates the result. */
export function resolveTrainOptions(options: Partial<TrainOptions> = {}): TrainOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const resolved = { ...DEFAULT_TRAIN_OPTIONS, ...defined } as TrainOptions;
  validateTrainOptions(resolved);
  return {
    ...resolved,
    ngramRange: [...resolved.ngramRange],
    charNgramRange: resolved.charNgramRange === null ? null : [...resolved.charNgramRange],
  };
}
