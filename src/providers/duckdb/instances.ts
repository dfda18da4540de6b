/**
 * One DuckDB instance per database file per process. DuckDB lets a single process open a file
 * for writing, and two instances of the same file inside one process would not see each other's
 * writes, so every hook on a file shares one instance. A file's instance is closed when its last
 * user releases it, which frees the file for other processes (workers of other tasks).
 * In-memory databases (`:memory:`) stay open for the life of the process: closing one would
 * lose its data.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { loadDuckDbApi } from './node-api.ts';

export const MEMORY_DATABASE = ':memory:';

interface Entry {
  instance: Promise<DuckDBInstance>;
  users: number;
}

const entries = new Map<string, Entry>();

/** A shared instance and the function that gives it back. */
export interface InstanceLease {
  readonly database: string;
  readonly instance: DuckDBInstance;
  /** Gives the instance back; the last release of a file closes it. Safe to call twice. */
  release(): void;
}

/** The key an instance is cached under: `:memory:` or the absolute file path. */
export function databaseKey(database: string): string {
  if (typeof database !== 'string' || database.trim() === '') {
    throw new TypeError('a DuckDB database must be a file path or ":memory:"');
  }
  return database === MEMORY_DATABASE ? MEMORY_DATABASE : resolve(database);
}

/** Borrows the process's instance for `database`, opening it on first use. */
export async function acquireInstance(database: string): Promise<InstanceLease> {
  const key = databaseKey(database);
  let entry = entries.get(key);
  if (!entry) {
    entry = { instance: open(key), users: 0 };
    entries.set(key, entry);
  }
  entry.users += 1;
  let instance: DuckDBInstance;
  try {
    instance = await entry.instance;
  } catch (e) {
    entry.users -= 1;
    if (entries.get(key) === entry) entries.delete(key);
    throw e;
  }
  let released = false;
  const held = entry;
  return {
    database: key,
    instance,
    release() {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users === 0 && key !== MEMORY_DATABASE && entries.get(key) === held) {
        entries.delete(key);
        instance.closeSync();
      }
    },
  };
}

/** Closes every cached instance, in-memory ones included (for shutdown and tests). */
export async function closeAllDuckDbInstances(): Promise<void> {
  const all = [...entries.values()];
  entries.clear();
  for (const e of all) {
    try {
      (await e.instance).closeSync();
    } catch {
      /* an instance that failed to open has nothing to close */
    }
  }
}

async function open(key: string): Promise<DuckDBInstance> {
  try {
    if (key !== MEMORY_DATABASE) mkdirSync(dirname(key), { recursive: true });
    const { DuckDBInstance } = await loadDuckDbApi();
    return await DuckDBInstance.create(key);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const lock = /lock/i.test(reason)
      ? ' Another process holds the file open: DuckDB allows one writing process per file, so run the tasks that use it in the "duckdb" pool with 1 slot and close other clients (CLI, notebooks).'
      : '';
    throw new Error(`cannot open DuckDB database ${key}: ${reason}.${lock}`);
  }
}
