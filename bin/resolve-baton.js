// Module resolve hook: the bare specifier "baton" (and its subpaths "baton/providers",
// "baton/ml") always means this package's own sources, wherever the importing DAG file lives.
// The URL is passed on to the next resolver (tsx) so TypeScript files load as usual.
const ENTRIES = {
  baton: new URL('../src/sdk/index.ts', import.meta.url).href,
  'baton/providers': new URL('../src/providers/index.ts', import.meta.url).href,
  'baton/ml': new URL('../src/providers/ml/index.ts', import.meta.url).href,
};
export async function resolve(specifier, context, next) {
  const target = Object.hasOwn(ENTRIES, specifier) ? ENTRIES[specifier] : undefined;
  return next(target ?? specifier, context);
}
