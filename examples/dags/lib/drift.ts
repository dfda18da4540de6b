/**
 * Drift between the data a model learnt from (reference) and data that arrived since (current),
 * and the policy the update pipeline applies to it.
 *
 * - Label drift: the population stability index (PSI) of the label distributions,
 *   Σ (cᵢ − rᵢ) · ln(cᵢ / rᵢ) over labels, shares floored at 0.0001. Rule of thumb: < 0.1 stable,
 *   0.1–0.25 moderate, > 0.25 large.
 * - Text-length drift: the two-sample Kolmogorov–Smirnov statistic of the texts' word counts
 *   (the largest gap between the two cumulative distributions, 0 to 1), and the PSI over the
 *   reference's length deciles.
 */
import { labelCounts, type Example } from './training.ts';

const FLOOR = 1e-4;

/** Population stability index between two count tables (categories absent from one count as 0). */
export function psi(reference: Record<string, number>, current: Record<string, number>): number {
  const cats = [...new Set([...Object.keys(reference), ...Object.keys(current)])];
  const total = (t: Record<string, number>) => cats.reduce((s, c) => s + (t[c] ?? 0), 0);
  const rt = total(reference);
  const ct = total(current);
  if (rt === 0 || ct === 0) return 0;
  let sum = 0;
  for (const c of cats) {
    const r = Math.max((reference[c] ?? 0) / rt, FLOOR);
    const a = Math.max((current[c] ?? 0) / ct, FLOOR);
    sum += (a - r) * Math.log(a / r);
  }
  return sum;
}

/** The two-sample Kolmogorov–Smirnov statistic: max |F_ref(x) − F_cur(x)|. */
export function ksStatistic(reference: readonly number[], current: readonly number[]): number {
  if (reference.length === 0 || current.length === 0) return 0;
  const a = [...reference].sort((x, y) => x - y);
  const b = [...current].sort((x, y) => x - y);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

/** PSI of a numeric feature over bins cut at the reference's quantiles. */
export function binnedPsi(reference: readonly number[], current: readonly number[], bins = 10): number {
  if (reference.length === 0 || current.length === 0) return 0;
  const sorted = [...reference].sort((x, y) => x - y);
  const edges = [...new Set(Array.from({ length: bins - 1 }, (_, k) => sorted[Math.floor(((k + 1) * sorted.length) / bins)]!))];
  const bin = (v: number) => {
    let k = 0;
    while (k < edges.length && v >= edges[k]!) k++;
    return String(k);
  };
  return psi(labelCounts(reference.map(bin)), labelCounts(current.map(bin)));
}

/** Words in a text. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export interface DriftReport {
  referenceRows: number;
  currentRows: number;
  referenceLabels: Record<string, number>;
  currentLabels: Record<string, number>;
  labelPsi: number;
  lengthKs: number;
  lengthPsi: number;
  /** Median word count of each side. */
  referenceMedianLength: number | null;
  currentMedianLength: number | null;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function measureDrift(reference: readonly Example[], current: readonly Example[]): DriftReport {
  const refLengths = reference.map((e) => wordCount(e.text));
  const curLengths = current.map((e) => wordCount(e.text));
  const referenceLabels = labelCounts(reference.map((e) => e.label));
  const currentLabels = labelCounts(current.map((e) => e.label));
  return {
    referenceRows: reference.length,
    currentRows: current.length,
    referenceLabels,
    currentLabels,
    labelPsi: psi(referenceLabels, currentLabels),
    lengthKs: ksStatistic(refLengths, curLengths),
    lengthPsi: binnedPsi(refLengths, curLengths),
    referenceMedianLength: median(refLengths),
    currentMedianLength: median(curLengths),
  };
}

/** How the production model (and the version a rollback would restore) do on the current data. */
export interface PerformanceReport {
  model: string;
  productionVersion: number | null;
  /** Weighted F1 of the production model on the current rows; null without a production model or current rows. */
  productionF1: number | null;
  /** The most recent archived version (the one a rollback restores), when there is one. */
  previousVersion: number | null;
  previousF1: number | null;
}

export type PolicyAction = 'continue' | 'inspect' | 'improve' | 'rollback';
export const POLICY_ACTIONS: readonly PolicyAction[] = ['continue', 'inspect', 'improve', 'rollback'];

export interface Thresholds {
  /** Label PSI at or above which the data is inspected (default 0.1). */
  psiInspect: number;
  /** Label PSI at or above which the model is retrained (default 0.25). */
  psiImprove: number;
  /** Length KS at or above which the data is inspected (default 0.15). */
  ksInspect: number;
  /** Length KS at or above which the model is retrained (default 0.3). */
  ksImprove: number;
  /** Production F1 on the current data below which the model is retrained, or rolled back when the previous version is better (default 0.7). */
  minF1: number;
  /** How much better the previous version must score to be restored (default 0.05). */
  rollbackMargin: number;
  /** Fewer current rows than this: too little to judge, continue (default 10). */
  minRows: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { psiInspect: 0.1, psiImprove: 0.25, ksInspect: 0.15, ksImprove: 0.3, minF1: 0.7, rollbackMargin: 0.05, minRows: 10 };

export interface Decision {
  action: PolicyAction;
  reasons: string[];
}

/**
 * The policy, in order: an explicit action wins; too little new data → continue; the
 * production model scores below `minF1` on the new data and the previous version scores at
 * least `rollbackMargin` better → rollback; large drift or a low score → improve (retrain);
 * moderate drift → inspect; otherwise continue.
 */
export function decide(drift: DriftReport, perf: PerformanceReport, t: Thresholds, requested: PolicyAction | 'auto' = 'auto'): Decision {
  if (requested !== 'auto') return { action: requested, reasons: [`action '${requested}' was requested`] };
  if (drift.currentRows < t.minRows) return { action: 'continue', reasons: [`${drift.currentRows} new row(s), fewer than minRows ${t.minRows}: nothing to judge yet`] };
  const f1 = perf.productionF1;
  const low = f1 !== null && f1 < t.minF1;
  if (low && perf.previousF1 !== null && perf.previousF1 >= f1 + t.rollbackMargin) {
    return {
      action: 'rollback',
      reasons: [`production version ${perf.productionVersion} scores F1 ${f1.toFixed(3)} < ${t.minF1} on the new data; version ${perf.previousVersion} scores ${perf.previousF1.toFixed(3)}`],
    };
  }
  const improve: string[] = [];
  if (perf.productionVersion === null) improve.push('no model is in production');
  if (low) improve.push(`production F1 ${f1.toFixed(3)} < ${t.minF1} on the new data`);
  if (drift.labelPsi >= t.psiImprove) improve.push(`label PSI ${drift.labelPsi.toFixed(3)} ≥ ${t.psiImprove}`);
  if (drift.lengthKs >= t.ksImprove) improve.push(`text-length KS ${drift.lengthKs.toFixed(3)} ≥ ${t.ksImprove}`);
  if (improve.length) return { action: 'improve', reasons: improve };
  const inspect: string[] = [];
  if (drift.labelPsi >= t.psiInspect) inspect.push(`label PSI ${drift.labelPsi.toFixed(3)} ≥ ${t.psiInspect}`);
  if (drift.lengthKs >= t.ksInspect) inspect.push(`text-length KS ${drift.lengthKs.toFixed(3)} ≥ ${t.ksInspect}`);
  if (inspect.length) return { action: 'inspect', reasons: inspect };
  return { action: 'continue', reasons: [`label PSI ${drift.labelPsi.toFixed(3)}, text-length KS ${drift.lengthKs.toFixed(3)}, production F1 ${f1 === null ? 'n/a' : f1.toFixed(3)}: within thresholds`] };
}
