/**
 * Whether each DAG is paused, read from the metadata database when there is one, for listings
 * that otherwise only read the DAGs folder. Never creates or migrates the database.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { BatonConfig } from '../../config.ts';
import { parseDatabaseUrl } from '../../store/database-url.ts';

/** dag_id → is_paused, or undefined when there is no (readable, migrated) database. */
export async function readPausedFlags(config: BatonConfig): Promise<Map<string, boolean> | undefined> {
  let target;
  try {
    target = parseDatabaseUrl(config.databaseUrl);
  } catch {
    return undefined;
  }
  if (target.dialect === 'sqlite') return target.path === ':memory:' || !existsSync(target.path) ? undefined : readSqlite(target.path);
  const { openDatabase } = await import('../../store/index.ts');
  const handle = await openDatabase({ url: config.databaseUrl }).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const rows = await handle.db.selectFrom('dag').select(['dag_id', 'is_paused']).execute();
    return new Map(rows.map((r) => [r.dag_id, Boolean(r.is_paused)]));
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * SQLite: one read-only query straight through the driver, without the query builder and the
 * store's modules (most of the start-up time of a cached `dags list`).
 */
function readSqlite(path: string): Map<string, boolean> | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
    const rows = db.prepare('select dag_id, is_paused from dag').all() as Array<{ dag_id: string; is_paused: number }>;
    return new Map(rows.map((r) => [r.dag_id, Boolean(r.is_paused)]));
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}
