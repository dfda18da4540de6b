// Registers, once per process, everything needed to import DAG files and Baton's own sources:
// - tsx, so TypeScript loads on the fly;
// - a resolver that maps the bare specifier "baton" to this package's SDK, so DAG files in any
//   folder can `import { dag } from "baton"`;
// - a format hook that loads DAG files as ES modules even in folders whose package.json (or its
//   absence) would make them CommonJS.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

let done = false;
export function registerLoaders() {
  if (done) return;
  done = true;
  registerTsx();
  register('./resolve-baton.js', import.meta.url);
  register('./module-format-hook.js', import.meta.url);
}
