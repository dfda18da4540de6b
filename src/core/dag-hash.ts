/** The version of a DAG's structure: a hash of its serialized form, as stored with it. */
import { createHash } from 'node:crypto';
import type { SerializedDag } from './serialized-dag.ts';

/** Hashes of serialized DAG objects already hashed (they are not mutated once built). */
const hashes = new WeakMap<SerializedDag, string>();

/**
 * SHA-1 of the JSON text of `data` (a serialized DAG or its JSON text). A DAG object's hash is
 * kept with it: a worker checks the version of the DAG of every try it runs.
 */
export function dagHash(data: SerializedDag | string): string {
  if (typeof data === 'string') return createHash('sha1').update(data).digest('hex');
  let hash = hashes.get(data);
  if (hash === undefined) {
    hash = createHash('sha1').update(JSON.stringify(data)).digest('hex');
    hashes.set(data, hash);
  }
  return hash;
}
