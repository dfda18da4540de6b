/**
 * Wall-clock arithmetic in IANA time zones. A "wall time" is the local date and time in a zone,
 * encoded as the epoch milliseconds of the same fields read as UTC (a naive datetime).
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function isUtc(timezone: string): boolean {
  return timezone === 'UTC' || timezone === 'Etc/UTC';
}

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new Error(`Unknown time zone ${JSON.stringify(timezone)}: use an IANA name such as "UTC", "Europe/Paris" or "America/New_York"`);
    }
    formatters.set(timezone, f);
  }
  return f;
}

/**
 * Checks that `timezone` is a known IANA time zone name.
 * @throws Error naming the zone and giving examples of valid names.
 */
export function assertTimeZone(timezone: string): void {
  if (!isUtc(timezone)) formatter(timezone);
}

/** The wall time in `timezone` at the instant `ms` (milliseconds are kept). */
export function toWallTime(ms: number, timezone: string): number {
  if (isUtc(timezone)) return ms;
  const f = formatter(timezone);
  // format() is several times faster than formatToParts(); its layout is checked before use.
  const quick = QUICK_LAYOUT.exec(f.format(ms));
  const fields = quick !== null ? quickFields(quick) : partsFields(f, ms);
  const wall = new Date(0);
  wall.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  wall.setUTCHours(fields.hour, fields.minute, fields.second, mod(ms, 1000));
  return wall.getTime();
}

interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** en-US layout, e.g. "3/10/2024 AD, 02:30:00". */
const QUICK_LAYOUT = /^(\d+)\/(\d+)\/(\d+) (AD|BC), (\d\d):(\d\d):(\d\d)$/;

function quickFields(m: RegExpExecArray): WallFields {
  const yearOfEra = Number(m[3]);
  return {
    year: m[4] === 'BC' ? 1 - yearOfEra : yearOfEra,
    month: Number(m[1]),
    day: Number(m[2]),
    hour: Number(m[5]),
    minute: Number(m[6]),
    second: Number(m[7]),
  };
}

function partsFields(f: Intl.DateTimeFormat, ms: number): WallFields {
  const parts: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) parts[part.type] = part.value;
  const yearOfEra = Number(parts.year);
  return {
    year: parts.era === 'BC' || parts.era === 'B' ? 1 - yearOfEra : yearOfEra,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The zone's offset from UTC at the instant `ms`, in milliseconds (east positive). */
export function utcOffsetAt(ms: number, timezone: string): number {
  return toWallTime(ms, timezone) - ms;
}

/**
 * The instant of a wall time in `timezone`, resolving daylight-saving changes as Airflow does
 * (pendulum with `fold=1`): a time that occurs twice means its second occurrence, and a time
 * skipped by a spring-forward gap is moved forward by the size of the gap (02:30 → 03:30).
 */
export function fromWallTime(wall: number, timezone: string): number {
  if (isUtc(timezone)) return wall;
  const before = utcOffsetAt(wall - DAY_MS, timezone);
  const after = utcOffsetAt(wall + DAY_MS, timezone);
  let resolved: number | null = null;
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = wall - offset;
    if (utcOffsetAt(instant, timezone) === offset && (resolved === null || instant > resolved)) {
      resolved = instant;
    }
  }
  // In a gap: read the wall time with the offset in force before the change.
  return resolved ?? wall - before;
}

/** Remainder with the sign of the divisor (Python's `%`). */
export function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
