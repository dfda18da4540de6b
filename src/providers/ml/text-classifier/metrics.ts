/**
 * Classification metrics with scikit-learn's definitions: accuracy, per-class precision, recall,
 * F1 and support, their macro and support-weighted averages, and the confusion matrix.
 * A ratio with a zero denominator counts as 0 (scikit-learn's `zero_division=0`).
 */

/** Metrics of one class. */
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of true instances of the class. */
  support: number;
}

/** Everything {@link classificationReport} computes. */
export interface ClassificationReport {
  /** Class order used by `perClass` and both axes of `confusionMatrix`. */
  labels: string[];
  accuracy: number;
  perClass: ClassMetrics[];
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  weightedPrecision: number;
  weightedRecall: number;
  /** Support-weighted mean F1, as `f1_score(average='weighted')`. */
  weightedF1: number;
  /** `confusionMatrix[t][p]` counts samples of true class `labels[t]` predicted as `labels[p]`. */
  confusionMatrix: number[][];
  /** Number of samples scored. */
  total: number;
}

function checkPair(yTrue: readonly string[], yPred: readonly string[]): void {
  if (yTrue.length !== yPred.length) {
    throw new Error(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  }
  if (yTrue.length === 0) throw new Error('cannot compute metrics on zero samples');
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Sorted distinct labels occurring in either list. */
export function observedLabels(yTrue: readonly string[], yPred: readonly string[]): string[] {
  return [...new Set([...yTrue, ...yPred])].sort();
}

/** Fraction of positions where `yPred` equals `yTrue`. */
export function accuracy(yTrue: readonly string[], yPred: readonly string[]): number {
  checkPair(yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/**
 * Confusion matrix over `labels` (default: sorted observed labels); rows are true classes,
 * columns predicted ones. Throws if a label occurs that `labels` does not list.
 */
export function confusionMatrix(
  yTrue: readonly string[],
  yPred: readonly string[],
  labels: readonly string[] = observedLabels(yTrue, yPred),
): number[][] {
  checkPair(yTrue, yPred);
  const index = new Map(labels.map((label, i) => [label, i]));
  if (index.size !== labels.length) throw new Error('labels must be distinct');
  const matrix = labels.map(() => labels.map(() => 0));
  const at = (label: string): number => {
    const i = index.get(label);
    if (i === undefined) throw new Error(`label ${JSON.stringify(label)} is not in the label list`);
    return i;
  };
  for (let i = 0; i < yTrue.length; i++) matrix[at(yTrue[i])][at(yPred[i])]++;
  return matrix;
}

/** Full report over `labels` (default: sorted observed labels). */
export function classificationReport(
  yTrue: readonly string[],
  yPred: readonly string[],
  labels: readonly string[] = observedLabels(yTrue, yPred),
): ClassificationReport {
  const matrix = confusionMatrix(yTrue, yPred, labels);
  const perClass = labels.map((label, c) => {
    const tp = matrix[c][c];
    const support = matrix[c].reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((sum, row) => sum + row[c], 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    const f1 = ratio(2 * precision * recall, precision + recall);
    return { label, precision, recall, f1, support };
  });
  const n = perClass.length;
  const total = yTrue.length;
  const mean = (key: 'precision' | 'recall' | 'f1'): number => ratio(perClass.reduce((s, m) => s + m[key], 0), n);
  const weighted = (key: 'precision' | 'recall' | 'f1'): number =>
    ratio(perClass.reduce((s, m) => s + m[key] * m.support, 0), total);
  return {
    labels: [...labels],
    accuracy: accuracy(yTrue, yPred),
    perClass,
    macroPrecision: mean('precision'),
    macroRecall: mean('recall'),
    macroF1: mean('f1'),
    weightedPrecision: weighted('precision'),
    weightedRecall: weighted('recall'),
    weightedF1: weighted('f1'),
    confusionMatrix: matrix,
    total,
  };
}

/** Support-weighted mean F1 over the sorted observed labels (`f1_score(average='weighted')`). */
export function weightedF1(yTrue: readonly string[], yPred: readonly string[]): number {
  return classificationReport(yTrue, yPred).weightedF1;
}
