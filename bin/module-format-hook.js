// Module resolve hook: DAG files are ES modules. A .ts/.mts/.js/.mjs file outside node_modules
// that Node would treat as CommonJS (no "type": "module" nearby) is loaded as an ES module,
// unless it is a .js file that reads as CommonJS (require/module.exports and no import/export
// statement). DAG files live in arbitrary folders; without this, such a file would go through
// require(), which neither compiles TypeScript, resolves "baton", nor allows top-level await.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CANDIDATE = /\.(?:ts|mts|js|mjs)$/;
const ESM_SYNTAX = /^[ \t]*(?:import[ \t]*[\w{*'"]|export[ \t]+|export[ \t]*[{*])/m;
const COMMONJS_SYNTAX = /\brequire[ \t]*\(|\bmodule\.exports\b|^[ \t]*exports\./m;
const COMMONJS = new Set([undefined, null, 'commonjs', 'commonjs-typescript']);

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (!COMMONJS.has(result.format) || !result.url.startsWith('file:')) return result;
  const url = new URL(result.url);
  if (!CANDIDATE.test(url.pathname) || url.pathname.includes('/node_modules/')) return result;
  return readsAsCommonJs(url) ? result : { ...result, format: 'module' };
}

function readsAsCommonJs(url) {
  if (!url.pathname.endsWith('.js')) return false;
  try {
    const source = readFileSync(fileURLToPath(url), 'utf8');
    return COMMONJS_SYNTAX.test(source) && !ESM_SYNTAX.test(source);
  } catch {
    return false;
  }
}
