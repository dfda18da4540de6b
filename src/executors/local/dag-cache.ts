/**
 * A worker's cache of imported DAG files and their serialized DAGs, keyed by file path and
 * modification time: a file is imported again only when it changed, and a DAG is serialized
 * once per version of its file. Failures are cached the same way (until the file changes).
 */
import { statSync } from 'node:fs';
import type { SerializedDag } from '../../core/serialized-dag.ts';
import { importErrorFromThrown } from '../../processor/import-error.ts';
import { loadDagsFromFile } from '../../processor/load-dag-module.ts';
import type { Dag } from '../../sdk/dag.ts';
import { serializeDag } from '../../sdk/serialize.ts';

/** A DAG could not be made ready to run: its file is missing, failed to import, or lacks the DAG. */
export class DagLoadError extends Error {
  override readonly name = 'DagLoadError';
}

/** A DAG ready to run: the live object and its serialized form. */
export interface LoadedDag {
  dag: Dag;
  serialized: SerializedDag;
}

interface FileEntry {
  mtimeMs: number;
  /** The import error, when the file could not be imported. */
  error: string | null;
  dags: Map<string, Dag>;
  ready: Map<string, LoadedDag | DagLoadError>;
}

/** The DAG files a worker has imported, by path and modification time. */
export class DagCache {
  private readonly files = new Map<string, FileEntry>();

  /** The DAG `dagId` of `file`, imported and serialized. Throws DagLoadError saying what is wrong. */
  async get(file: string, dagId: string): Promise<LoadedDag> {
    const entry = await this.entry(file);
    const cached = entry.ready.get(dagId);
    if (cached) {
      if (cached instanceof DagLoadError) throw cached;
      return cached;
    }
    const outcome = entry.error !== null ? new DagLoadError(entry.error) : this.prepare(file, entry, dagId);
    entry.ready.set(dagId, outcome);
    if (outcome instanceof DagLoadError) throw outcome;
    return outcome;
  }

  private async entry(file: string): Promise<FileEntry> {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch (e) {
      throw new DagLoadError(`the DAG file ${file} cannot be read (${(e as Error).message}); it may have been moved or deleted since the try was queued`);
    }
    const known = this.files.get(file);
    if (known && known.mtimeMs === mtimeMs) return known;
    const entry: FileEntry = { mtimeMs, error: null, dags: new Map(), ready: new Map() };
    try {
      for (const dag of await loadDagsFromFile(file)) if (!entry.dags.has(dag.dagId)) entry.dags.set(dag.dagId, dag);
    } catch (e) {
      const info = importErrorFromThrown(file, e);
      entry.error = `could not import the DAG file ${file}: ${info.stack || info.message}`;
    }
    this.files.set(file, entry);
    return entry;
  }

  private prepare(file: string, entry: FileEntry, dagId: string): LoadedDag | DagLoadError {
    const dag = entry.dags.get(dagId);
    if (!dag) {
      const found = [...entry.dags.keys()];
      return new DagLoadError(`the DAG file ${file} does not define DAG '${dagId}' (it defines ${found.length ? found.map((d) => `'${d}'`).join(', ') : 'no DAGs'}); the DAG may have been renamed or removed since the try was queued`);
    }
    try {
      return { dag, serialized: serializeDag(dag) };
    } catch (e) {
      return new DagLoadError(`DAG '${dagId}' in ${file} is invalid: ${(e as Error).message}`);
    }
  }
}
