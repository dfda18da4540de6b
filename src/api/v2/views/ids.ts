/**
 * Stable UUIDs for rows that Airflow 3 identifies by UUID (task instances, DAG versions) but
 * Baton keys otherwise: a name-based UUID (SHA-1, version 5 layout) of the row's key, so the
 * same row always shows the same id.
 */
import { createHash } from 'node:crypto';

/** The UUID standing for `parts` (joined with NUL). */
export function stableUuid(...parts: Array<string | number>): string {
  const h = createHash('sha1').update(parts.join('\0')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
