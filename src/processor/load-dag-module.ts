/**
 * Imports one DAG file in the current process and collects the DAGs it exports. Runs user
 * code: the processor calls it only inside its parsing child processes (and `baton dags test`
 * in its own process). It registers the TypeScript loader and the "baton" resolver first.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureDagLoaders } from '../runtime/dag-loaders.ts';
import { isAssetDefinition } from '../sdk/asset.ts';
import { isDag, type Dag } from '../sdk/dag.ts';

/**
 * Imports `file` and returns every exported DAG (default and named exports, each DAG once,
 * in export-name order). The module URL carries the file's mtime (`?v=<mtimeMs>`), so a
 * changed file is read again instead of coming from the module cache. A DAG whose
 * `fileloc` is unknown, or names this same file, gets the file's absolute path.
 */
export async function loadDagsFromFile(file: string): Promise<Dag[]> {
  ensureDagLoaders();
  const abs = resolve(file);
  const { mtimeMs } = await stat(abs);
  const mod = (await import(`${pathToFileURL(abs).href}?v=${mtimeMs}`)) as Record<string, unknown>;
  const dags: Dag[] = [];
  for (const value of Object.values(mod)) {
    const found = isDag(value) ? value : isAssetDefinition(value) ? value.dag : undefined;
    if (found && !dags.includes(found)) dags.push(found);
  }
  for (const d of dags) d.fileloc = normalizeFileloc(d.fileloc, abs);
  return dags;
}

function normalizeFileloc(fileloc: string | null, abs: string): string {
  if (!fileloc) return abs;
  const plain = fileloc.replace(/^file:\/\//, '').replace(/\?.*$/, '');
  return plain === abs ? abs : fileloc;
}
