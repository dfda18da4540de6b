// Registers tsx (TypeScript on the fly) and a resolver that maps the bare specifier "baton"
// to this package's SDK, so DAG files in any folder can `import { dag } from "baton"`.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

let done = false;
export function registerLoaders() {
  if (done) return;
  done = true;
  registerTsx();
  register('./resolve-baton.js', import.meta.url);
}
