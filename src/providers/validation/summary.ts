/** A validation report as a table for task logs: one line per expectation, ✔ or ✖, with what was observed. */
import { formatPercent } from './checks.ts';
import type { Expectation, ExpectationResult, ValidationReport } from './types.ts';

const MAX_CELL = 60;

/** The report as lines of text (a heading, a table, and failure details). */
export function formatReport(report: ValidationReport): string[] {
  const s = report.statistics;
  const head = `Validation of ${report.source} with suite '${report.suite}': ${report.success ? 'PASSED' : 'FAILED'} (${s.successful} of ${s.evaluated} expectations met, ${formatPercent(s.successPercent)})`;
  const rows = report.results.map((r) => [r.success ? '✔' : '✖', r.expectation.expectationType, clip(describeArgs(r.expectation)), clip(observed(r))]);
  const header = [' ', 'expectation', 'arguments', 'observed'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [head, line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
  for (const r of report.results.filter((x) => !x.success && x.unexpectedExamples.length > 0)) {
    out.push(`✖ ${r.expectation.expectationType} ${describeArgs(r.expectation)}: unexpected examples ${clip(JSON.stringify(r.unexpectedExamples), 400)}`);
  }
  return out;
}

/** The arguments of an expectation, e.g. `column=id, min=1`. */
export function describeArgs(e: Expectation): string {
  return Object.entries(e)
    .filter(([k]) => k !== 'expectationType' && k !== 'meta')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

function observed(r: ExpectationResult): string {
  if (r.error) return `error: ${r.error}`;
  if (r.observedValue === null) return 'none';
  return typeof r.observedValue === 'number' ? String(Number(r.observedValue.toPrecision(12))) : r.observedValue;
}

function clip(text: string, max = MAX_CELL): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
