/**
 * The nunjucks environment that renders Jinja templates the way Airflow does: autoescape off,
 * Python printing (True, None, ['a']), Python str/dict/list methods, Airflow's date filters,
 * and a single trailing newline dropped as Jinja does. Rendering is synchronous.
 *
 * The Jinja-compatibility changes nunjucks makes to its runtime are installed only while one
 * of these templates compiles or renders, so other nunjucks users in the process are unaffected.
 */
import nunjucks from 'nunjucks';
import { toTemplateDateTime } from './datetime.ts';
import { isKeywordArgs, pyJsonDumps, pyStr, STRING_METHODS } from './python.ts';

interface NunjucksRuntime {
  suppressValue: (val: unknown, autoescape: boolean) => unknown;
  memberLookup: (this: unknown, obj: unknown, val: unknown, ...rest: unknown[]) => unknown;
}
const internals = nunjucks as unknown as { runtime: NunjucksRuntime; installJinjaCompat: () => () => void };

const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });

/** Runs `fn` with Jinja compatibility installed in the nunjucks runtime (re-entrant). */
let depth = 0;
let restore: (() => void) | null = null;
function withJinjaRuntime<T>(fn: () => T): T {
  if (depth++ === 0) {
    const runtime = internals.runtime;
    const uninstallCompat = internals.installJinjaCompat();
    const compatLookup = runtime.memberLookup;
    const originalSuppress = runtime.suppressValue;
    runtime.memberLookup = function memberLookup(this: unknown, obj, val, ...rest) {
      if (typeof obj === 'string' && rest.length < 2 && typeof val === 'string' && Object.hasOwn(STRING_METHODS, val)) {
        const method = STRING_METHODS[val];
        return (...args: unknown[]) => method(obj, ...args);
      }
      return compatLookup.call(this, obj, val, ...rest);
    };
    runtime.suppressValue = (val) => pyStr(val);
    restore = () => {
      runtime.suppressValue = originalSuppress;
      uninstallCompat();
    };
  }
  try {
    return fn();
  } finally {
    if (--depth === 0) {
      restore?.();
      restore = null;
    }
  }
}

/** Splits a filter's arguments into positional ones and keyword ones. */
function filterArgs(args: unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const last = args[args.length - 1];
  return isKeywordArgs(last) ? { positional: args.slice(0, -1), keywords: last } : { positional: args, keywords: {} };
}

const dateFilter = (name: string, render: (d: ReturnType<typeof toTemplateDateTime>) => string) =>
  env.addFilter(name, (value: unknown) => (value === null || value === undefined ? null : render(toTemplateDateTime(value, name))));

dateFilter('ds', (d) => d.strftime('%Y-%m-%d'));
dateFilter('ds_nodash', (d) => d.strftime('%Y%m%d'));
dateFilter('ts', (d) => d.isoformat());
dateFilter('ts_nodash', (d) => d.strftime('%Y%m%dT%H%M%S'));
dateFilter('ts_nodash_with_tz', (d) => d.isoformat().replace(/[-:]/g, ''));

env.addFilter('tojson', (value: unknown, ...args: unknown[]) => {
  const { positional, keywords } = filterArgs(args);
  const indent = (keywords.indent ?? positional[0] ?? null) as number | string | null;
  return pyJsonDumps(value, { sortKeys: true, htmlSafe: true, indent });
});
env.addFilter('string', (value: unknown) => pyStr(value));
env.addFilter('join', (value: unknown, ...args: unknown[]) => {
  const { positional, keywords } = filterArgs(args);
  const sep = String(keywords.d ?? positional[0] ?? '');
  const attribute = (keywords.attribute ?? positional[1]) as string | undefined;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? [...value] : value && typeof value === 'object' ? Object.keys(value) : [];
  return items.map((x) => pyStr(attribute === undefined ? x : (x as Record<string, unknown>)?.[attribute])).join(sep);
});
env.addFilter('int', (value: unknown, ...args: unknown[]) => {
  const { positional, keywords } = filterArgs(args);
  const fallback = keywords.default ?? positional[0] ?? 0;
  const base = Number(keywords.base ?? positional[1] ?? 10);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback;
  const text = pyStr(value).trim().replace(/_/g, '');
  if (base === 10 && /^[+-]?\d+$/.test(text)) return parseInt(text, 10);
  if (base !== 10 && text !== '' && !Number.isNaN(parseInt(text, base))) return parseInt(text, base);
  const f = text === '' ? NaN : Number(text);
  return Number.isFinite(f) ? Math.trunc(f) : fallback;
});
env.addFilter('float', (value: unknown, ...args: unknown[]) => {
  const { positional, keywords } = filterArgs(args);
  const fallback = keywords.default ?? positional[0] ?? 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  const text = pyStr(value).trim();
  const f = text === '' ? NaN : Number(text);
  return Number.isNaN(f) ? fallback : f;
});
env.addFilter('items', (value: unknown) => (value && typeof value === 'object' ? Object.entries(value) : []));
env.addFilter('unique', (value: unknown) => (Array.isArray(value) ? [...new Set(value)] : value));
env.addFilter('min', (value: unknown) => (Array.isArray(value) && value.length ? value.reduce((a, b) => (b < a ? b : a)) : undefined));
env.addFilter('max', (value: unknown) => (Array.isArray(value) && value.length ? value.reduce((a, b) => (b > a ? b : a)) : undefined));
env.addFilter('map', (value: unknown, ...args: unknown[]) => {
  const { positional, keywords } = filterArgs(args);
  const items = Array.isArray(value) ? value : [];
  if (typeof keywords.attribute === 'string') {
    const attr = keywords.attribute;
    return items.map((x) => (x as Record<string, unknown>)?.[attr] ?? keywords.default);
  }
  const [name, ...rest] = positional;
  if (typeof name !== 'string') throw new Error("the 'map' filter needs a filter name or attribute=..., e.g. map('upper') or map(attribute='id')");
  const filter = env.getFilter(name) as (v: unknown, ...a: unknown[]) => unknown;
  return items.map((x) => filter(x, ...rest));
});
env.addGlobal('dict', (...args: unknown[]) => {
  const { keywords } = filterArgs(args);
  const { __keywords: _flag, ...rest } = keywords;
  return rest;
});

const MAX_CACHED = 500;
const cache = new Map<string, nunjucks.Template>();

/** Jinja drops one trailing newline from a template's source (keep_trailing_newline=False). */
function stripTrailingNewline(source: string): string {
  return source.replace(/(\r\n|\r|\n)$/, '');
}

function compile(source: string): nunjucks.Template {
  let template = cache.get(source);
  if (template) return template;
  template = new nunjucks.Template(stripTrailingNewline(source), env, undefined, true);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(source, template);
  return template;
}

/** Where an error message from nunjucks points, without its "(unknown path)" prefix. */
function cleanMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw
    .replace(/^\([^)]*\)\s*/, '')
    .replace(/\n\s*/g, ' ')
    .replace(/(^|\s)Error: /, '$1')
    .trim();
}

function preview(source: string): string {
  const flat = JSON.stringify(source);
  return flat.length > 200 ? flat.slice(0, 197) + '..."' : flat;
}

/**
 * Renders one template string against a context object. Syntax errors and render errors
 * throw an Error naming the template (and `name`, e.g. the field it came from) with
 * nunjucks' line and column.
 */
export function renderString(source: string, context: object, name?: string): string {
  const label = name ? `template '${name}' ${preview(source)}` : `template ${preview(source)}`;
  return withJinjaRuntime(() => {
    let template: nunjucks.Template;
    try {
      template = compile(source);
    } catch (err) {
      throw new Error(`Syntax error in ${label}: ${cleanMessage(err)}`, { cause: err });
    }
    try {
      return template.render(context);
    } catch (err) {
      throw new Error(`Cannot render ${label}: ${cleanMessage(err)}`, { cause: err });
    }
  });
}
