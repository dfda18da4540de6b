/**
 * Makes DAG files importable in this process: TypeScript, the "baton" specifier resolved to the
 * copy of Baton running here, ES-module format anywhere. Idempotent; the first DAG file load in
 * a process calls it, so commands that never load a DAG file never pay for it.
 */
import { registerLoaders } from '../../bin/loaders.js';

export function ensureDagLoaders(): void {
  registerLoaders(new URL('../', import.meta.url));
}
