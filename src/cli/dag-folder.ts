/** Reads the DAGs folder for CLI commands: serialized DAGs and import errors, or one live DAG. */
import type { BatonConfig } from '../config.ts';
import type { SerializedDag } from '../core/serialized-dag.ts';
import { loadDagsFromFile, processDagFolder } from '../processor/index.ts';
import type { Dag } from '../sdk/dag.ts';
import { serializeDag } from '../sdk/serialize.ts';
import { CliError } from './cli-error.ts';

export async function readDagFolder(config: BatonConfig) {
  try {
    return await processDagFolder(config.dagsFolder, { timeoutMs: config.dagFileProcessorTimeout * 1000 });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
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
  const dags = await loadDagsFromFile(found.fileloc);
  const dag = dags.find((d) => d.dagId === dagId);
  if (!dag) throw new CliError(`DAG '${dagId}' disappeared from ${found.fileloc} while loading it`);
  return { dag, serialized: serializeDag(dag) };
}
