/**
 * The `macros` namespace of templates: Airflow's `airflow.macros` functions that make sense
 * without Python (`ds_add`, `ds_format`, `random`, `uuid`, `json`).
 */
import { randomUUID } from 'node:crypto';
import { bindArgs, pyJsonDumps, pyStr } from './python.ts';
import { dateFromParts, partsFromDate, strftime, strptime } from './strftime.ts';

/** A UUID as templates see it: prints with dashes; `.hex` has none. */
export class TemplateUuid {
  constructor(readonly value: string) {}
  get hex(): string { return this.value.replace(/-/g, ''); }
  get [Symbol.toStringTag](): string { return 'UUID'; }
  toString(): string { return this.value; }
  toJSON(): string { return this.value; }
}

/** Airflow's `macros.ds_add(ds, days)`: "2024-01-01", 7 → "2024-01-08". */
export function dsAdd(...args: unknown[]): string {
  const { ds, days } = bindArgs('ds_add', ['ds', 'days'], args);
  if (!days) return pyStr(ds);
  const n = Number(days);
  if (!Number.isFinite(n)) throw new Error(`ds_add(): days must be a number, got ${JSON.stringify(days)}`);
  const start = dateFromParts(strptime(pyStr(ds), '%Y-%m-%d'));
  return strftime(partsFromDate(new Date(start.getTime() + n * 86400000), false), '%Y-%m-%d');
}

/** Airflow's `macros.ds_format(ds, input_format, output_format)`, with Python format codes. */
export function dsFormat(...args: unknown[]): string {
  const { ds, input_format, output_format } = bindArgs('ds_format', ['ds', 'input_format', 'output_format'], args);
  if (typeof input_format !== 'string' || typeof output_format !== 'string') {
    throw new Error('ds_format(): input_format and output_format must be strings such as "%Y-%m-%d"');
  }
  return strftime(strptime(pyStr(ds), input_format), output_format);
}

function uuid4(): TemplateUuid {
  return new TemplateUuid(randomUUID());
}

/** Builds the `macros` object; a fresh one per context so templates cannot alter another's. */
export function buildMacros(): Record<string, unknown> {
  return {
    ds_add: dsAdd,
    ds_format: dsFormat,
    random: () => Math.random(),
    uuid4,
    uuid: { uuid4 },
    json: {
      dumps: (...args: unknown[]) => {
        const { obj, indent, sort_keys } = bindArgs('json.dumps', ['obj', 'indent', 'sort_keys'], args);
        return pyJsonDumps(obj, { indent: indent as number | string | null | undefined, sortKeys: Boolean(sort_keys) });
      },
      loads: (...args: unknown[]) => {
        const { s } = bindArgs('json.loads', ['s'], args);
        try {
          return JSON.parse(pyStr(s)) as unknown;
        } catch (err) {
          throw new Error(`json.loads(): the text is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
        }
      },
    },
  };
}
