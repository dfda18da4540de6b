/**
 * The datetime objects templates see (`logical_date`, `data_interval_start`, ...): a UTC
 * instant with the pendulum / Python `datetime` methods Airflow templates commonly call.
 */
import { bindArgs } from './python.ts';
import { dateFromParts, partsFromDate, pendulumFormat, strftime, weekday } from './strftime.ts';
import type { TimeParts } from './strftime.ts';

const UNITS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'microseconds'] as const;
const START_UNITS = ['second', 'minute', 'hour', 'day', 'month', 'year'];
const FIELDS = ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond'] as const;

/** A timezone-aware UTC datetime, printed the way Airflow prints pendulum datetimes. */
export class TemplateDateTime {
  readonly #date: Date;

  constructor(date: Date) {
    if (!Number.isFinite(date.getTime())) throw new Error('TemplateDateTime: the date is not valid');
    this.#date = new Date(date.getTime());
  }

  get [Symbol.toStringTag](): string {
    return 'DateTime';
  }

  get #parts(): TimeParts {
    return partsFromDate(this.#date);
  }

  get year(): number { return this.#parts.year; }
  get month(): number { return this.#parts.month; }
  get day(): number { return this.#parts.day; }
  get hour(): number { return this.#parts.hour; }
  get minute(): number { return this.#parts.minute; }
  get second(): number { return this.#parts.second; }
  get microsecond(): number { return this.#parts.microsecond; }
  get int_timestamp(): number { return Math.floor(this.#date.getTime() / 1000); }
  get timezone_name(): string { return 'UTC'; }
  get day_of_week(): number { return (weekday(this.#parts) + 1) % 7; }
  get day_of_year(): number { return Number(strftime(this.#parts, '%j')); }

  /** The instant as a JavaScript Date. */
  toDate(): Date { return new Date(this.#date.getTime()); }
  timestamp(): number { return this.#date.getTime() / 1000; }
  weekday(): number { return weekday(this.#parts); }
  isoweekday(): number { return weekday(this.#parts) + 1; }
  strftime(fmt: string): string { return strftime(this.#parts, String(fmt)); }
  format(fmt: string): string { return pendulumFormat(this.#parts, String(fmt)); }

  /** Python's `isoformat()`: "2024-01-01T00:00:00+00:00", microseconds only when non-zero. */
  isoformat(sep: unknown = 'T'): string {
    const s = typeof sep === 'string' ? sep : 'T';
    const p = this.#parts;
    return strftime(p, `%Y-%m-%d${s}%H:%M:%S`) + (p.microsecond ? `.${strftime(p, '%f')}` : '') + '+00:00';
  }

  to_date_string(): string { return strftime(this.#parts, '%Y-%m-%d'); }
  to_time_string(): string { return strftime(this.#parts, '%H:%M:%S'); }
  to_datetime_string(): string { return strftime(this.#parts, '%Y-%m-%d %H:%M:%S'); }
  to_iso8601_string(): string { return this.isoformat('T').replace('+00:00', 'Z'); }

  /** pendulum's `add(years=0, months=0, weeks=0, days=0, hours=0, minutes=0, seconds=0, microseconds=0)`. */
  add(...args: unknown[]): TemplateDateTime {
    return this.#shift(bindArgs('add', UNITS, args), 1);
  }

  subtract(...args: unknown[]): TemplateDateTime {
    return this.#shift(bindArgs('subtract', UNITS, args), -1);
  }

  /** Python's `replace(year=..., month=..., ...)`: the same instant with some fields changed. */
  replace(...args: unknown[]): TemplateDateTime {
    const bound = bindArgs('replace', FIELDS, args);
    const p = { ...this.#parts };
    for (const f of FIELDS) if (bound[f] !== undefined && bound[f] !== null) p[f] = Number(bound[f]);
    const out = dateFromParts(p);
    if (out.getUTCDate() !== p.day) throw new Error(`replace(): day ${p.day} is out of range for month ${p.month}`);
    return new TemplateDateTime(out);
  }

  /** pendulum's `start_of(unit)` for second, minute, hour, day, week (Monday), month, year. */
  start_of(unit: string): TemplateDateTime {
    const p = { ...this.#parts, microsecond: 0 };
    if (unit === 'week') {
      return new TemplateDateTime(dateFromParts({ ...p, hour: 0, minute: 0, second: 0 })).subtract({ days: weekday(p), __keywords: true });
    }
    const rank = START_UNITS.indexOf(unit);
    if (rank < 0) throw new Error(`start_of(): unknown unit '${unit}'; use second, minute, hour, day, week, month or year`);
    if (rank >= 1) p.second = 0;
    if (rank >= 2) p.minute = 0;
    if (rank >= 3) p.hour = 0;
    if (rank >= 4) p.day = 1;
    if (rank >= 5) p.month = 1;
    return new TemplateDateTime(dateFromParts(p));
  }

  /** pendulum's `end_of(unit)`: the last microsecond (to the millisecond) of the unit. */
  end_of(unit: string): TemplateDateTime {
    const next = this.start_of(unit).add({ [`${unit}s`]: 1, __keywords: true });
    return new TemplateDateTime(new Date(next.#date.getTime() - 1));
  }

  /** Python's `str()`: pendulum 3 prints `isoformat(" ")`, e.g. "2024-01-01 00:00:00+00:00". */
  toString(): string { return this.isoformat(' '); }
  toJSON(): string { return this.isoformat('T'); }
  valueOf(): number { return this.#date.getTime(); }

  #shift(amounts: Record<string, unknown>, sign: 1 | -1): TemplateDateTime {
    const n = (k: string) => sign * Number(amounts[k] ?? 0);
    const p = { ...this.#parts };
    const months = n('years') * 12 + n('months');
    if (months !== 0) {
      const total = p.year * 12 + (p.month - 1) + months;
      p.year = Math.floor(total / 12);
      p.month = (total % 12) + 1;
      p.day = Math.min(p.day, daysInMonth(p.year, p.month));
    }
    const ms = ((n('weeks') * 7 + n('days')) * 86400 + n('hours') * 3600 + n('minutes') * 60 + n('seconds')) * 1000 + n('microseconds') / 1000;
    return new TemplateDateTime(new Date(dateFromParts(p).getTime() + ms));
  }
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** A date for a date filter: a TemplateDateTime, a Date, or an ISO-8601 string. */
export function toTemplateDateTime(value: unknown, filter: string): TemplateDateTime {
  if (value instanceof TemplateDateTime) return value;
  if (value instanceof Date) return new TemplateDateTime(value);
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new TemplateDateTime(new Date(value));
  throw new Error(`the '${filter}' filter needs a datetime (such as data_interval_end), got ${value === undefined ? 'an undefined value' : JSON.stringify(value)}`);
}
