// Module resolve hook: the bare specifier "baton" (and its subpaths "baton/providers",
// "baton/ml") always means the copy of Baton the process runs, wherever the importing DAG file
// lives. `initialize` receives that copy's folder (src/ or dist/) and its module extension.
// The URL is passed on to the next resolver (tsx) so TypeScript files load as usual.
let entries = {};

export function initialize({ root, ext }) {
  entries = {
    baton: new URL(`sdk/index${ext}`, root).href,
    'baton/providers': new URL(`providers/index${ext}`, root).href,
    'baton/ml': new URL(`providers/ml/index${ext}`, root).href,
  };
}

export async function resolve(specifier, context, next) {
  const target = Object.hasOwn(entries, specifier) ? entries[specifier] : undefined;
  return next(target ?? specifier, context);
}
