/** Parsing of CLI argument values, with errors that say what a good value looks like. */
import { toDate } from '../sdk/dag.ts';
import { CliError } from './cli-error.ts';

export function parseConf(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--conf is not valid JSON (${(e as Error).message}); example: --conf '{"key": "value"}'`, 2);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CliError('--conf must be a JSON object, e.g. {"key": "value"}', 2);
  return v as Record<string, unknown>;
}

export function parseDateArg(text: string | undefined, what = 'logical date'): Date | undefined {
  if (text === undefined) return undefined;
  try {
    return toDate('cli', what, text, 'UTC') ?? undefined;
  } catch {
    throw new CliError(`${what} ${JSON.stringify(text)} is not a date; use 2024-01-01 or 2024-01-01T06:00:00Z`, 2);
  }
}

export function parseIntArg(text: string | undefined, what: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${what} must be an integer ≥ ${min} (got ${JSON.stringify(text)})`, 2);
  return n;
}
