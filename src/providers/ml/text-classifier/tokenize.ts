/**
 * Text → feature terms: lowercasing, URL and punctuation stripping, optional stopword removal,
 * word n-grams and (optionally) character n-grams taken inside word boundaries.
 */

/** How text is turned into terms. Stored in a model artifact, so it stays plain JSON. */
export interface TokenizeOptions {
  /** Inclusive [min, max] length of word n-grams; [1, 2] gives unigrams and bigrams. */
  ngramRange: [number, number];
  /** Inclusive [min, max] length of character n-grams inside padded words; `null` turns them off. */
  charNgramRange: [number, number] | null;
  /** Drop common English function words before n-grams are formed. */
  stopwords: boolean;
  /** Words shorter than this many characters are dropped. */
  minTokenLength: number;
}

/** Defaults: word unigrams and bigrams, no character n-grams, English stopwords removed. */
export const DEFAULT_TOKENIZE_OPTIONS: Readonly<TokenizeOptions> = Object.freeze({
  ngramRange: [1, 2] as [number, number],
  charNgramRange: null,
  stopwords: true,
  minTokenLength: 2,
});

/** Prefix of character n-gram terms; a word term never contains it, so the two never collide. */
export const CHAR_NGRAM_PREFIX = '#';

/** English function words removed when `stopwords` is on. */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before ' +
    'being below between both but by can could did do does doing down during each else etc few ' +
    'for from further had has have having he her here hers herself him himself his how however i ' +
    'if in into is it its itself just let me more most much must my myself no nor not now of off ' +
    'on once only or other our ours ourselves out over own per same she should so some such than ' +
    'that the their theirs them themselves then there these they this those through thus to too ' +
    'under until up upon us very via was we were what when where whether which while who whom ' +
    'whose why will with within without would yet you your yours yourself yourselves'
  ).split(' '),
);

const URL_PATTERN = /\b(?:https?:\/\/|www\.)\S+/gu;
const WORD_PATTERN = /[\p{L}\p{N}]+/gu;

/** Lowercases `text`, removes URLs and splits it into alphanumeric words. */
export function words(text: string, options: Pick<TokenizeOptions, 'stopwords' | 'minTokenLength'>): string[] {
  const cleaned = text.toLowerCase().replace(URL_PATTERN, ' ');
  const out: string[] = [];
  for (const match of cleaned.matchAll(WORD_PATTERN)) {
    const word = match[0];
    if (word.length < options.minTokenLength) continue;
    if (options.stopwords && ENGLISH_STOPWORDS.has(word)) continue;
    out.push(word);
  }
  return out;
}

/** Word n-grams of every length in `[min, max]`, joined with single spaces, in text order. */
export function wordNgrams(tokens: readonly string[], [min, max]: [number, number]): string[] {
  const out: string[] = [];
  for (let n = min; n <= max; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      out.push(n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' '));
    }
  }
  return out;
}

/**
 * Character n-grams of every length in `[min, max]` taken inside each word padded with one space
 * on each side (scikit-learn's `char_wb`), each prefixed with {@link CHAR_NGRAM_PREFIX}.
 */
export function charNgrams(tokens: readonly string[], [min, max]: [number, number]): string[] {
  const out: string[] = [];
  for (const token of tokens) {
    const padded = ` ${token} `;
    for (let n = min; n <= max; n++) {
      if (n > padded.length) break;
      for (let i = 0; i + n <= padded.length; i++) out.push(CHAR_NGRAM_PREFIX + padded.slice(i, i + n));
    }
  }
  return out;
}

/** Checks that a tokenize options object is usable; throws an Error naming the bad field. */
export function validateTokenizeOptions(options: TokenizeOptions): void {
  const checkRange = (name: string, range: unknown): void => {
    if (
      !Array.isArray(range) ||
      range.length !== 2 ||
      !range.every((n) => Number.isInteger(n) && n >= 1) ||
      range[0] > range[1]
    ) {
      throw new Error(`${name} must be [min, max] with integers 1 <= min <= max, got ${JSON.stringify(range)}`);
    }
  };
  checkRange('ngramRange', options.ngramRange);
  if (options.charNgramRange !== null) checkRange('charNgramRange', options.charNgramRange);
  if (typeof options.stopwords !== 'boolean') throw new Error('stopwords must be a boolean');
  if (!Number.isInteger(options.minTokenLength) || options.minTokenLength < 1) {
    throw new Error(`minTokenLength must be an integer >= 1, got ${JSON.stringify(options.minTokenLength)}`);
  }
}

/** All feature terms of `text`: word n-grams, then character n-grams when enabled. */
export function tokenize(text: string, options: TokenizeOptions = DEFAULT_TOKENIZE_OPTIONS): string[] {
  const tokens = words(text, options);
  const terms = wordNgrams(tokens, options.ngramRange);
  if (options.charNgramRange !== null) {
    // Character n-grams see every word, stopwords included, so spelling cues are not lost.
    const all = options.stopwords ? words(text, { ...options, stopwords: false }) : tokens;
    for (const gram of charNgrams(all, options.charNgramRange)) terms.push(gram);
  }
  return terms;
}
