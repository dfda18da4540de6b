/** Reads the DAGs folder for CLI commands: serialized DAGs and import errors, or one live DAG. */
import type { BatonConfig } from '../config.ts';
import type { SerializedDag } from '../core/serialized-dag.ts';
import type { FolderResult } from '../processor/index.ts';
import type { Dag } from '../sdk/dag.ts';
import { CliError } from './cli-error.ts';
import { cliEnv } from './cli-context.ts';
import { cacheEnabled, currentKey, readCached, sameKey, writeCached } from './dag-folder-cache.ts';

/**
 * The DAGs and import errors of the DAGs folder: from the parse cache when nothing under the
 * folder changed since it was parsed (see dag-folder-cache.ts), else parsed in child processes.
 */
export async function readDagFolder(config: BatonConfig): Promise<FolderResult> {
  try {
    if (!cacheEnabled(cliEnv())) return await parseFolder(config);
    const key = await currentKey(config.dagsFolder);
    const cached = await readCached(config.home, key);
    if (cached) return cached;
    const result = await parseFolder(config);
    // Files edited while they were being parsed must not be remembered as parsed.
    const after = await currentKey(config.dagsFolder);
    if (sameKey(key, after)) await writeCached(config.home, key, result);
    return result;
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

async function parseFolder(config: BatonConfig): Promise<FolderResult> {
  const { processDagFolder } = await import('../processor/index.ts');
  return processDagFolder(config.dagsFolder, { timeoutMs: config.dagFileProcessorTimeout * 1000, env: cliEnv() });
}

/** Finds a DAG by id in the folder, then loads its file in this process. */
export async function loadLiveDag(config: BatonConfig, dagId: string): Promise<{ dag: Dag; serialized: SerializedDag }> {
  const folder = await readDagFolder(config);
  const found = folder.dags.find((d) => d.dagId === dagId);
  if (!found) {
    const err = folder.errors.length ? `\n${folder.errors.length} file(s) failed to import; see \`baton dags list-import-errors\`.` : '';
    const known = folder.dags.map((d) => d.dagId).join(', ') || '(none)';
    throw new CliError(`DAG '${dagId}' was not found in ${config.dagsFolder}. Known DAGs: ${known}.${err}`);
  }
  const [{ loadDagsFromFile }, { serializeDag }] = await Promise.all([import('../processor/index.ts'), import('../sdk/serialize.ts')]);
  const dags = await loadDagsFromFile(found.fileloc);
  const dag = dags.find((d) => d.dagId === dagId);
  if (!dag) throw new CliError(`DAG '${dagId}' disappeared from ${found.fileloc} while loading it`);
  return { dag, serialized: serializeDag(dag) };
}
