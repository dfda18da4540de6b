/**
 * Conversions between JavaScript values and their stored form: timestamps as ISO-8601 UTC
 * text with milliseconds, booleans as 0/1, JSON as text. Use these on both dialects.
 */
import type { Flag, IsoTimestamp, JsonText } from './tables/column-types.ts';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Normalizes a timestamp to the stored form `YYYY-MM-DDTHH:mm:ss.sssZ`.
 * Accepts a Date, epoch milliseconds, or any string `Date` can parse that carries a zone.
 */
export function toIso(value: Date | number | string): IsoTimestamp {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new Error(`Cannot store ${JSON.stringify(String(value))} as a timestamp: it is not a valid date. Pass a Date, epoch milliseconds or an ISO-8601 string.`);
  }
  if (typeof value === 'string' && !/(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim())) {
    throw new Error(`Cannot store ${JSON.stringify(value)} as a timestamp: it has no time zone, so its instant is ambiguous. Add "Z" or an offset such as "+02:00".`);
  }
  return date.toISOString();
}

/** The current time in the stored form. */
export function nowIso(): IsoTimestamp {
  return new Date().toISOString();
}

/** True when `value` is already in the stored form (so it sorts correctly as text). */
export function isIsoTimestamp(value: unknown): value is IsoTimestamp {
  return typeof value === 'string' && ISO_UTC.test(value);
}

/** A stored timestamp as a Date; null stays null. */
export function fromIso(value: IsoTimestamp | null): Date | null {
  return value === null ? null : new Date(value);
}

/** A boolean in the stored form. */
export function toFlag(value: boolean): Flag {
  return value ? 1 : 0;
}

/** A stored 0/1 as a boolean. */
export function fromFlag(value: number | boolean | null | undefined): boolean {
  return value === 1 || value === true;
}

/** Serializes a value for a JSON column; refuses values JSON cannot represent. */
export function toJson(value: unknown): JsonText {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new Error(`Cannot store a value of type ${typeof value} in a JSON column: JSON has no representation for it. Store null, a number, string, boolean, array or plain object.`);
  }
  return text;
}

/** Parses a JSON column; null stays null. `what` names the column in the error message. */
export function fromJson<T>(text: JsonText | null, what = 'JSON column'): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`The stored ${what} is not valid JSON (${(err as Error).message}); it starts with ${JSON.stringify(text.slice(0, 60))}. Rewrite the value with toJson().`);
  }
}
