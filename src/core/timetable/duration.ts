/**
 * Durations written by DAG authors: a number of seconds, or a string such as "30s", "5m",
 * "1h30m", "2d" or "500ms". Values are returned in seconds (possibly fractional).
 */

const UNIT_SECONDS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1, ms: 0.001 };
const PART = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|w|d|h|m|s)/gy;
const EXAMPLES = 'a number of seconds, or a string such as "30s", "5m", "1h30m", "2d" or "500ms"';

/**
 * Parses a duration into seconds. Numbers are seconds; strings are one or more `<number><unit>`
 * parts with units ms, s, m, h, d, w (a bare numeric string is seconds).
 * `what` names the value in error messages, e.g. "task 'load' retryDelay".
 * @throws Error when the value is not a finite, non-negative duration.
 */
export function parseDuration(value: string | number, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`${what} must be a non-negative number of seconds, got ${String(value)}`);
    }
    return value;
  }
  if (typeof value !== 'string') {
    throw new Error(`${what} must be ${EXAMPLES}; got ${describe(value)}`);
  }
  const text = value.trim();
  if (text.length === 0) {
    throw new Error(`${what}: empty duration; write ${EXAMPLES}`);
  }
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  let seconds = 0;
  let consumed = 0;
  for (;;) {
    while (text[consumed] === ' ') consumed++;
    if (consumed === text.length) break;
    PART.lastIndex = consumed;
    const match = PART.exec(text);
    if (match === null) {
      throw new Error(`${what}: invalid duration ${JSON.stringify(value)}; write ${EXAMPLES}`);
    }
    seconds += Number(match[1]) * UNIT_SECONDS[match[2]!]!;
    consumed = PART.lastIndex;
  }
  return roundToMicros(seconds);
}

/**
 * Formats seconds compactly with the units parseDuration reads, largest first:
 * 5400 → "1h30m", 0.5 → "500ms", 86400 → "1d", 0 → "0s".
 */
export function formatDuration(seconds: number): string {
  let ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  ms = Math.abs(ms);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const count = Math.floor(ms / size);
    if (count > 0) parts.push(`${count}${unit}`);
    ms -= count * size;
  }
  return sign + parts.join('');
}

function roundToMicros(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return typeof value;
}
