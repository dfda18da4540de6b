/**
 * TF-IDF vectorizer over pre-tokenized documents, with scikit-learn's smooth idf
 * (`ln((1 + n) / (1 + df)) + 1`), optional sublinear tf (`1 + ln(tf)`) and L2-normalised rows.
 */

/** A sparse vector: strictly increasing feature `indices` and their `values`. */
export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

/** Vocabulary and weighting settings of a {@link TfidfVectorizer}. */
export interface TfidfOptions {
  /** Keep a term only if it occurs in at least this many training documents. */
  minDf: number;
  /** Drop a term that occurs in more than this fraction of training documents (0 < maxDf <= 1). */
  maxDf: number;
  /** Keep at most this many terms, the most frequent over the corpus first; `null` keeps all. */
  maxFeatures: number | null;
  /** Use `1 + ln(tf)` instead of the raw count `tf`. */
  sublinearTf: boolean;
}

/** Defaults: every term seen in two or more documents, sublinear tf. */
export const DEFAULT_TFIDF_OPTIONS: Readonly<TfidfOptions> = Object.freeze({
  minDf: 2,
  maxDf: 1,
  maxFeatures: null,
  sublinearTf: true,
});

/** Checks that tf-idf options are usable; throws an Error naming the bad field. */
export function validateTfidfOptions(options: TfidfOptions): void {
  if (!Number.isInteger(options.minDf) || options.minDf < 1) {
    throw new Error(`minDf must be an integer >= 1, got ${JSON.stringify(options.minDf)}`);
  }
  if (typeof options.maxDf !== 'number' || !(options.maxDf > 0 && options.maxDf <= 1)) {
    throw new Error(`maxDf must be a number in (0, 1], got ${JSON.stringify(options.maxDf)}`);
  }
  if (options.maxFeatures !== null && (!Number.isInteger(options.maxFeatures) || options.maxFeatures < 1)) {
    throw new Error(`maxFeatures must be null or an integer >= 1, got ${JSON.stringify(options.maxFeatures)}`);
  }
  if (typeof options.sublinearTf !== 'boolean') throw new Error('sublinearTf must be a boolean');
}

/** Smooth inverse document frequency of a term seen in `df` of `n` documents. */
export function smoothIdf(df: number, n: number): number {
  return Math.log((1 + n) / (1 + df)) + 1;
}

/** Maps token lists to L2-normalised TF-IDF sparse vectors over a fixed vocabulary. */
export class TfidfVectorizer {
  /** Terms in feature-index order (sorted by code unit). */
  readonly vocabulary: readonly string[];
  /** Inverse document frequency of each feature, aligned with {@link vocabulary}. */
  readonly idf: Float64Array;
  readonly sublinearTf: boolean;
  private readonly index: Map<string, number>;

  /** Builds a vectorizer from a known vocabulary and idf (as stored in an artifact). */
  constructor(vocabulary: readonly string[], idf: ArrayLike<number>, sublinearTf: boolean) {
    if (vocabulary.length !== idf.length) {
      throw new Error(`vocabulary has ${vocabulary.length} terms but idf has ${idf.length} values`);
    }
    this.vocabulary = vocabulary;
    this.idf = Float64Array.from(idf);
    this.sublinearTf = sublinearTf;
    this.index = new Map(vocabulary.map((term, i) => [term, i]));
    if (this.index.size !== vocabulary.length) throw new Error('vocabulary contains duplicate terms');
  }

  /** Learns vocabulary and idf from training documents given as token lists. */
  static fit(documents: readonly (readonly string[])[], options: TfidfOptions = DEFAULT_TFIDF_OPTIONS): TfidfVectorizer {
    validateTfidfOptions(options);
    const n = documents.length;
    if (n === 0) throw new Error('cannot fit a TF-IDF vectorizer on zero documents');
    const df = new Map<string, number>();
    const total = new Map<string, number>();
    for (const doc of documents) {
      for (const term of doc) total.set(term, (total.get(term) ?? 0) + 1);
      for (const term of new Set(doc)) df.set(term, (df.get(term) ?? 0) + 1);
    }
    const maxDocs = options.maxDf * n;
    let kept = [...df.keys()].filter((t) => {
      const d = df.get(t)!;
      return d >= options.minDf && d <= maxDocs;
    });
    if (options.maxFeatures !== null && kept.length > options.maxFeatures) {
      kept.sort((a, b) => total.get(b)! - total.get(a)! || compareTerms(a, b));
      kept = kept.slice(0, options.maxFeatures);
    }
    kept.sort(compareTerms);
    if (kept.length === 0) {
      throw new Error(`no term occurs in at least minDf=${options.minDf} documents; lower minDf or add data`);
    }
    return new TfidfVectorizer(kept, kept.map((t) => smoothIdf(df.get(t)!, n)), options.sublinearTf);
  }

  /** Number of features (vocabulary size). */
  get size(): number {
    return this.vocabulary.length;
  }

  /** Feature index of `term`, or `undefined` when it is out of vocabulary. */
  indexOf(term: string): number | undefined {
    return this.index.get(term);
  }

  /** The L2-normalised TF-IDF vector of one document; terms out of vocabulary are ignored. */
  transform(tokens: readonly string[]): SparseVector {
    const counts = new Map<number, number>();
    for (const term of tokens) {
      const i = this.index.get(term);
      if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    const indices = Int32Array.from(counts.keys()).sort();
    const values = new Float64Array(indices.length);
    let norm = 0;
    for (let k = 0; k < indices.length; k++) {
      const tf = counts.get(indices[k])!;
      const v = (this.sublinearTf ? 1 + Math.log(tf) : tf) * this.idf[indices[k]];
      values[k] = v;
      norm += v * v;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let k = 0; k < values.length; k++) values[k] *= inv;
    }
    return { indices, values };
  }
}

function compareTerms(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
