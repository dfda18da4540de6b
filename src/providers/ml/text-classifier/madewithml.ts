/**
 * Reader for the Made With ML projects CSV files (`id, created_on, title, description[, tag]`).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** One project row. `tag` is absent in files without a `tag` column (projects.csv). */
export interface ProjectRow {
  id: number;
  createdOn: string;
  title: string;
  description: string;
  tag?: string;
}

const REQUIRED_COLUMNS = ['id', 'created_on', 'title', 'description'] as const;

/**
 * Parses a projects CSV file (quoted fields may span lines). Throws naming the file when a
 * required column is missing or an id is not an integer.
 */
export function readProjectsCsv(path: string | URL): ProjectRow[] {
  const records: Record<string, string>[] = parse(readFileSync(path, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
    bom: true,
  });
  const name = String(path);
  if (records.length === 0) return [];
  const columns = Object.keys(records[0]);
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) throw new Error(`${name}: missing column(s) ${missing.join(', ')}`);
  const hasTag = columns.includes('tag');
  return records.map((r, i) => {
    const id = Number(r.id);
    if (!Number.isInteger(id)) throw new Error(`${name}: row ${i + 1} has a non-integer id ${JSON.stringify(r.id)}`);
    const row: ProjectRow = { id, createdOn: r.created_on, title: r.title, description: r.description };
    if (hasTag) row.tag = r.tag;
    return row;
  });
}

/** The text a classifier sees for a project: its title, a space, then its description. */
export function projectText(row: Pick<ProjectRow, 'title' | 'description'>): string {
  return `${row.title} ${row.description}`;
}

/** Rows as `{ text, label }` training examples; throws if a row has no tag. */
export function projectExamples(rows: readonly ProjectRow[]): { text: string; label: string }[] {
  return rows.map((row) => {
    if (row.tag === undefined || row.tag === '') throw new Error(`project ${row.id} has no tag to learn from`);
    return { text: projectText(row), label: row.tag };
  });
}
