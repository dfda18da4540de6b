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
  const fields: Record<string, string> = {};
  for (const part of formatter(timezone).formatToParts(ms)) fields[part.type] = part.value;
  const yearOfEra = Number(fields.year);
  const year = fields.era === 'BC' || fields.era === 'B' ? 1 - yearOfEra : yearOfEra;
  const wall = new Date(0);
  wall.setUTCFullYear(year, Number(fields.month) - 1, Number(fields.day));
  wall.setUTCHours(Number(fields.hour), Number(fields.minute), Number(fields.second), mod(ms, 1000));
  return wall.getTime();
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
