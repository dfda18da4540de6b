/**
 * Training helpers for the tag classifier: examples from warehouse rows, a reproducible
 * stratified train/validation split, hyperparameter settings and scoring.
 */
import { createHash } from 'node:crypto';
import {
  evaluate,
  projectText,
  readProjectsCsv,
  trainTextClassifier,
  type TextClassifier,
  type TrainOptions,
} from 'baton/ml';

/** One labelled project, as the pipelines pass it between tasks. */
export interface Example {
  id: number;
  text: string;
  label: string;
}

/** One point of the hyperparameter sweep: a name and the training options it sets. */
export interface Setting {
  name: string;
  ngramRange: [number, number];
  charNgramRange: [number, number] | null;
  l2: number;
}

/**
 * The default sweep: word n-gram ranges and L2 strengths. (Character n-grams, `charNgramRange:
 * [3, 5]`, score about the same here and take ten times longer; add them through the param.)
 */
export const DEFAULT_SWEEP: Setting[] = [
  { name: 'unigrams', ngramRange: [1, 1], charNgramRange: null, l2: 3e-5 },
  { name: 'bigrams', ngramRange: [1, 2], charNgramRange: null, l2: 3e-5 },
  { name: 'trigrams', ngramRange: [1, 3], charNgramRange: null, l2: 3e-5 },
  { name: 'bigrams_l2_1e-3', ngramRange: [1, 2], charNgramRange: null, l2: 1e-3 },
];

/** The JSON-schema of one sweep setting (for the `sweep` param). */
export const SETTING_SCHEMA = {
  type: 'object',
  required: ['name', 'ngramRange', 'charNgramRange', 'l2'],
  properties: {
    name: { type: 'string' },
    ngramRange: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 },
    charNgramRange: { type: ['array', 'null'], items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 },
    l2: { type: 'number', minimum: 0 },
  },
};

/** The training options of a setting. */
export function trainOptions(s: Setting): Partial<TrainOptions> {
  return { ngramRange: s.ngramRange, charNgramRange: s.charNgramRange, l2: s.l2 };
}

/** Scores of a model on labelled examples. */
export interface Scores {
  f1: number;
  accuracy: number;
  /** Per-label F1. */
  perLabel: Record<string, number>;
  support: number;
}

export function score(model: TextClassifier, examples: readonly Example[]): Scores {
  const report = evaluate(model, examples.map((e) => ({ text: e.text, label: e.label })));
  return {
    f1: report.weightedF1,
    accuracy: report.accuracy,
    perLabel: Object.fromEntries(report.perClass.map((c) => [c.label, c.f1])),
    support: examples.length,
  };
}

export function train(examples: readonly Example[], setting: Setting): TextClassifier {
  return trainTextClassifier(examples.map((e) => ({ text: e.text, label: e.label })), trainOptions(setting));
}

/** A warehouse row (`id, title, description, tag`) as an example; rows without a tag are dropped. */
export function toExamples(rows: ReadonlyArray<Record<string, unknown>>): Example[] {
  return rows
    .filter((r) => typeof r.tag === 'string' && r.tag !== '')
    .map((r) => ({ id: Number(r.id), text: projectText({ title: String(r.title ?? ''), description: String(r.description ?? '') }), label: String(r.tag) }));
}

/** The labelled rows of a Made With ML CSV file (`id, created_on, title, description, tag`). */
export function readExamples(path: string): Example[] {
  return readProjectsCsv(path).map((r) => ({ id: r.id, text: projectText(r), label: r.tag ?? '' })).filter((e) => e.label !== '');
}

/**
 * Splits examples into train and validation sets: within each label, examples are ordered by a
 * hash of (seed, id) and the first `fraction` go to validation (at least one when the label has
 * three or more examples). The same ids and seed always give the same split.
 */
export function stratifiedSplit(examples: readonly Example[], fraction: number, seed: number): { train: Example[]; validation: Example[] } {
  const byLabel = new Map<string, Example[]>();
  for (const e of examples) byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), e]);
  const train: Example[] = [];
  const validation: Example[] = [];
  const key = (e: Example) => createHash('sha1').update(`${seed}:${e.id}`).digest('hex');
  for (const label of [...byLabel.keys()].sort()) {
    const group = [...byLabel.get(label)!].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id));
    const n = group.length >= 3 ? Math.max(1, Math.round(group.length * fraction)) : 0;
    validation.push(...group.slice(0, n));
    train.push(...group.slice(n));
  }
  const byId = (a: Example, b: Example) => a.id - b.id;
  return { train: train.sort(byId), validation: validation.sort(byId) };
}

/** Counts per label, labels sorted. */
export function labelCounts(labels: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Rounds metrics for messages. */
export function fmt(n: number | null | undefined): string {
  return n === null || n === undefined ? 'n/a' : n.toFixed(4);
}
