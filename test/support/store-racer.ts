/**
 * A separate process that races others on one database, for the store's concurrency tests.
 * Speaks JSON lines: prints {"ready":true} once loaded, then answers each command read from
 * stdin with one line {"ok":true,"won"?:bool} or {"ok":false,"error":msg}. Commands:
 * {"op":"open","url":…}, {"op":"migrate"}, {"op":"cas","key":TaskInstanceKey}, {"op":"close"}.
 * It exits when stdin ends.
 */
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { casTaskInstanceState } from '../../src/store/cas.ts';
import type { TaskInstanceKey } from '../../src/store/cas.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { BatonDb } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

type Command = { op: 'open'; url: string } | { op: 'migrate' } | { op: 'cas'; key: TaskInstanceKey } | { op: 'close' };

let baton: BatonDb | undefined;

async function handle(command: Command): Promise<{ won?: boolean }> {
  if (command.op === 'open') {
    await baton?.close();
    baton = await openDatabase({ url: command.url });
    return {};
  }
  if (command.op === 'close') {
    await baton?.close();
    baton = undefined;
    return {};
  }
  if (!baton) throw new Error('No database is open; send {"op":"open","url":…} first.');
  if (command.op === 'migrate') return { won: (await migrateToLatest(baton.db)).length > 0 };
  const key = command.key;
  const won = await baton.db.transaction().execute(async (trx) => {
    const seen = await trx.selectFrom('task_instance').select('state').where('dag_id', '=', key.dagId).where('run_id', '=', key.runId).where('task_id', '=', key.taskId).where('map_index', '=', key.mapIndex).executeTakeFirstOrThrow();
    if (seen.state !== 'scheduled') return false;
    return casTaskInstanceState(trx, key, 'scheduled', { state: 'queued', try_number: sql<number>`try_number + 1`, hostname: `pid-${process.pid}` });
  });
  return { won };
}

console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  try {
    console.log(JSON.stringify({ ok: true, ...(await handle(JSON.parse(line) as Command)) }));
  } catch (err) {
    console.log(JSON.stringify({ ok: false, error: (err as Error).message }));
  }
}
await baton?.close();
