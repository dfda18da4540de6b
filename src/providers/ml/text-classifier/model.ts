/**
 * Text classifier: tokenization → TF-IDF → multinomial logistic regression, trained in process,
 * saved as a plain JSON artifact and loaded back with identical predictions.
 */
import { ARTIFACT_FORMAT, ARTIFACT_VERSION, parseArtifact, type TextClassifierArtifact } from './artifact.ts';
import {
  predictProbabilities,
  trainLogisticRegression,
  type LogisticRegressionModel,
} from './logistic-regression.ts';
import { classificationReport, type ClassificationReport } from './metrics.ts';
import { resolveTrainOptions, type TrainOptions } from './options.ts';
import { TfidfVectorizer, type SparseVector } from './tfidf.ts';
import { tokenize } from './tokenize.ts';

/** One labelled text. */
export interface TextExample {
  text: string;
  label: string;
}

/** A trained classifier. Create with {@link trainTextClassifier} or {@link loadTextClassifier}. */
export class TextClassifier {
  /** Class labels, sorted; the order of probabilities and weights. */
  readonly labels: readonly string[];
  /** The complete options the model was trained with. */
  readonly options: Readonly<TrainOptions>;
  private readonly vectorizer: TfidfVectorizer;
  private readonly model: LogisticRegressionModel;

  /** Assembles a classifier from fitted parts; prefer {@link trainTextClassifier} or {@link loadTextClassifier}. */
  constructor(labels: readonly string[], options: TrainOptions, vectorizer: TfidfVectorizer, model: LogisticRegressionModel) {
    if (model.numClasses !== labels.length || model.numFeatures !== vectorizer.size) {
      throw new Error('model shape does not match the labels and vocabulary');
    }
    this.labels = Object.freeze([...labels]);
    this.options = Object.freeze(options);
    this.vectorizer = vectorizer;
    this.model = model;
  }

  /** The L2-normalised TF-IDF vector the model sees for `text`. */
  vectorize(text: string): SparseVector {
    return this.vectorizer.transform(tokenize(text, this.options));
  }

  /** Probability of each label for `text`, keyed by label (keys in {@link labels} order). */
  predictProba(text: string): Record<string, number> {
    const probs = predictProbabilities(this.model, this.vectorize(text));
    return Object.fromEntries(this.labels.map((label, c) => [label, probs[c]]));
  }

  /** The most probable label for `text` (the first in {@link labels} order on a tie). */
  predict(text: string): string {
    const probs = predictProbabilities(this.model, this.vectorize(text));
    let best = 0;
    for (let c = 1; c < probs.length; c++) if (probs[c] > probs[best]) best = c;
    return this.labels[best];
  }

  /** The model as a plain JSON artifact; {@link loadTextClassifier} restores it exactly. */
  toJSON(): TextClassifierArtifact {
    const K = this.model.numClasses;
    const D = this.model.numFeatures;
    const weights = this.labels.map((_, c) => {
      const row = new Array<number>(D);
      for (let f = 0; f < D; f++) row[f] = this.model.weights[f * K + c];
      return row;
    });
    return {
      format: ARTIFACT_FORMAT,
      version: ARTIFACT_VERSION,
      labels: [...this.labels],
      options: structuredClone(this.options) as TrainOptions,
      vocabulary: [...this.vectorizer.vocabulary],
      idf: Array.from(this.vectorizer.idf),
      weights,
      bias: Array.from(this.model.bias),
    };
  }
}

/**
 * Trains a classifier on labelled texts. Unset options take the values of
 * `DEFAULT_TRAIN_OPTIONS`; the same examples and options (including `seed`) always give the
 * same artifact.
 */
export function trainTextClassifier(examples: readonly TextExample[], options: Partial<TrainOptions> = {}): TextClassifier {
  const resolved = resolveTrainOptions(options);
  examples.forEach((e, i) => {
    if (typeof e?.text !== 'string') throw new Error(`example ${i} has no text string`);
    if (typeof e.label !== 'string' || e.label === '') throw new Error(`example ${i} has no label`);
  });
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  if (labels.length < 2) {
    throw new Error(`training needs examples of at least 2 labels, got ${labels.length} (${labels.join(', ')})`);
  }
  const labelIndex = new Map(labels.map((label, c) => [label, c]));
  const documents = examples.map((e) => tokenize(e.text, resolved));
  const vectorizer = TfidfVectorizer.fit(documents, resolved);
  const xs = documents.map((doc) => vectorizer.transform(doc));
  const ys = examples.map((e) => labelIndex.get(e.label)!);
  const model = trainLogisticRegression(xs, ys, vectorizer.size, labels.length, resolved);
  return new TextClassifier(labels, resolved, vectorizer, model);
}

/**
 * Restores a classifier from its artifact (the object or its JSON text). Throws an
 * `InvalidArtifactError` with a precise message for a wrong, outdated or corrupt artifact.
 */
export function loadTextClassifier(json: unknown): TextClassifier {
  const artifact = parseArtifact(json);
  const K = artifact.labels.length;
  const D = artifact.vocabulary.length;
  const weights = new Float64Array(D * K);
  for (let c = 0; c < K; c++) {
    const row = artifact.weights[c];
    for (let f = 0; f < D; f++) weights[f * K + c] = row[f];
  }
  const options = structuredClone(artifact.options);
  const vectorizer = new TfidfVectorizer(artifact.vocabulary, artifact.idf, options.sublinearTf);
  const model = { numClasses: K, numFeatures: D, weights, bias: Float64Array.from(artifact.bias) };
  return new TextClassifier(artifact.labels, options, vectorizer, model);
}

/**
 * Scores `classifier` on labelled examples. Report labels are the classifier's, followed by any
 * label that occurs only in `examples` (sorted).
 */
export function evaluate(classifier: TextClassifier, examples: readonly TextExample[]): ClassificationReport {
  const yTrue = examples.map((e) => e.label);
  const yPred = examples.map((e) => classifier.predict(e.text));
  const known = new Set(classifier.labels);
  const extra = [...new Set(yTrue.filter((l) => !known.has(l)))].sort();
  return classificationReport(yTrue, yPred, [...classifier.labels, ...extra]);
}
