/**
 * Parses one DAG file: imports it, serializes each of its DAGs separately, and reports what
 * went wrong as one import error for the file while keeping the DAGs that are fine.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SerializedDag } from '../core/serialized-dag.ts';
import { serializeDag } from '../sdk/serialize.ts';
import { importError, importErrorFromThrown, mergeImportErrors, type ImportErrorInfo } from './import-error.ts';
import { loadDagsFromFile } from './load-dag-module.ts';
import { syntaxErrorLine } from './syntax-location.ts';

/** The outcome of parsing one file: its valid DAGs and at most one import error. */
export interface ParseResult {
  file: string;
  dags: SerializedDag[];
  errors: ImportErrorInfo[];
  durationMs: number;
}

/**
 * Imports `file` in this process and serializes its DAGs. Never throws: an exception while
 * importing becomes the file's import error (with the line of the first stack frame in the
 * file); a DAG that fails to serialize, or reuses a DAG id of the same file, adds to the
 * file's import error while the file's other DAGs are kept.
 */
export async function parseDagFile(file: string): Promise<ParseResult> {
  const abs = resolve(file);
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  let loaded;
  try {
    loaded = await loadDagsFromFile(abs);
  } catch (e) {
    const error = importErrorFromThrown(abs, e);
    if (error.line === null && e instanceof SyntaxError) error.line = await syntaxErrorLine(abs);
    return { file: abs, dags: [], errors: [error], durationMs: elapsed() };
  }
  const dags: SerializedDag[] = [];
  const problems: ImportErrorInfo[] = [];
  const ids = new Set<string>();
  for (const dag of loaded) {
    if (ids.has(dag.dagId)) {
      problems.push(importError(abs, `DAG id '${dag.dagId}' is defined more than once in this file: DAG ids must be unique, rename one of them`));
      continue;
    }
    ids.add(dag.dagId);
    try {
      dags.push(serializeDag(dag));
    } catch (e) {
      problems.push(importErrorFromThrown(abs, e));
    }
  }
  const errors = problems.length > 0 ? [mergeImportErrors(abs, problems)] : [];
  return { file: abs, dags, errors, durationMs: elapsed() };
}
