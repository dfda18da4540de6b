/**
 * DuckDB's native module, loaded on first use: importing it costs about a third of a second,
 * which DAG files that only name DuckDB operators (and every DAG parse) should not pay.
 */
import type * as DuckDbApi from '@duckdb/node-api';

export type DuckDbNodeApi = typeof DuckDbApi;

let loaded: DuckDbNodeApi | undefined;
let loading: Promise<DuckDbNodeApi> | undefined;

/** Imports `@duckdb/node-api` once per process. */
export function loadDuckDbApi(): Promise<DuckDbNodeApi> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= import('@duckdb/node-api').then((m) => (loaded = m));
  return loading;
}

/** The module after `loadDuckDbApi` resolved (any open instance implies it has). */
export function loadedDuckDbApi(): DuckDbNodeApi {
  if (!loaded) throw new Error('DuckDB is not loaded yet: open a database (acquireInstance) before reading results');
  return loaded;
}
