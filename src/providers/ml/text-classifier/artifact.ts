/**
 * The plain-JSON artifact of a trained text classifier, and its validation.
 */
import { validateTrainOptions, type TrainOptions } from './options.ts';

/** Value of the artifact's `format` field. */
export const ARTIFACT_FORMAT = 'baton.text-classifier';
/** Artifact layout version this code writes and reads. */
export const ARTIFACT_VERSION = 1;

/** A trained text classifier as plain JSON. */
export interface TextClassifierArtifact {
  format: typeof ARTIFACT_FORMAT;
  version: typeof ARTIFACT_VERSION;
  /** Class labels; index c of `weights` and `bias` belongs to `labels[c]`. */
  labels: string[];
  /** The complete options the model was trained with (tokenization is replayed from them). */
  options: TrainOptions;
  /** Feature terms in feature-index order. */
  vocabulary: string[];
  /** Inverse document frequency per feature. */
  idf: number[];
  /** `weights[c][f]`: weight of feature f for class c. */
  weights: number[][];
  /** Intercept per class. */
  bias: number[];
}

/** Thrown when an artifact cannot be loaded; the message says what is wrong. */
export class InvalidArtifactError extends Error {
  constructor(detail: string) {
    super(`Invalid text classifier artifact: ${detail}`);
    this.name = 'InvalidArtifactError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finiteNumbers(value: unknown, name: string, length: number): number[] {
  if (!Array.isArray(value)) throw new InvalidArtifactError(`${name} must be an array`);
  if (value.length !== length) {
    throw new InvalidArtifactError(`${name} has ${value.length} entries, expected ${length}`);
  }
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'number' || !Number.isFinite(value[i])) {
      throw new InvalidArtifactError(`${name}[${i}] is ${JSON.stringify(value[i])}, expected a finite number`);
    }
  }
  return value as number[];
}

function distinctStrings(value: unknown, name: string, minLength: number): string[] {
  if (!Array.isArray(value)) throw new InvalidArtifactError(`${name} must be an array of strings`);
  if (value.length < minLength) {
    throw new InvalidArtifactError(`${name} has ${value.length} entries, expected at least ${minLength}`);
  }
  const seen = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== 'string') throw new InvalidArtifactError(`${name}[${i}] is not a string`);
    if (seen.has(item)) throw new InvalidArtifactError(`${name} repeats ${JSON.stringify(item)}`);
    seen.add(item);
  }
  return value as string[];
}

/**
 * Checks that `value` (an object or its JSON text) is a complete, consistent artifact of this
 * format and version, and returns it typed. Throws {@link InvalidArtifactError} otherwise.
 */
export function parseArtifact(value: unknown): TextClassifierArtifact {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (error) {
      throw new InvalidArtifactError(`not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isRecord(value)) throw new InvalidArtifactError('expected a JSON object');
  if (value.format !== ARTIFACT_FORMAT) {
    throw new InvalidArtifactError(`format is ${JSON.stringify(value.format)}, expected ${JSON.stringify(ARTIFACT_FORMAT)}`);
  }
  if (value.version !== ARTIFACT_VERSION) {
    throw new InvalidArtifactError(`version ${JSON.stringify(value.version)} is not supported (expected ${ARTIFACT_VERSION})`);
  }
  if (!isRecord(value.options)) throw new InvalidArtifactError('options must be an object');
  try {
    validateTrainOptions(value.options as unknown as TrainOptions);
  } catch (error) {
    throw new InvalidArtifactError(`options: ${(error as Error).message}`);
  }
  const labels = distinctStrings(value.labels, 'labels', 2);
  const vocabulary = distinctStrings(value.vocabulary, 'vocabulary', 1);
  const features = vocabulary.length;
  const idf = finiteNumbers(value.idf, 'idf', features);
  if (idf.some((v) => v < 1)) throw new InvalidArtifactError('idf values must be >= 1 (smooth idf)');
  if (!Array.isArray(value.weights) || value.weights.length !== labels.length) {
    throw new InvalidArtifactError(`weights must be an array with one row per label (${labels.length})`);
  }
  value.weights.forEach((row: unknown, c: number) => finiteNumbers(row, `weights[${c}]`, features));
  finiteNumbers(value.bias, 'bias', labels.length);
  return value as unknown as TextClassifierArtifact;
}
