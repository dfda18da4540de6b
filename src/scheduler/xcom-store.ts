/**
 * Storing and reading XComs: JSON text inline in the `xcom` table, or — above a size limit — in
 * a file under the XCom folder with the row holding a reference. Lists record their length so
 * mapped tasks can expand without reading values.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { decodeXCom } from '../core/xcom-codec.ts';
import type { XComRow } from '../runner/xcom-select.ts';
import type { Schema } from '../store/index.ts';

export interface XComStoreOptions {
  folder: string;
  maxInlineBytes: number;
}

export interface XComWrite {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  key: string;
  /** Encoded JSON text. */
  value: string;
}

/** Writes large values to files first (outside the transaction), then returns the rows to insert. */
export function prepareXComRows(o: XComStoreOptions, writes: XComWrite[], at: string) {
  return writes.map((w) => {
    const size = Buffer.byteLength(w.value);
    const listLength = w.value.startsWith('[') ? listLen(w.value) : null;
    if (size <= o.maxInlineBytes) {
      return { dag_id: w.dagId, run_id: w.runId, task_id: w.taskId, map_index: w.mapIndex, key: w.key, value: w.value, value_ref: null, size_bytes: size, list_length: listLength, timestamp: at };
    }
    const ref = join(safe(w.dagId), safe(w.runId), safe(w.taskId), String(w.mapIndex), `${safe(w.key)}.json`);
    const path = join(o.folder, ref);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, w.value);
    renameSync(tmp, path);
    return { dag_id: w.dagId, run_id: w.runId, task_id: w.taskId, map_index: w.mapIndex, key: w.key, value: null, value_ref: ref, size_bytes: size, list_length: listLength, timestamp: at };
  });
}

/** A row of the `xcom` table, ready to insert (see `prepareXComRows`). */
export type XComRowToWrite = ReturnType<typeof prepareXComRows>[number];

function listLen(text: string): number | null {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.length : null;
  } catch {
    return null;
  }
}

function safe(s: string): string {
  return encodeURIComponent(s).replace(/^\.+$/, '_');
}

/**
 * Replaces a TI's XComs by the given ones (a new try starts from a clean slate). With `fresh`
 * (the first try) older values cannot exist, so the delete is skipped; values written earlier in
 * the same try (before a deferral or reschedule) are kept or overwritten.
 */
export async function replaceXComs(trx: Kysely<Schema>, key: { dagId: string; runId: string; taskId: string; mapIndex: number }, rows: ReturnType<typeof prepareXComRows>, fresh = false): Promise<void> {
  if (!fresh) await trx.deleteFrom('xcom').where('dag_id', '=', key.dagId).where('run_id', '=', key.runId).where('task_id', '=', key.taskId).where('map_index', '=', key.mapIndex).execute();
  await upsertXComs(trx, rows);
}

/** Inserts XCom rows, overwriting rows with the same key. */
export async function upsertXComs(trx: Kysely<Schema>, rows: ReturnType<typeof prepareXComRows>): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('xcom')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['dag_id', 'run_id', 'task_id', 'map_index', 'key']).doUpdateSet((eb) => ({
        value: eb.ref('excluded.value'),
        value_ref: eb.ref('excluded.value_ref'),
        size_bytes: eb.ref('excluded.size_bytes'),
        list_length: eb.ref('excluded.list_length'),
        timestamp: eb.ref('excluded.timestamp'),
      })),
    )
    .execute();
}

/** XComs of a run for some tasks, values decoded (file references read). */
export async function readXComs(db: Kysely<Schema>, o: XComStoreOptions, q: { dagId: string; runId: string; taskIds: string[]; key: string | null }): Promise<XComRow[]> {
  if (q.taskIds.length === 0) return [];
  let query = db
    .selectFrom('xcom')
    .select(['task_id', 'map_index', 'key', 'value', 'value_ref'])
    .where('dag_id', '=', q.dagId)
    .where('run_id', '=', q.runId)
    .where('task_id', 'in', q.taskIds);
  if (q.key !== null) query = query.where('key', '=', q.key);
  const rows = await query.orderBy('timestamp', 'asc').execute();
  return rows.map((r) => ({ taskId: r.task_id, mapIndex: r.map_index, key: r.key, value: decodeXCom(r.value ?? readRef(o, r.value_ref)) }));
}

export function readRef(o: XComStoreOptions, ref: string | null): string | null {
  if (ref === null) return null;
  const path = resolve(o.folder, ref);
  if (relative(o.folder, path).startsWith('..')) throw new Error(`XCom reference ${JSON.stringify(ref)} points outside the XCom folder`);
  return readFileSync(path, 'utf8');
}

/** Removes the files of a run's large XComs (when a run is deleted). */
export function deleteRunXComFiles(o: XComStoreOptions, dagId: string, runId: string): void {
  rmSync(join(o.folder, safe(dagId), safe(runId)), { recursive: true, force: true });
}
