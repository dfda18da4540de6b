// Module resolve hook: "baton" and "baton/..." always mean this package's SDK.
const sdk = new URL('../src/sdk/index.ts', import.meta.url).href;
export async function resolve(specifier, context, next) {
  if (specifier === 'baton') return { url: sdk, shortCircuit: true };
  return next(specifier, context);
}
