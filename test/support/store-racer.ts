/**
 * A separate process that races others on one database, for the store's concurrency tests.
 * Usage: store-racer.ts <url> migrate
 *        store-racer.ts <url> cas <taskInstanceKeyJson>
 * Opens the database, prints "ready", waits for a line on stdin, races, then prints one JSON
 * line: {"ok":true,"won":bool} or {"ok":false,"error":msg}.
 */
import { once } from 'node:events';
import { sql } from 'kysely';
import { casTaskInstanceState } from '../../src/store/cas.ts';
import type { TaskInstanceKey } from '../../src/store/cas.ts';
import { openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

const [url, mode, keyJson] = process.argv.slice(2);
const baton = await openDatabase({ url: url! });
try {
  console.log('ready');
  await once(process.stdin, 'data');
  process.stdin.pause();
  if (mode === 'migrate') {
    const applied = await migrateToLatest(baton.db);
    console.log(JSON.stringify({ ok: true, won: applied.length > 0 }));
  } else {
    const key = JSON.parse(keyJson!) as TaskInstanceKey;
    const won = await baton.db.transaction().execute(async (trx) => {
      const seen = await trx.selectFrom('task_instance').select('state').where('dag_id', '=', key.dagId).where('run_id', '=', key.runId).where('task_id', '=', key.taskId).where('map_index', '=', key.mapIndex).executeTakeFirstOrThrow();
      if (seen.state !== 'scheduled') return false;
      return casTaskInstanceState(trx, key, 'scheduled', { state: 'queued', try_number: sql<number>`try_number + 1`, hostname: `pid-${process.pid}` });
    });
    console.log(JSON.stringify({ ok: true, won }));
  }
} catch (err) {
  console.log(JSON.stringify({ ok: false, error: (err as Error).message }));
} finally {
  await baton.close();
}
