/** Opens the configured metadata database and brings its schema up to date. */
import type { BatonConfig } from '../config.ts';
import { DatabaseUnreachableError, migrateToLatest, openDatabase, type BatonDb } from '../store/index.ts';

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

const RETRY_MS = [500, 1000, 2000, 5000, 10_000];

/**
 * `openMigratedDb`, trying again with a growing delay (up to 10 s) while the database server is
 * unreachable, so a process started before its database (or during a restart) waits instead of
 * exiting. Other errors (a bad URL, a failed migration) are thrown at once.
 */
export async function openMigratedDbRetrying(config: BatonConfig, o: { applicationName?: string; log: (message: string) => void; stopped?: () => boolean }): Promise<BatonDb> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await openMigratedDb(config, { applicationName: o.applicationName });
    } catch (e) {
      if (!(e instanceof DatabaseUnreachableError) || o.stopped?.()) throw e;
      const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!;
      o.log(`${e.message} (trying again in ${delay / 1000}s)`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
