/** Opens the configured metadata database and brings its schema up to date. */
import type { BatonConfig } from '../config.ts';
import { migrateToLatest, openDatabase, type BatonDb } from '../store/index.ts';

export async function openMigratedDb(config: BatonConfig, o: { applicationName?: string } = {}): Promise<BatonDb> {
  const db = await openDatabase({ url: config.databaseUrl, applicationName: o.applicationName });
  try {
    await migrateToLatest(db.db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}
