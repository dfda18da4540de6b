/**
 * Python's `strftime` / `strptime` (C-locale English names, glibc's `%-d` no-padding flag)
 * and pendulum's `format()` tokens, over broken-down times.
 */

/** A broken-down time. `offsetMinutes` is null for a naive time (Python's tzinfo=None). */
export interface TimeParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  offsetMinutes: number | null;
}

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The UTC fields of a Date, as an aware (offset 0) or naive time. */
export function partsFromDate(date: Date, aware = true): TimeParts {
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    microsecond: date.getUTCMilliseconds() * 1000,
    offsetMinutes: aware ? 0 : null,
  };
}

/** The instant the parts name, reading a naive time as UTC. */
export function dateFromParts(p: TimeParts): Date {
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.hour, p.minute, p.second, Math.floor(p.microsecond / 1000));
  return new Date(d.getTime() - (p.offsetMinutes ?? 0) * 60000);
}

const pad = (n: number, w = 2, c = '0') => String(n).padStart(w, c);

/** 0 = Monday ... 6 = Sunday, as Python's `weekday()`. */
export function weekday(p: TimeParts): number {
  return (((dayNumber(p) + 3) % 7) + 7) % 7;
}

/** Days since 1970-01-01 of the parts' calendar date. */
function dayNumber(p: Pick<TimeParts, 'year' | 'month' | 'day'>): number {
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  return Math.floor(d.getTime() / 86400000);
}

function dayOfYear(p: TimeParts): number {
  return dayNumber(p) - dayNumber({ ...p, month: 1, day: 1 }) + 1;
}

function offsetText(p: TimeParts, colon: boolean): string {
  if (p.offsetMinutes === null) return '';
  const sign = p.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(p.offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

function isoWeek(p: TimeParts): [number, number] {
  const thursday = dayNumber(p) - weekday(p) + 3;
  const year = new Date(thursday * 86400000).getUTCFullYear();
  const jan1 = dayNumber({ ...p, year, month: 1, day: 1 });
  return [year, Math.floor((thursday - jan1) / 7) + 1];
}

function directive(p: TimeParts, c: string): string | null {
  const wd = weekday(p);
  const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  switch (c) {
    case 'a': return DAYS[wd].slice(0, 3);
    case 'A': return DAYS[wd];
    case 'w': return String((wd + 1) % 7);
    case 'u': return String(wd + 1);
    case 'd': return pad(p.day);
    case 'e': return pad(p.day, 2, ' ');
    case 'b': case 'h': return MONTHS[p.month - 1].slice(0, 3);
    case 'B': return MONTHS[p.month - 1];
    case 'm': return pad(p.month);
    case 'y': return pad(p.year % 100);
    case 'Y': return pad(p.year, 4);
    case 'C': return pad(Math.floor(p.year / 100));
    case 'H': return pad(p.hour);
    case 'I': return pad(h12);
    case 'p': return p.hour < 12 ? 'AM' : 'PM';
    case 'M': return pad(p.minute);
    case 'S': return pad(p.second);
    case 'f': return pad(p.microsecond, 6);
    case 'z': return offsetText(p, false);
    case 'Z': return p.offsetMinutes === null ? '' : p.offsetMinutes === 0 ? 'UTC' : offsetText(p, true);
    case 'j': return pad(dayOfYear(p), 3);
    case 'U': return pad(Math.floor((dayOfYear(p) + 6 - ((wd + 1) % 7)) / 7));
    case 'W': return pad(Math.floor((dayOfYear(p) + 6 - wd) / 7));
    case 'G': return pad(isoWeek(p)[0], 4);
    case 'V': return pad(isoWeek(p)[1]);
    case 'F': return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
    case 'T': case 'X': return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
    case 'D': case 'x': return `${pad(p.month)}/${pad(p.day)}/${pad(p.year % 100)}`;
    case 'c': return `${DAYS[wd].slice(0, 3)} ${MONTHS[p.month - 1].slice(0, 3)} ${pad(p.day, 2, ' ')} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${p.year}`;
    case 's': return String(Math.floor(dateFromParts(p).getTime() / 1000));
    case 'n': return '\n';
    case 't': return '\t';
    case '%': return '%';
    default: return null;
  }
}

/** Python's `datetime.strftime(fmt)`. */
export function strftime(p: TimeParts, fmt: string): string {
  return fmt.replace(/%(-?)(.)/gs, (whole, flag: string, c: string) => {
    const text = directive(p, c);
    if (text === null) return whole;
    return flag === '-' && /^[ 0]+\d/.test(text) ? text.replace(/^[ 0]+(?=\d)/, '') : text;
  });
}

const PARSERS: Record<string, string> = {
  d: '(?<d>3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])',
  m: '(?<m>1[0-2]|0[1-9]|[1-9])',
  Y: '(?<Y>\\d\\d\\d\\d)',
  y: '(?<y>\\d\\d)',
  H: '(?<H>2[0-3]|[0-1]\\d|\\d)',
  I: '(?<I>1[0-2]|0[1-9]|[1-9])',
  M: '(?<M>[0-5]\\d|\\d)',
  S: '(?<S>6[0-1]|[0-5]\\d|\\d)',
  f: '(?<f>\\d{1,6})',
  j: '(?<j>36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])',
  p: '(?<p>am|pm)',
  b: `(?<b>${MONTHS.map((m) => m.slice(0, 3)).join('|')})`,
  B: `(?<B>${MONTHS.join('|')})`,
  a: `(?:${DAYS.map((d) => d.slice(0, 3)).join('|')})`,
  A: `(?:${DAYS.join('|')})`,
  w: '(?:[0-6])',
  z: '(?<z>[+-]\\d\\d:?[0-5]\\d|Z)',
  '%': '%',
};

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Python's `datetime.strptime(text, fmt)`; throws a ValueError-like message on mismatch. */
export function strptime(text: string, fmt: string): TimeParts {
  let source = '';
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i];
    if (ch === '%' && i + 1 < fmt.length) {
      const c = fmt[++i];
      const re = c === 'h' ? PARSERS.b : PARSERS[c];
      if (!re) throw new Error(`'${c}' is a bad directive in format '${fmt}'`);
      source += re;
    } else if (/\s/.test(ch)) {
      source += '\\s+';
      while (i + 1 < fmt.length && /\s/.test(fmt[i + 1])) i++;
    } else source += escapeRe(ch);
  }
  let m: RegExpMatchArray | null;
  try {
    m = text.match(new RegExp(`^${source}$`, 'i'));
  } catch {
    throw new Error(`time data '${text}' cannot be read with format '${fmt}': the format uses a directive twice`);
  }
  if (!m) throw new Error(`time data '${text}' does not match format '${fmt}'`);
  const g = m.groups ?? {};
  const monthIndex = (name: string | undefined, len: number) =>
    name === undefined ? undefined : MONTHS.findIndex((x) => x.slice(0, len).toLowerCase() === name.toLowerCase()) + 1;
  const year = g.Y !== undefined ? Number(g.Y) : g.y !== undefined ? (Number(g.y) < 69 ? 2000 : 1900) + Number(g.y) : 1900;
  let hour = g.H !== undefined ? Number(g.H) : 0;
  if (g.I !== undefined) hour = (Number(g.I) % 12) + (g.p?.toLowerCase() === 'pm' ? 12 : 0);
  const parts: TimeParts = {
    year,
    month: Number(g.m ?? monthIndex(g.b, 3) ?? monthIndex(g.B, 99) ?? 1),
    day: Number(g.d ?? 1),
    hour,
    minute: Number(g.M ?? 0),
    second: Number(g.S ?? 0),
    microsecond: g.f !== undefined ? Number(g.f.padEnd(6, '0')) : 0,
    offsetMinutes: g.z === undefined ? null : g.z.toUpperCase() === 'Z' ? 0 : parseOffset(g.z),
  };
  if (g.j !== undefined && g.m === undefined && g.d === undefined) {
    const d = new Date(Date.UTC(2000, 0, Number(g.j)));
    d.setUTCFullYear(year, 0, Number(g.j));
    parts.month = d.getUTCMonth() + 1;
    parts.day = d.getUTCDate();
  }
  if (parts.second > 59) parts.second = 59;
  const check = new Date(Date.UTC(2000, parts.month - 1, parts.day));
  if (check.getUTCDate() !== parts.day || (parts.month === 2 && parts.day === 29 && !isLeap(year))) {
    throw new Error(`day is out of range for month in '${text}'`);
  }
  return parts;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function parseOffset(z: string): number {
  const digits = z.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return z.startsWith('-') ? -minutes : minutes;
}

const PENDULUM_TOKENS = /\[([^\]]*)\]|YYYY|YY|Q|MMMM|MMM|MM|M|DDDD|DDD|Do|DD|D|dddd|ddd|d|E|HH|H|hh|h|mm|m|ss|s|S{1,6}|A|a|X|x|ZZ|Z|z/g;

/** pendulum's `DateTime.format(fmt)` with English names. */
export function pendulumFormat(p: TimeParts, fmt: string): string {
  const wd = weekday(p);
  const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  const ordinal = (n: number) => {
    const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
    return `${n}${s}`;
  };
  return fmt.replace(PENDULUM_TOKENS, (tok: string, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    if (tok[0] === 'S') return pad(p.microsecond, 6).slice(0, tok.length);
    switch (tok) {
      case 'YYYY': return pad(p.year, 4);
      case 'YY': return pad(p.year % 100);
      case 'Q': return String(Math.ceil(p.month / 3));
      case 'MMMM': return MONTHS[p.month - 1];
      case 'MMM': return MONTHS[p.month - 1].slice(0, 3);
      case 'MM': return pad(p.month);
      case 'M': return String(p.month);
      case 'DDDD': return pad(dayOfYear(p), 3);
      case 'DDD': return String(dayOfYear(p));
      case 'Do': return ordinal(p.day);
      case 'DD': return pad(p.day);
      case 'D': return String(p.day);
      case 'dddd': return DAYS[wd];
      case 'ddd': return DAYS[wd].slice(0, 3);
      case 'd': return String((wd + 1) % 7);
      case 'E': return String(wd + 1);
      case 'HH': return pad(p.hour);
      case 'H': return String(p.hour);
      case 'hh': return pad(h12);
      case 'h': return String(h12);
      case 'mm': return pad(p.minute);
      case 'm': return String(p.minute);
      case 'ss': return pad(p.second);
      case 's': return String(p.second);
      case 'A': return p.hour < 12 ? 'AM' : 'PM';
      case 'a': return p.hour < 12 ? 'am' : 'pm';
      case 'X': return String(Math.floor(dateFromParts(p).getTime() / 1000));
      case 'x': return String(dateFromParts(p).getTime());
      case 'ZZ': return offsetText(p, false);
      case 'Z': return offsetText(p, true);
      case 'z': return p.offsetMinutes === 0 ? 'UTC' : offsetText(p, true);
      default: return tok;
    }
  });
}
