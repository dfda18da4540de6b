/**
 * Python-flavoured value helpers for Jinja compatibility: how Python prints values (`str`,
 * `repr`, `json.dumps`), Python string methods, and Python-style call arguments.
 */

/** Nunjucks passes `name=value` call arguments as a trailing object flagged `__keywords`. */
export function isKeywordArgs(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && (value as { __keywords?: unknown }).__keywords === true;
}

/**
 * Maps positional and keyword arguments onto Python parameter names, as a Python call would;
 * `keywordOnly` names may only be given as keywords. Throws on unknown keywords and on too
 * many positional arguments.
 */
export function bindArgs(fn: string, names: readonly string[], args: unknown[], keywordOnly: readonly string[] = []): Record<string, unknown> {
  const last = args[args.length - 1];
  const keywords = isKeywordArgs(last) ? last : null;
  const positional = keywords ? args.slice(0, -1) : args;
  if (positional.length > names.length) {
    throw new Error(`${fn}() takes at most ${names.length} positional argument(s) (${names.join(', ')}) but ${positional.length} were given`);
  }
  const bound: Record<string, unknown> = {};
  positional.forEach((v, i) => (bound[names[i]] = v));
  if (keywords) {
    for (const [k, v] of Object.entries(keywords)) {
      if (k === '__keywords') continue;
      if (!names.includes(k) && !keywordOnly.includes(k)) {
        throw new Error(`${fn}() got an unexpected keyword argument '${k}'; it accepts ${[...names, ...keywordOnly].join(', ')}`);
      }
      if (k in bound) throw new Error(`${fn}() got multiple values for argument '${k}'`);
      bound[k] = v;
    }
  }
  return bound;
}

/** Python's `str()` of a value, as Jinja prints it: True, None, ['a', 1], {'k': 'v'}. */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  if (Array.isArray(value) || isPlainObject(value)) return pyRepr(value);
  return scalarStr(value);
}

/** Python's `repr()` of a value. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return reprString(value);
  if (value === undefined) return 'None';
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return scalarStr(value);
}

function scalarStr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  }
  return String(value);
}

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

export interface DumpsOptions {
  sortKeys?: boolean;
  indent?: number | string | null;
  /** Escape <, >, & and ' as Jinja's `tojson` does, so output is safe inside HTML. */
  htmlSafe?: boolean;
}

/** Python's `json.dumps` (ensure_ascii on, default separators). */
export function pyJsonDumps(value: unknown, opts: DumpsOptions = {}): string {
  const indent = typeof opts.indent === 'number' ? ' '.repeat(opts.indent) : opts.indent ?? null;
  const text = dumpValue(value, opts.sortKeys ?? false, indent, '');
  return opts.htmlSafe
    ? text.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027')
    : text;
}

function dumpValue(value: unknown, sortKeys: boolean, indent: string | null, pad: string): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  if (typeof value === 'string') return asciiJsonString(value);
  const toJson = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJson === 'function') return dumpValue(toJson.call(value), sortKeys, indent, pad);
  const inner = indent === null ? '' : pad + indent;
  const open = indent === null ? '' : '\n' + inner;
  const sep = indent === null ? ', ' : ',\n' + inner;
  const close = indent === null ? '' : '\n' + pad;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((v) => dumpValue(v, sortKeys, indent, inner)).join(sep)}${close}]`;
  }
  if (typeof value === 'object') {
    let entries = Object.entries(value as Record<string, unknown>);
    if (sortKeys) entries = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) return '{}';
    const items = entries.map(([k, v]) => `${asciiJsonString(k)}: ${dumpValue(v, sortKeys, indent, inner)}`);
    return `{${open}${items.join(sep)}${close}}`;
  }
  throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
}

function asciiJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const WHITESPACE = ' \t\n\r\x0b\x0c';

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = typeof chars === 'string' ? chars : WHITESPACE;
  let start = 0;
  let end = s.length;
  if (left) while (start < end && set.includes(s[start])) start++;
  if (right) while (end > start && set.includes(s[end - 1])) end--;
  return s.slice(start, end);
}

/** Python `str` methods Airflow templates call, e.g. `ds.replace('-', '')`. */
export const STRING_METHODS: Record<string, (s: string, ...args: unknown[]) => unknown> = {
  replace: (s, old, rep, count) => {
    const parts = s.split(String(old));
    const n = typeof count === 'number' && count >= 0 ? count : parts.length - 1;
    return parts.slice(0, n + 1).join(String(rep)) + (n + 1 < parts.length ? String(old) + parts.slice(n + 1).join(String(old)) : '');
  },
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  strip: (s, chars) => stripChars(s, chars, true, true),
  lstrip: (s, chars) => stripChars(s, chars, true, false),
  rstrip: (s, chars) => stripChars(s, chars, false, true),
  split: (s, sep, maxsplit) => {
    const limit = typeof maxsplit === 'number' && maxsplit >= 0 ? maxsplit : Infinity;
    if (sep === undefined || sep === null) {
      const words: string[] = [];
      const re = /\S+/g;
      for (let m = re.exec(s); m; m = re.exec(s)) {
        if (words.length === limit) {
          words.push(s.slice(m.index));
          break;
        }
        words.push(m[0]);
      }
      return words;
    }
    const parts = s.split(String(sep));
    return limit < parts.length - 1 ? [...parts.slice(0, limit), parts.slice(limit).join(String(sep))] : parts;
  },
  startswith: (s, prefix) => (Array.isArray(prefix) ? prefix.some((p) => s.startsWith(String(p))) : s.startsWith(String(prefix))),
  endswith: (s, suffix) => (Array.isArray(suffix) ? suffix.some((p) => s.endsWith(String(p))) : s.endsWith(String(suffix))),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  title: (s) => s.toLowerCase().replace(/(^|[^a-zA-Z])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase()),
  zfill: (s, width) => {
    const w = Number(width);
    const sign = s.startsWith('-') || s.startsWith('+') ? s[0] : '';
    return sign + s.slice(sign.length).padStart(w - sign.length, '0');
  },
  join: (s, items) => (Array.isArray(items) ? items.map((x) => pyStr(x)).join(s) : ''),
  isdigit: (s) => s.length > 0 && /^[0-9]+$/.test(s),
  format: (s, ...args) => {
    let next = 0;
    const kw = isKeywordArgs(args[args.length - 1]) ? (args.pop() as Record<string, unknown>) : {};
    return s.replace(/\{(\w*)\}/g, (_m, key: string) => pyStr(key === '' ? args[next++] : /^\d+$/.test(key) ? args[Number(key)] : kw[key]));
  },
};
