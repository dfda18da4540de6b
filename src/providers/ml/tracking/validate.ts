/** Checks of what tasks and commands pass to tracking and the registry, with messages that say what to fix. */
import { MODEL_STAGES, type JsonValue, type ModelSelector, type ModelStage } from './types.ts';

/** A tracking or registry call was given something it cannot store. */
export class MlInputError extends Error {
  override readonly name = 'MlInputError';
}

/** Longest param, metric, artifact or model name. */
export const MAX_NAME_LENGTH = 250;
/** Largest step (steps are stored as 32-bit integers). */
export const MAX_STEP = 2 ** 31 - 1;
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A param or metric key: a non-empty string of at most 250 characters, without control characters. */
export function checkKey(key: unknown, what: string): string {
  if (typeof key !== 'string' || key.trim() === '') throw new MlInputError(`${what} name must be a non-empty string (got ${JSON.stringify(key)})`);
  if (key.length > MAX_NAME_LENGTH) throw new MlInputError(`${what} name '${key.slice(0, 40)}…' is longer than ${MAX_NAME_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new MlInputError(`${what} name ${JSON.stringify(key)} contains a control character`);
  return key;
}

/** Params as JSON values (a value JSON cannot hold is refused). */
export function checkParams(params: unknown): Record<string, JsonValue> {
  if (!isPlainObject(params)) throw new MlInputError(`params must be a plain object of name → value (got ${describe(params)})`);
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(params)) {
    checkKey(k, 'param');
    if (v === undefined) continue;
    let text: string | undefined;
    try {
      text = JSON.stringify(v);
    } catch (e) {
      throw new MlInputError(`param '${k}' cannot be stored: ${(e as Error).message}`);
    }
    if (text === undefined) throw new MlInputError(`param '${k}' cannot be stored: a ${typeof v} has no JSON form`);
    out[k] = JSON.parse(text) as JsonValue;
  }
  return out;
}

/** Metrics as finite numbers. */
export function checkMetrics(metrics: unknown): Record<string, number> {
  if (!isPlainObject(metrics)) throw new MlInputError(`metrics must be a plain object of name → number (got ${describe(metrics)})`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) {
    checkKey(k, 'metric');
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new MlInputError(`metric '${k}' must be a finite number (got ${describe(v)})`);
    out[k] = v;
  }
  return out;
}

/** A step: an integer from 0 to 2^31-1. */
export function checkStep(step: unknown): number {
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > MAX_STEP) {
    throw new MlInputError(`step must be an integer from 0 to ${MAX_STEP} (got ${describe(step)})`);
  }
  return step;
}

/** An artifact name: `/`-separated segments, none empty, `.` or `..`, no backslashes or control characters. */
export function checkArtifactName(name: unknown): string {
  checkKey(name, 'artifact');
  const n = name as string;
  if (n.includes('\\')) throw new MlInputError(`artifact name ${JSON.stringify(n)} must use "/" to separate parts, not "\\"`);
  if (n.split('/').some((s) => s === '' || s === '.' || s === '..')) throw new MlInputError(`artifact name ${JSON.stringify(n)} has an empty, "." or ".." part`);
  return n;
}

/** A model name: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 250 characters. */
export function checkModelName(name: unknown): string {
  if (typeof name !== 'string' || !MODEL_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new MlInputError(`model name ${JSON.stringify(name)} is not valid: use letters, digits, ".", "_" and "-", starting with a letter or digit, at most ${MAX_NAME_LENGTH} characters`);
  }
  return name;
}

/** A version number: a positive integer (accepts its decimal text too). */
export function checkVersion(version: unknown): number {
  const n = typeof version === 'string' && /^\d+$/.test(version.trim()) ? Number(version) : version;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_STEP) throw new MlInputError(`model version must be a positive integer (got ${describe(version)})`);
  return n;
}

/** A stage name. */
export function checkStage(stage: unknown): ModelStage {
  if (typeof stage !== 'string' || !(MODEL_STAGES as readonly string[]).includes(stage)) {
    throw new MlInputError(`stage must be one of ${MODEL_STAGES.join(', ')} (got ${describe(stage)})`);
  }
  return stage as ModelStage;
}

/** A version selector: `production`, `staging`, `latest` or a version number. */
export function checkSelector(selector: unknown): ModelSelector {
  if (selector === 'production' || selector === 'staging' || selector === 'latest') return selector;
  if (typeof selector === 'number' || (typeof selector === 'string' && /^\d+$/.test(selector))) return checkVersion(selector);
  throw new MlInputError(`stage must be 'production', 'staging', 'latest' or a version number (got ${describe(selector)})`);
}

/** An optional content type: a non-empty string of at most 250 characters. */
export function checkContentType(contentType: unknown): string | null {
  if (contentType === undefined || contentType === null) return null;
  if (typeof contentType !== 'string' || contentType.trim() === '' || contentType.length > MAX_NAME_LENGTH || /[\u0000-\u001f]/.test(contentType)) {
    throw new MlInputError(`contentType must be a media type such as "text/csv" (got ${describe(contentType)})`);
  }
  return contentType;
}

/** An optional description: a string. */
export function checkDescription(description: unknown): string | null {
  if (description === undefined || description === null) return null;
  if (typeof description !== 'string') throw new MlInputError(`description must be a string (got ${describe(description)})`);
  return description;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`;
}
