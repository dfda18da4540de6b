#!/usr/bin/env node
// Compiles Baton's sources (src/**/*.ts, tests excluded) to plain JavaScript in dist/, one
// output file per source file with the same layout, so the CLI, the scheduler and the worker
// processes start without compiling TypeScript. Relative imports of ".ts" files become ".js";
// every other import stays as written. Non-TypeScript files (the OpenAPI document, the loader
// preloads) are copied. DAG files are not part of the build: they stay TypeScript and are
// compiled when they load.
//
// Usage: node scripts/build.mjs [--if-stale]   (--if-stale: do nothing when dist/ is newer
// than every source file)
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const srcDir = join(root, 'src');
const outDir = join(root, 'dist');
const stamp = join(outDir, '.build-stamp');

/** Every file under `dir`; `dirs` collects the folders (their mtimes change when files go). */
function walk(dir, out = [], dirs = []) {
  dirs.push(dir);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out, dirs);
    else out.push(p);
  }
  return out;
}

const dirs = [];
const files = walk(srcDir, [], dirs);
if (process.argv.includes('--if-stale') && existsSync(stamp)) {
  const built = statSync(stamp).mtimeMs;
  const newest = Math.max(...[...files, ...dirs].map((f) => statSync(f).mtimeMs));
  if (newest <= built) process.exit(0);
}

const started = performance.now();
const entries = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
const assets = files.filter((f) => !f.endsWith('.ts'));

/** Keeps every import external; rewrites relative ".ts" specifiers to ".js". */
const externalImports = {
  name: 'external-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const path = /^\.\.?\//.test(args.path) ? args.path.replace(/\.ts$/, '.js') : args.path;
      return { path, external: true };
    });
  },
};

// Built beside dist/ and swapped in at the end, so processes running from dist/ (a worker, a
// test) never see it half-written.
const tmpDir = join(root, `.dist-${process.pid}`);
rmSync(tmpDir, { recursive: true, force: true });
mkdirSync(tmpDir, { recursive: true });
await build({
  entryPoints: entries,
  outdir: tmpDir,
  outbase: srcDir,
  bundle: true,
  plugins: [externalImports],
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});
for (const a of assets) {
  const to = join(tmpDir, relative(srcDir, a));
  mkdirSync(join(to, '..'), { recursive: true });
  cpSync(a, to);
}
writeFileSync(join(tmpDir, '.build-stamp'), new Date().toISOString() + '\n');
const oldDir = join(root, `.dist-old-${process.pid}`);
if (existsSync(outDir)) renameSync(outDir, oldDir);
renameSync(tmpDir, outDir);
rmSync(oldDir, { recursive: true, force: true });
if (!process.argv.includes('--quiet')) {
  console.log(`built ${entries.length} modules into ${relative(root, outDir)}/ in ${Math.round(performance.now() - started)} ms`);
}
