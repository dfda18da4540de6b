/**
 * Keeps the database in step with the DAGs folder: parses it (in child processes) at start and
 * every `minFileProcessInterval` seconds as a backstop (every file, since a file's DAGs can change
 * with what it imports or reads), and when a file changes (fs.watch, debounced: only the files
 * whose modification time or size changed, so one edit in a folder of hundreds of files is
 * picked up in the time it takes to parse that file).
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import type { BatonConfig } from '../config.ts';
import { processDagFolder, type ParseCache } from '../processor/index.ts';
import { syncDags, type SyncResult } from '../scheduler/dag-sync.ts';
import type { BatonDb } from '../store/index.ts';

export interface DagFolderSyncOptions {
  db: BatonDb;
  config: BatonConfig;
  /** Called after each sync that changed something. */
  onChange?: (result: SyncResult & { importErrors: number }) => void;
  log?: { info(m: string): void; warn(m: string): void };
}

/** Parses the folder once (in child processes with environment `env`, default this process's) and writes the result. */
export async function syncDagFolderOnce(db: BatonDb, config: BatonConfig, cache?: ParseCache, env?: NodeJS.ProcessEnv): Promise<SyncResult & { importErrors: number; dagIds: string[] }> {
  const folder = await processDagFolder(config.dagsFolder, { timeoutMs: config.dagFileProcessorTimeout * 1000, cache, env });
  const result = await syncDags(db.db, { dags: folder.dags, errors: folder.errors, files: folder.files, parsed: folder.parsed, pausedAtCreation: config.pausedAtCreation });
  return { ...result, importErrors: folder.errors.length, dagIds: folder.dags.map((d) => d.dagId) };
}

export class DagFolderSync {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Parse results of the last sync, reused for unchanged files after a file-change event. */
  private readonly cache: ParseCache = new Map();
  private full = true;

  constructor(private readonly o: DagFolderSyncOptions) {}

  async start(): Promise<void> {
    await this.syncNow();
    if (existsSync(this.o.config.dagsFolder)) {
      try {
        this.watcher = watch(this.o.config.dagsFolder, { recursive: true }, () => this.schedule());
        this.watcher.on('error', () => {});
      } catch {
        /* watching is an optimisation; the periodic sync still runs */
      }
    }
    const every = Math.max(1, this.o.config.minFileProcessInterval) * 1000;
    this.timer = setInterval(() => void this.syncNow(true), every);
    this.timer.unref?.();
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.syncNow(false), 300);
  }

  /**
   * Syncs now (or right after the sync in progress). `full` (default) parses every file;
   * otherwise only files changed since the last sync are parsed.
   */
  async syncNow(full = true): Promise<void> {
    if (full) this.full = true;
    if (this.busy) {
      this.again = true;
      return this.busy;
    }
    this.busy = (async () => {
      do {
        this.again = false;
        try {
          if (this.full) this.cache.clear();
          this.full = false;
          const r = await syncDagFolderOnce(this.o.db, this.o.config, this.cache);
          if (r.added.length || r.updated.length || r.deactivated.length) {
            this.o.log?.info(`DAGs folder: ${r.dagIds.length} DAG(s) loaded${r.added.length ? `, new: ${r.added.join(', ')}` : ''}${r.updated.length ? `, changed: ${r.updated.join(', ')}` : ''}${r.deactivated.length ? `, gone: ${r.deactivated.join(', ')}` : ''}${r.importErrors ? `, ${r.importErrors} import error(s)` : ''}`);
            this.o.onChange?.(r);
          }
        } catch (e) {
          this.o.log?.warn(`could not read the DAGs folder ${this.o.config.dagsFolder}: ${(e as Error).message}`);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.busy = null;
    });
    return this.busy;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    await this.busy;
  }
}
