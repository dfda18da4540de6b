/**
 * The scheduler's in-memory picture of the runs it decides: one `RunTracker` per running run,
 * with the serialized DAG it was built from and the run's `ti_version` it reflects. A picture is
 * used only while the run's version in the database is still that one (nobody else changed the
 * run's task instances) and the DAG is unchanged; otherwise the run is read again in full.
 */
import type { RunTracker } from '../core/run-tracker.ts';
import type { SerializedDag } from '../core/serialized-dag.ts';

export interface RunModel {
  tracker: RunTracker;
  /** The serialized DAG the tracker was built from (the cache returns a new object when it changes). */
  dag: SerializedDag;
  /** The run's `ti_version` this picture reflects. */
  version: number;
}

/** Run key: `dagId\0runId`. */
export type RunKeyString = string;

export class RunModels {
  private readonly models = new Map<RunKeyString, RunModel>();

  /** The picture of a run, if it is still current for this version and DAG. */
  current(key: RunKeyString, version: number, dag: SerializedDag): RunModel | undefined {
    const m = this.models.get(key);
    if (!m) return undefined;
    if (m.version !== version || m.dag !== dag) {
      this.models.delete(key);
      return undefined;
    }
    return m;
  }

  set(key: RunKeyString, model: RunModel): void {
    this.models.set(key, model);
  }

  /** Records the version a pass wrote, keeping the picture current. */
  setVersion(key: RunKeyString, version: number): void {
    const m = this.models.get(key);
    if (m) m.version = version;
  }

  forget(key: RunKeyString): void {
    this.models.delete(key);
  }

  clear(): void {
    this.models.clear();
  }

  get size(): number {
    return this.models.size;
  }
}
