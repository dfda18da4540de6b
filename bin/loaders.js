// Registers, once per process, what importing DAG files needs:
// - tsx, so TypeScript DAG files compile as they load (unless the process already runs with it);
// - a resolver that maps the bare specifier "baton" (and "baton/providers", "baton/ml") to the
//   copy of Baton this process runs — its TypeScript sources or the compiled build in dist/ —
//   so DAG files in any folder share the SDK module the process itself uses;
// - a format hook that loads DAG files as ES modules even in folders whose package.json (or its
//   absence) would make them CommonJS.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { register as registerTsx } from 'tsx/esm/api';

let done = false;

/**
 * @param {URL} sourcesRoot the folder holding Baton's modules in use: `src/` (TypeScript) or
 *   `dist/` (compiled).
 */
export function registerLoaders(sourcesRoot) {
  if (done) return;
  done = true;
  const ext = existsSync(fileURLToPath(new URL('sdk/index.ts', sourcesRoot))) ? '.ts' : '.js';
  const runsTsx = process.execArgv.some((a) => /\btsx\b/.test(a)) || /\btsx\b/.test(process.env.NODE_OPTIONS ?? '');
  if (!runsTsx) registerTsx();
  register('./resolve-baton.js', { parentURL: import.meta.url, data: { root: sourcesRoot.href, ext } });
  register('./module-format-hook.js', import.meta.url);
}
