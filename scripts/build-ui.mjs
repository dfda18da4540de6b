#!/usr/bin/env node
// Builds the web UI (React + TypeScript in ui/) with Vite into ui/dist/, which `baton
// standalone` and `baton webserver` serve at `/`. Next to each script and style sheet it writes
// brotli (.br) and gzip (.gz) copies, which the server sends to browsers that accept them. Runs at `npm install` (postinstall), before
// `npm start` and before `npm test`, so a fresh clone serves the UI with nothing else to do.
//
// Usage: node scripts/build-ui.mjs [--if-stale] [--quiet]
//   --if-stale  do nothing when ui/dist/ is newer than every file of ui/ (and package-lock.json)
//   --quiet     print nothing on success
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const uiDir = join(root, 'ui');
const outDir = join(uiDir, 'dist');
const stamp = join(outDir, '.build-stamp');
const quiet = process.argv.includes('--quiet');

/** Newest modification time of the UI's sources (dist/ excluded). */
function newestSource(dir = uiDir) {
  let newest = statSync(dir).mtimeMs;
  for (const name of readdirSync(dir)) {
    if (name === 'dist' || name === 'node_modules') continue;
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestSource(p) : s.mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-stale') && existsSync(stamp)) {
  const lock = join(root, 'package-lock.json');
  const inputs = Math.max(newestSource(), existsSync(lock) ? statSync(lock).mtimeMs : 0);
  if (inputs <= statSync(stamp).mtimeMs) process.exit(0);
}

let vite, react;
try {
  vite = await import('vite');
  react = (await import('@vitejs/plugin-react')).default;
} catch (e) {
  console.error(`error: cannot build the web UI: Vite is not installed (${e.message}). Run npm install.`);
  process.exit(1);
}

/**
 * The entry (ui/src/main.tsx) starts the first page's requests, then imports the app (boot.tsx):
 * modulepreload links let the browser fetch the app's scripts alongside the entry's.
 */
function preloadApp() {
  return {
    name: 'baton-preload-app',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const boot = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && (c.moduleIds ?? Object.keys(c.modules)).some((m) => m.endsWith('/src/boot.tsx')));
        if (!boot) return html;
        const files = [boot.fileName, ...boot.imports.filter((f) => !ctx.bundle[f]?.isEntry)];
        return { html, tags: files.map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${f}` }, injectTo: 'head' })) };
      },
    },
  };
}

const started = performance.now();
try {
  await vite.build({
    root: uiDir,
    base: '/',
    configFile: false,
    logLevel: quiet ? 'error' : 'warn',
    plugins: [react(), preloadApp()],
    // The app is written against React's API and runs on Preact's implementation of it
    // (preact/compat): about a tenth of react-dom's size, so the first page starts sooner.
    resolve: {
      alias: [
        { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
        { find: /^react-dom$/, replacement: 'preact/compat' },
        { find: /^react\/jsx-runtime$/, replacement: 'preact/jsx-runtime' },
        { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/jsx-dev-runtime' },
        { find: /^react$/, replacement: 'preact/compat' },
      ],
    },
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      chunkSizeWarningLimit: 2000,
      target: 'es2022',
    },
  });
} catch (e) {
  console.error(`error: the web UI build failed: ${e.message}`);
  process.exit(1);
}
// Pre-compressed copies of the text assets, so serving them costs no CPU per request.
const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json', '.html']);
const assetsDir = join(outDir, 'assets');
for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
  const file = join(assetsDir, name);
  if (!COMPRESSIBLE.has(extname(name))) continue;
  const raw = readFileSync(file);
  if (raw.length < 1024) continue;
  writeFileSync(file + '.br', brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
  writeFileSync(file + '.gz', gzipSync(raw, { level: 9 }));
}
writeFileSync(stamp, new Date().toISOString() + '\n');
if (!quiet) console.log(`built the web UI into ${relative(root, outDir)}/ in ${Math.round(performance.now() - started)} ms`);
