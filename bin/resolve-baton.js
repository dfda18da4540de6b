// Module resolve hook: the bare specifier "baton" always means this package's SDK.
// The SDK URL is passed on to the next resolver (tsx) so TypeScript files load as usual.
const sdk = new URL('../src/sdk/index.ts', import.meta.url).href;
export async function resolve(specifier, context, next) {
  if (specifier === 'baton') return next(sdk, context);
  return next(specifier, context);
}
