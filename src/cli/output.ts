/** Output of list commands: an aligned table (default), JSON, or plain tab-separated lines. */
import { CliError } from './cli-error.ts';
import { cliOut } from './cli-context.ts';

export type OutputFormat = 'table' | 'json' | 'plain';

export function parseOutputFormat(v: string | undefined): OutputFormat {
  const f = (v ?? 'table').toLowerCase();
  if (f === 'table' || f === 'json' || f === 'plain') return f;
  throw new CliError(`--output must be table, json or plain (got ${JSON.stringify(v)})`, 2);
}

export function printRows(rows: Array<Record<string, unknown>>, columns: string[], format: OutputFormat, out: (s: string) => void = (s) => cliOut(s)): void {
  if (format === 'json') {
    out(`${JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))), null, 2)}\n`);
    return;
  }
  const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  if (format === 'plain') {
    for (const r of rows) out(`${columns.map((c) => cell(r[c])).join('\t')}\n`);
    return;
  }
  if (rows.length === 0) {
    out('No data found\n');
    return;
  }
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ').trimEnd();
  out(`${line(columns)}\n${widths.map((w) => '='.repeat(w)).join('=+=')}\n`);
  for (const r of rows) out(`${line(columns.map((c) => cell(r[c])))}\n`);
}
