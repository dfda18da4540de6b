/**
 * Finds the line of a syntax error in a JavaScript DAG file. V8 reports an ES module's syntax
 * error without its location (TypeScript files get one from the compiler), so the file is
 * parsed again with esbuild, the compiler the TypeScript loader already runs on.
 */
import { readFile } from 'node:fs/promises';

interface EsbuildFailure {
  errors?: Array<{ location?: { line?: number } | null }>;
}

/** The 1-based line of the first syntax error esbuild finds in `file`, or null. */
export async function syntaxErrorLine(file: string): Promise<number | null> {
  try {
    const source = await readFile(file, 'utf8');
    const { transform } = await import('esbuild');
    const loader = /\.[cm]?ts$/.test(file) ? 'ts' : 'js';
    await transform(source, { loader, format: 'esm', sourcefile: file, logLevel: 'silent' });
    return null;
  } catch (e) {
    const line = (e as EsbuildFailure).errors?.[0]?.location?.line;
    return typeof line === 'number' ? line : null;
  }
}
