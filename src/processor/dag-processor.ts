/**
 * The DAG processor: parses every DAG file of a folder in child processes (user code never
 * runs in the caller), each child reused for many files, and gathers the valid DAGs and one
 * import error per broken file. A file that hangs or kills its child costs only that file.
 */
import { stat } from 'node:fs/promises';
import type { SerializedDag } from '../core/serialized-dag.ts';
import { findDagFiles } from './find-dag-files.ts';
import { importError, mergeImportErrors, type ImportErrorInfo } from './import-error.ts';
import type { ParseResult } from './parse-file.ts';
import { ParserChild, describeExit, type ParseOutcome } from './parser-child.ts';

/** Every valid DAG of a folder (sorted by id), the import errors (sorted by file), the files read. */
export interface FolderResult {
  dags: SerializedDag[];
  errors: ImportErrorInfo[];
  files: string[];
  /** The files imported by this call (with a cache, the others' results were reused). */
  parsed: string[];
}

export interface ProcessDagFolderOptions {
  /** How long one file may take to import before its child is killed. Default 30000 ms. */
  timeoutMs?: number;
  /** How many child processes parse files in parallel. Default 2 (never more than the files). */
  concurrency?: number;
  /**
   * Results of earlier parses, by file. Given, files whose modification time and size are those
   * recorded are not parsed again (their results are reused), and the cache is brought up to
   * date. Default: none (every file is parsed).
   */
  cache?: ParseCache;
  /** The environment of the parsing child processes (what DAG files see as process.env). Default: this process's. */
  env?: NodeJS.ProcessEnv;
}

/** One file's parse result and the file's modification time and size when it was parsed. */
export interface ParsedFile {
  mtimeMs: number;
  size: number;
  result: ParseResult;
}

/** Parse results by file path (see `ProcessDagFolderOptions.cache`). */
export type ParseCache = Map<string, ParsedFile>;

/** Default per-file import timeout (Airflow's dagbag_import_timeout is 30 s). */
export const DEFAULT_FILE_TIMEOUT_MS = 30_000;
/** Default number of parsing child processes (Airflow's parsing_processes is 2). */
export const DEFAULT_CONCURRENCY = 2;

/**
 * Parses the DAG files of `folder` (see `findDagFiles`). A DAG id already defined by an
 * earlier file (in sorted path order) is an import error on the later file, whose other DAGs
 * still load. Throws only when the folder cannot be listed or no parsing child can start.
 */
export async function processDagFolder(folder: string, opts: ProcessDagFolderOptions = {}): Promise<FolderResult> {
  const timeoutMs = positive('timeoutMs', opts.timeoutMs ?? DEFAULT_FILE_TIMEOUT_MS);
  const concurrency = positive('concurrency', opts.concurrency ?? DEFAULT_CONCURRENCY);
  const files = await findDagFiles(folder);
  const cache = opts.cache;
  if (!cache) return { ...combine(files, await parseFiles(files, timeoutMs, Math.min(concurrency, files.length), opts.env)), parsed: [...files] };
  const stats = new Map<string, { mtimeMs: number; size: number }>();
  await Promise.all(files.map(async (f) => stats.set(f, await stat(f).then((s) => ({ mtimeMs: s.mtimeMs, size: s.size }), () => ({ mtimeMs: -1, size: -1 })))));
  const stale = files.filter((f) => {
    const c = cache.get(f);
    const s = stats.get(f)!;
    return !c || c.mtimeMs !== s.mtimeMs || c.size !== s.size || s.mtimeMs < 0;
  });
  const fresh = await parseFiles(stale, timeoutMs, Math.min(concurrency, stale.length), opts.env);
  for (const f of stale) {
    const r = fresh.get(f);
    if (r) cache.set(f, { ...stats.get(f)!, result: r });
  }
  const present = new Set(files);
  for (const f of cache.keys()) if (!present.has(f)) cache.delete(f);
  const results = new Map<string, ParseResult>();
  for (const f of files) {
    const r = cache.get(f)?.result;
    if (r) results.set(f, r);
  }
  return { ...combine(files, results), parsed: stale };
}

async function parseFiles(files: readonly string[], timeoutMs: number, workers: number, env?: NodeJS.ProcessEnv): Promise<Map<string, ParseResult>> {
  const results = new Map<string, ParseResult>();
  const queue = [...files];
  let failed = false;
  const work = async () => {
    let child: ParserChild | null = null;
    try {
      for (let file = queue.shift(); file !== undefined && !failed; file = queue.shift()) {
        if (!child?.alive) child = await ParserChild.start(undefined, env);
        const started = Date.now();
        const outcome = await child.parse(file, timeoutMs);
        results.set(file, toParseResult(file, outcome, Date.now() - started));
      }
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      await child?.close();
    }
  };
  await Promise.all(Array.from({ length: workers }, work));
  return results;
}

function toParseResult(file: string, outcome: ParseOutcome, durationMs: number): ParseResult {
  switch (outcome.kind) {
    case 'result':
      return outcome.result;
    case 'timeout':
      return failure(file, durationMs, `timed out after ${outcome.timeoutMs} ms while importing ${file}: move slow work (network calls, heavy computation) out of top-level code into tasks, or raise the per-file timeout`);
    case 'exit': {
      const output = outcome.stderr ? `\nstderr:\n${outcome.stderr}` : '';
      return failure(file, durationMs, `the process importing ${file} exited with ${describeExit(outcome.code, outcome.signal)} before finishing: DAG files must not call process.exit() or crash the process at import${output}`);
    }
  }
}

function failure(file: string, durationMs: number, message: string): ParseResult {
  return { file, dags: [], errors: [importError(file, message)], durationMs };
}

/** Applies cross-file DAG id uniqueness (the earlier file wins) and sorts the outcome. */
function combine(files: readonly string[], results: Map<string, ParseResult>): Omit<FolderResult, 'parsed'> {
  const owner = new Map<string, string>();
  const dags: SerializedDag[] = [];
  const errors: ImportErrorInfo[] = [];
  for (const file of files) {
    const result = results.get(file);
    if (!result) continue;
    const problems = [...result.errors];
    for (const dag of result.dags) {
      const other = owner.get(dag.dagId);
      if (other !== undefined) {
        problems.push(importError(file, `DAG id '${dag.dagId}' is already defined in ${other}: DAG ids must be unique across the DAGs folder, rename one of them`));
        continue;
      }
      owner.set(dag.dagId, file);
      dags.push(dag);
    }
    if (problems.length > 0) errors.push(mergeImportErrors(file, problems));
  }
  dags.sort((a, b) => (a.dagId < b.dagId ? -1 : a.dagId > b.dagId ? 1 : 0));
  return { dags, errors, files: [...files] };
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`processDagFolder: ${name} must be a positive integer (got ${value})`);
  return value;
}
