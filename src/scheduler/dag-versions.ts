/**
 * DAG versions: whenever a DAG's serialized form (its structure: tasks, dependencies, schedule,
 * params…) changes, or a DAG has no version yet, a new `dag_version` row is written with the
 * next number, that form and the file's source at that moment. Runs record the version they
 * were created from (create-run.ts). Never runs user code.
 */
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Schema } from '../store/index.ts';

/** Records a new version of the DAG when its hash differs from its latest version's. Returns the version number when one was written. */
export async function recordDagVersion(trx: Kysely<Schema>, v: { dagId: string; data: string; hash: string; fileloc: string; at: string }): Promise<number | null> {
  const latest = await trx.selectFrom('dag_version').select(['version_number', 'dag_hash']).where('dag_id', '=', v.dagId).orderBy('version_number', 'desc').executeTakeFirst();
  if (latest?.dag_hash === v.hash) return null;
  const source = await readFile(v.fileloc, 'utf8').catch(() => null);
  const number = (latest?.version_number ?? 0) + 1;
  await trx.insertInto('dag_version').values({ dag_id: v.dagId, version_number: number, dag_hash: v.hash, data: v.data, fileloc: v.fileloc, source_code: source, created_at: v.at }).execute();
  return number;
}
