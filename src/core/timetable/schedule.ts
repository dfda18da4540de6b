/** Reading schedules written by DAG authors into ScheduleSpec, and describing them. */
import type { ScheduleSpec } from '../serialized-dag.ts';
import { CRON_PRESETS, validateCronExpression } from './cron-expression.ts';
import { validateDatasetCondition } from './dataset-condition.ts';
import { formatDuration, parseDuration } from './duration.ts';

/** What an author may write as a schedule (dataset schedules arrive already normalized). */
export type ScheduleInput = null | undefined | string | { every: string | number } | ScheduleSpec;

const FORMS =
  'use null (manual runs only), a preset such as "@daily", "@once" or "@continuous", ' +
  'a 5-field cron string such as "0 2 * * *", or { every: "1h" }';

/**
 * Converts an author's schedule into a validated ScheduleSpec:
 * null/undefined → none; "@once"; "@continuous"; a preset or 5-field cron → cron;
 * `{ every }` → interval (seconds); an existing ScheduleSpec is validated and copied.
 * @throws Error saying what was wrong and what to write instead.
 */
export function parseSchedule(input: ScheduleInput): ScheduleSpec {
  const value: unknown = input;
  if (value === null || value === undefined) return { kind: 'none' };
  if (typeof value === 'string') return parseScheduleString(value);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if ('every' in record && !('kind' in record)) return parseEvery(record.every);
    if ('kind' in record && !('every' in record)) return validateScheduleSpec(record);
  }
  throw new Error(`Invalid schedule ${safeJson(value)}: ${FORMS}`);
}

function parseScheduleString(text: string): ScheduleSpec {
  const trimmed = text.trim();
  if (trimmed.startsWith('@')) {
    const preset = trimmed.toLowerCase();
    if (preset === '@once') return { kind: 'once' };
    if (preset === '@continuous') return { kind: 'continuous' };
    const expression = CRON_PRESETS[preset];
    if (expression !== undefined) return { kind: 'cron', expression, preset };
    throw new Error(`Unknown schedule preset ${JSON.stringify(text)}: use one of ${[...Object.keys(CRON_PRESETS), '@once', '@continuous'].join(', ')}`);
  }
  if (!/\s/.test(trimmed) && /[a-z]/i.test(trimmed) && isDuration(trimmed)) {
    throw new Error(`Invalid schedule ${JSON.stringify(text)}: to run at a fixed interval write { every: ${JSON.stringify(trimmed)} }`);
  }
  return { kind: 'cron', expression: validateCronExpression(text) };
}

function isDuration(text: string): boolean {
  try {
    parseDuration(text, 'schedule');
    return true;
  } catch {
    return false;
  }
}

function parseEvery(every: unknown): ScheduleSpec {
  if (typeof every !== 'string' && typeof every !== 'number') {
    throw new Error(`schedule { every } must be a duration such as "1h" or a number of seconds, got ${safeJson(every)}`);
  }
  const seconds = parseDuration(every, 'schedule { every }');
  if (seconds <= 0) throw new Error(`schedule { every } must be longer than zero, got ${safeJson(every)}`);
  return { kind: 'interval', seconds };
}

function validateScheduleSpec(spec: Record<string, unknown>): ScheduleSpec {
  switch (spec.kind) {
    case 'none':
    case 'once':
    case 'continuous':
      return { kind: spec.kind };
    case 'cron': {
      if (typeof spec.expression !== 'string') {
        throw new Error(`a cron schedule needs an expression string, got ${safeJson(spec.expression)}`);
      }
      const expression = validateCronExpression(spec.expression);
      if (spec.preset === undefined) return { kind: 'cron', expression };
      const preset = typeof spec.preset === 'string' ? spec.preset.toLowerCase() : undefined;
      if (preset === undefined || CRON_PRESETS[preset] !== expression) {
        throw new Error(`cron preset ${safeJson(spec.preset)} does not match expression ${JSON.stringify(expression)}`);
      }
      return { kind: 'cron', expression, preset };
    }
    case 'interval': {
      const seconds = spec.seconds;
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
        throw new Error(`an interval schedule needs a positive number of seconds, got ${safeJson(seconds)}`);
      }
      return { kind: 'interval', seconds };
    }
    case 'dataset':
      return { kind: 'dataset', condition: validateDatasetCondition(spec.condition, 'dataset condition') };
    default:
      throw new Error(`unknown schedule kind ${safeJson(spec.kind)}: use none, once, continuous, cron, interval or dataset`);
  }
}

/**
 * A short human summary of a schedule: "None", "@once", "@continuous", the preset or cron
 * expression, "every 1h30m", or "Dataset".
 */
export function describeSchedule(spec: ScheduleSpec): string {
  switch (spec.kind) {
    case 'none':
      return 'None';
    case 'once':
      return '@once';
    case 'continuous':
      return '@continuous';
    case 'cron':
      return spec.preset ?? spec.expression;
    case 'interval':
      return `every ${formatDuration(spec.seconds)}`;
    case 'dataset':
      return 'Dataset';
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
