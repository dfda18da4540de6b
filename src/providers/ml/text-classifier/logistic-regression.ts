/**
 * Multinomial (softmax) logistic regression with L2 regularisation on sparse inputs.
 *
 * Minimises `(1 / S) * sum_i s_i * -log p(y_i | x_i) + (l2 / 2) * ||W||^2`, where `s_i` is the
 * weight of sample i's class (1 unless class weighting is on), `S = sum_i s_i`, and the intercepts
 * are not penalised. Solved full-batch with L-BFGS, or by mini-batch Adam with seeded shuffling.
 */
import { minimizeLbfgs } from './lbfgs.ts';
import { mulberry32, shuffleInPlace } from './prng.ts';
import type { SparseVector } from './tfidf.ts';

/** Optimiser used to fit the weights. */
export type Solver = 'lbfgs' | 'adam';

/** Training settings of {@link trainLogisticRegression}. */
export interface LogisticRegressionOptions {
  /** L2 penalty strength on the weights (not the intercepts); 0 disables it. */
  l2: number;
  /** `'balanced'` weights each class by `n / (classes * count)`; `null` weights samples equally. */
  classWeight: 'balanced' | null;
  solver: Solver;
  /** L-BFGS iterations, or Adam epochs. */
  maxIterations: number;
  /** L-BFGS: gradient max-norm at which to stop. Adam: stop once an epoch's mean loss improves by less. */
  tolerance: number;
  /** Adam step size. */
  learningRate: number;
  /** Adam mini-batch size. */
  batchSize: number;
  /** Seed of the PRNG that shuffles Adam's mini-batches (L-BFGS does not use randomness). */
  seed: number;
}

/** Fitted parameters. `weights[f * numClasses + c]` is feature f's weight for class c. */
export interface LogisticRegressionModel {
  numClasses: number;
  numFeatures: number;
  weights: Float64Array;
  bias: Float64Array;
}

/** Per-sample weights for a class weighting mode. */
export function sampleWeights(labels: readonly number[], numClasses: number, mode: 'balanced' | null): Float64Array {
  const out = new Float64Array(labels.length).fill(1);
  if (mode === null) return out;
  const counts = new Float64Array(numClasses);
  for (const y of labels) counts[y]++;
  for (let i = 0; i < labels.length; i++) out[i] = labels.length / (numClasses * counts[labels[i]]);
  return out;
}

/** Writes the class scores of `x` into `scores` from the packed parameters `theta` (weights then bias). */
function scoresInto(theta: Float64Array, x: SparseVector, numClasses: number, biasOffset: number, scores: Float64Array): void {
  for (let c = 0; c < numClasses; c++) scores[c] = theta[biasOffset + c];
  for (let k = 0; k < x.indices.length; k++) {
    const base = x.indices[k] * numClasses;
    const v = x.values[k];
    for (let c = 0; c < numClasses; c++) scores[c] += v * theta[base + c];
  }
}

/** Turns scores into probabilities in place (numerically stable softmax); returns log of the normaliser. */
function softmaxInPlace(scores: Float64Array): number {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    scores[c] = Math.exp(scores[c] - max);
    sum += scores[c];
  }
  for (let c = 0; c < scores.length; c++) scores[c] /= sum;
  return max + Math.log(sum);
}

interface Problem {
  xs: readonly SparseVector[];
  ys: readonly number[];
  weights: Float64Array;
  numClasses: number;
  numFeatures: number;
  l2: number;
}

/** Loss over the samples `batch` (all when omitted); writes the gradient into `grad`. */
function lossAndGradient(p: Problem, theta: Float64Array, grad: Float64Array, batch?: readonly number[]): number {
  const K = p.numClasses;
  const biasOffset = p.numFeatures * K;
  const probs = new Float64Array(K);
  grad.fill(0);
  const count = batch ? batch.length : p.xs.length;
  let total = 0;
  for (let b = 0; b < count; b++) total += p.weights[batch ? batch[b] : b];
  let loss = 0;
  for (let b = 0; b < count; b++) {
    const i = batch ? batch[b] : b;
    const x = p.xs[i];
    const y = p.ys[i];
    scoresInto(theta, x, K, biasOffset, probs);
    const trueScore = probs[y];
    const logZ = softmaxInPlace(probs);
    const scale = p.weights[i] / total;
    loss += scale * (logZ - trueScore);
    probs[y] -= 1;
    for (let c = 0; c < K; c++) probs[c] *= scale;
    for (let k = 0; k < x.indices.length; k++) {
      const base = x.indices[k] * K;
      const v = x.values[k];
      for (let c = 0; c < K; c++) grad[base + c] += v * probs[c];
    }
    for (let c = 0; c < K; c++) grad[biasOffset + c] += probs[c];
  }
  if (p.l2 > 0) {
    let sq = 0;
    for (let j = 0; j < biasOffset; j++) {
      sq += theta[j] * theta[j];
      grad[j] += p.l2 * theta[j];
    }
    loss += 0.5 * p.l2 * sq;
  }
  return loss;
}

function fitAdam(p: Problem, theta: Float64Array, options: LogisticRegressionOptions): void {
  const random = mulberry32(options.seed);
  const grad = new Float64Array(theta.length);
  const m = new Float64Array(theta.length);
  const v = new Float64Array(theta.length);
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  const order = Array.from(p.xs, (_, i) => i);
  let step = 0;
  let previous = Infinity;
  for (let epoch = 0; epoch < options.maxIterations; epoch++) {
    shuffleInPlace(order, random);
    let epochLoss = 0;
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      epochLoss += lossAndGradient(p, theta, grad, batch) * batch.length;
      step++;
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      for (let j = 0; j < theta.length; j++) {
        m[j] = beta1 * m[j] + (1 - beta1) * grad[j];
        v[j] = beta2 * v[j] + (1 - beta2) * grad[j] * grad[j];
        theta[j] -= (options.learningRate * (m[j] / c1)) / (Math.sqrt(v[j] / c2) + eps);
      }
    }
    epochLoss /= order.length;
    if (previous - epochLoss < options.tolerance && epoch > 0) break;
    previous = epochLoss;
  }
}

/**
 * Fits the model to sparse inputs `xs` with class indices `ys` in `[0, numClasses)`.
 * Parameters start at zero, so the result depends only on the data and options.
 */
export function trainLogisticRegression(
  xs: readonly SparseVector[],
  ys: readonly number[],
  numFeatures: number,
  numClasses: number,
  options: LogisticRegressionOptions,
): LogisticRegressionModel {
  if (xs.length === 0) throw new Error('cannot train logistic regression on zero samples');
  if (xs.length !== ys.length) throw new Error(`got ${xs.length} inputs but ${ys.length} labels`);
  if (numClasses < 2) throw new Error(`logistic regression needs at least 2 classes, got ${numClasses}`);
  for (const y of ys) {
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) throw new Error(`label index ${y} is outside [0, ${numClasses})`);
  }
  const problem: Problem = {
    xs,
    ys,
    weights: sampleWeights(ys, numClasses, options.classWeight),
    numClasses,
    numFeatures,
    l2: options.l2,
  };
  let theta: Float64Array = new Float64Array(numFeatures * numClasses + numClasses);
  if (options.solver === 'lbfgs') {
    theta = minimizeLbfgs((t, g) => lossAndGradient(problem, t, g), theta, {
      maxIterations: options.maxIterations,
      memory: 10,
      gradientTolerance: options.tolerance,
      functionTolerance: 1e-12,
    }).x;
  } else {
    fitAdam(problem, theta, options);
  }
  const split = numFeatures * numClasses;
  return { numClasses, numFeatures, weights: theta.slice(0, split), bias: theta.slice(split) };
}

/** Class probabilities of one sparse input. */
export function predictProbabilities(model: LogisticRegressionModel, x: SparseVector): Float64Array {
  const K = model.numClasses;
  const scores = Float64Array.from(model.bias);
  for (let k = 0; k < x.indices.length; k++) {
    const base = x.indices[k] * K;
    const v = x.values[k];
    for (let c = 0; c < K; c++) scores[c] += v * model.weights[base + c];
  }
  softmaxInPlace(scores);
  return scores;
}
