// Module resolve hook: a .ts/.mts/.js/.mjs file outside node_modules that Node would treat as
// CommonJS (no "type": "module" nearby) but that is written with import/export statements is
// loaded as an ES module. DAG files live in arbitrary folders; without this, such a file would
// go through require(), which neither compiles TypeScript nor resolves "baton".
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CANDIDATE = /\.(?:ts|mts|js|mjs)$/;
const ESM_SYNTAX = /^[ \t]*(?:import[ \t]*[\w{*'"]|export[ \t]+|export[ \t]*[{*])/m;
const COMMONJS = new Set([undefined, null, 'commonjs', 'commonjs-typescript']);

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (!COMMONJS.has(result.format) || !result.url.startsWith('file:')) return result;
  const url = new URL(result.url);
  if (!CANDIDATE.test(url.pathname) || url.pathname.includes('/node_modules/')) return result;
  let source;
  try {
    source = readFileSync(fileURLToPath(url), 'utf8');
  } catch {
    return result;
  }
  return ESM_SYNTAX.test(source) ? { ...result, format: 'module' } : result;
}
