/**
 * Model loaders: turn a stored artifact into something that predicts. A loader is chosen by
 * the artifact's `format` field (e.g. `baton.text-classifier`); register one for another kind
 * of model and `baton models serve` can serve it.
 */
import { ARTIFACT_FORMAT, loadTextClassifier, projectText } from '../text-classifier/index.ts';

/** One prediction: the predicted label and the probability of every label. */
export interface Prediction {
  label: string;
  probabilities: Record<string, number>;
}

/** A loaded model. Throws `InputError` for an input it cannot use (the server answers 400). */
export interface Predictor {
  predict(inputs: readonly unknown[]): Prediction[] | Promise<Prediction[]>;
}

export interface ModelLoader {
  /** The artifact `format` this loader reads. */
  format: string;
  /** Builds a predictor from the decoded artifact (a JSON value, a string or a Uint8Array). */
  load(artifact: unknown): Predictor | Promise<Predictor>;
}

/** The request's inputs are not usable: the message says why (sent back with status 400). */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Loaders by format. */
export class ModelLoaders {
  private readonly byFormat = new Map<string, ModelLoader>();

  constructor(loaders: readonly ModelLoader[] = []) {
    for (const l of loaders) this.register(l);
  }

  /** Adds a loader, replacing any loader of the same format. */
  register(loader: ModelLoader): this {
    if (typeof loader?.format !== 'string' || loader.format === '' || typeof loader.load !== 'function') {
      throw new TypeError('a model loader needs a non-empty `format` and a `load(artifact)` function');
    }
    this.byFormat.set(loader.format, loader);
    return this;
  }

  get(format: string): ModelLoader | undefined {
    return this.byFormat.get(format);
  }

  formats(): string[] {
    return [...this.byFormat.keys()].sort();
  }
}

/**
 * The text of one input to a text model: a string, `{ text }`, or a Made With ML project
 * `{ title, description }` (joined like `projectText`).
 */
export function inputText(input: unknown, index: number): string {
  if (typeof input === 'string') return input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    if (typeof o.text === 'string') return o.text;
    if (typeof o.title === 'string' && (o.description === undefined || o.description === null || typeof o.description === 'string')) {
      return projectText({ title: o.title, description: (o.description as string | null | undefined) ?? '' });
    }
  }
  throw new InputError(`inputs[${index}] must be a string, { "text": "..." } or { "title": "...", "description": "..." }`);
}

/** Serves artifacts of the built-in text classifier (`trainTextClassifier`). */
export const textClassifierLoader: ModelLoader = {
  format: ARTIFACT_FORMAT,
  load(artifact: unknown): Predictor {
    const json = artifact instanceof Uint8Array ? Buffer.from(artifact).toString('utf8') : artifact;
    const classifier = loadTextClassifier(json);
    return {
      predict: (inputs) =>
        inputs.map((input, i) => {
          const probabilities = classifier.predictProba(inputText(input, i));
          let label = classifier.labels[0]!;
          for (const l of classifier.labels) if (probabilities[l]! > probabilities[label]!) label = l;
          return { label, probabilities };
        }),
    };
  },
};

/** The loaders `baton models serve` uses: the text classifier, plus any registered here. */
export const modelLoaders = new ModelLoaders([textClassifierLoader]);
