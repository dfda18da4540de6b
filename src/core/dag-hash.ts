/** The version of a DAG's structure: a hash of its serialized form, as stored with it. */
import { createHash } from 'node:crypto';
import type { SerializedDag } from './serialized-dag.ts';

/** SHA-1 of the JSON text of `data` (a serialized DAG or its JSON text). */
export function dagHash(data: SerializedDag | string): string {
  return createHash('sha1').update(typeof data === 'string' ? data : JSON.stringify(data)).digest('hex');
}
