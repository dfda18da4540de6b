/**
 * Import errors: why a DAG file (or part of it) could not be loaded, in the shape the UI and
 * the metadata database keep, one per file (as Airflow keeps one import error per file).
 */
import { pathToFileURL } from 'node:url';

/** A problem loading one DAG file. `line` is 1-based in the file's own source, when known. */
export interface ImportErrorInfo {
  file: string;
  line: number | null;
  message: string;
  stack: string;
}

/** Builds the import error for a value thrown while importing or serializing `file`. */
export function importErrorFromThrown(file: string, thrown: unknown): ImportErrorInfo {
  if (thrown instanceof Error) {
    const message = stripCacheBust(thrown.name && thrown.name !== 'Error' ? `${thrown.name}: ${thrown.message}` : thrown.message);
    const stack = stripCacheBust(thrown.stack ?? '');
    return { file, line: lineInFile(`${thrown.message}\n${stack}`, file), message, stack };
  }
  return { file, line: null, message: `a non-Error value was thrown: ${describe(thrown)}`, stack: '' };
}

/** An import error with a plain message and no stack. */
export function importError(file: string, message: string, line: number | null = null): ImportErrorInfo {
  return { file, line, message, stack: '' };
}

/**
 * Folds several problems of one file into a single import error: messages and stacks are
 * joined, and the first known line is kept.
 */
export function mergeImportErrors(file: string, errors: readonly ImportErrorInfo[]): ImportErrorInfo {
  if (errors.length === 1) return { ...errors[0]!, file };
  return {
    file,
    line: errors.find((e) => e.line !== null)?.line ?? null,
    message: errors.map((e) => e.message).join('\n'),
    stack: errors
      .map((e) => e.stack)
      .filter((s) => s !== '')
      .join('\n\n'),
  };
}

/**
 * The line of the first reference to `file` (as a path or a file URL, with or without a query)
 * in an error's text: the first stack frame inside the file, or the location a syntax error
 * reports. Null when the text never points into the file.
 */
export function lineInFile(text: string, file: string): number | null {
  const forms = [pathToFileURL(file).href, file].map(escapeRegExp).join('|');
  const m = new RegExp(`(?<![\\w.-])(?:${forms})(?:\\?[^\\s:)]*)?:(\\d+)`).exec(text);
  return m ? Number(m[1]) : null;
}

/** Removes the `?v=<mtime>` suffix the loader adds to module URLs so messages show plain paths. */
export function stripCacheBust(text: string): string {
  return text.replace(/(\.(?:[cm]?ts|[cm]?js))\?v=[\d.]+/g, '$1');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function describe(v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
}
