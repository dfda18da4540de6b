/**
 * Whether each DAG is paused, read from the metadata database when there is one, for listings
 * that otherwise only read the DAGs folder. Never creates or migrates the database.
 */
import { existsSync } from 'node:fs';
import type { BatonConfig } from '../../config.ts';
import { parseDatabaseUrl } from '../../store/database-url.ts';

/** dag_id → is_paused, or undefined when there is no (readable, migrated) database. */
export async function readPausedFlags(config: BatonConfig): Promise<Map<string, boolean> | undefined> {
  try {
    const target = parseDatabaseUrl(config.databaseUrl);
    if (target.dialect === 'sqlite' && (target.path === ':memory:' || !existsSync(target.path))) return undefined;
  } catch {
    return undefined;
  }
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
