/** Import errors: the latest failure to load each DAG file, shown until the file loads again. */
import type { Kysely, Selectable } from 'kysely';
import { nowIso, toIso } from '../codec.ts';
import type { ImportErrorTable, IsoTimestamp, Schema } from '../schema.ts';

export interface DagImportError {
  id: number;
  filename: string;
  stacktrace: string;
  timestamp: IsoTimestamp;
  /** 1-based line of the error in `filename`, when known. */
  line: number | null;
}

export interface ImportErrorInput {
  filename: string;
  stacktrace: string;
  line?: number | null;
  /** Defaults to now. */
  timestamp?: Date | string;
}

/** Records the error for a file, replacing any earlier error for the same file. */
export async function replaceImportError(db: Kysely<Schema>, input: ImportErrorInput): Promise<void> {
  if (typeof input.filename !== 'string' || input.filename === '') {
    throw new Error('An import error needs the path of the file that failed to load.');
  }
  const fields = {
    stacktrace: input.stacktrace,
    timestamp: input.timestamp === undefined ? nowIso() : toIso(input.timestamp),
    line: input.line ?? null,
  };
  await db
    .insertInto('import_error')
    .values({ filename: input.filename, ...fields })
    .onConflict((oc) => oc.column('filename').doUpdateSet(fields))
    .execute();
}

/** Forgets the error for a file (it loaded). Returns false when there was none. */
export async function clearImportError(db: Kysely<Schema>, filename: string): Promise<boolean> {
  const result = await db.deleteFrom('import_error').where('filename', '=', filename).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Forgets the errors of every file not in `filenames` (files that were deleted). */
export async function clearImportErrorsExcept(db: Kysely<Schema>, filenames: Iterable<string>): Promise<number> {
  const keep = new Set(filenames);
  const stored = await db.selectFrom('import_error').select('filename').execute();
  const gone = stored.map((r) => r.filename).filter((f) => !keep.has(f));
  let removed = 0;
  for (let i = 0; i < gone.length; i += 500) {
    const result = await db.deleteFrom('import_error').where('filename', 'in', gone.slice(i, i + 500)).executeTakeFirst();
    removed += Number(result.numDeletedRows);
  }
  return removed;
}

/** Every current import error, by file name. */
export async function listImportErrors(db: Kysely<Schema>): Promise<DagImportError[]> {
  const rows = await db.selectFrom('import_error').selectAll().orderBy('filename').execute();
  return rows.map(toImportError);
}

function toImportError(row: Selectable<ImportErrorTable>): DagImportError {
  return { id: row.id, filename: row.filename, stacktrace: row.stacktrace, timestamp: row.timestamp, line: row.line };
}
