/**
 * Serves the built web UI (ui/dist, made by scripts/build-ui.mjs at npm install) on the API's
 * port: `/assets/*` are the hashed bundles (cached for a year; sent brotli- or gzip-compressed from
 * the `.br` / `.gz` copies the build makes, when the browser accepts it), and any other GET that a browser
 * makes for a page (`Accept: text/html`) outside `/api`, `/auth`, `/ui` and `/health` gets
 * index.html, whose router shows the page (or its not-found page). Requests from API clients
 * (no `text/html` in Accept) keep getting problem documents for unknown paths.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';

/** Where the built UI is: ui/dist at the package root (the same from src/ and dist/). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../../ui/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

const RESERVED = /^\/(api|auth|ui|health)(\/|$)/;

/** Security headers for every UI response: no framing, no sniffing, scripts only from here. */
const PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Baton</title>
<p>The web UI is not built. Run <code>npm install</code> (or <code>node scripts/build-ui.mjs</code>) in Baton's folder, then reload.
The REST API is at <a href="/api/v1/openapi.yaml">/api/v1</a>.</p>`;

/** Compressed copies made by scripts/build-ui.mjs, best first. */
const ENCODINGS = [{ name: 'br', suffix: '.br' }, { name: 'gzip', suffix: '.gz' }] as const;

/** The encodings an Accept-Encoding header allows (q=0 refuses one). */
function accepted(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) out.add(name);
  }
  return out;
}

/** The best compressed copy of `file` the client accepts, if the build made one. */
function precompressed(file: string, acceptEncoding: string | undefined): (typeof ENCODINGS)[number] | undefined {
  const ok = accepted(acceptEncoding);
  return ENCODINGS.find((e) => (ok.has(e.name) || ok.has('*')) && existsSync(file + e.suffix));
}

/** A handler for the UI's files; answers undefined for requests it does not serve. */
export function uiFiles(dir: string = DEFAULT_UI_DIR): (c: Context) => Promise<Response | undefined> {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  let index: string | undefined;
  return async (c) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return undefined;
    const path = c.req.path;
    if (RESERVED.test(path)) return undefined;
    if (path.startsWith('/assets/') || path === '/favicon.svg') {
      const file = normalize(join(root, decodeURIComponent(path)));
      if (!file.startsWith(root) || !statSync(file, { throwIfNoEntry: false })?.isFile()) return undefined;
      const encoding = precompressed(file, c.req.header('accept-encoding'));
      const body = await readFile(encoding ? file + encoding.suffix : file);
      return c.body(body, 200, {
        ...PAGE_HEADERS,
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
        vary: 'accept-encoding',
        ...(encoding && { 'content-encoding': encoding.name }),
      });
    }
    if (!(c.req.header('accept') ?? '').includes('text/html')) return undefined;
    const indexFile = join(root, 'index.html');
    if (!existsSync(indexFile)) return c.html(NOT_BUILT, 200, PAGE_HEADERS);
    index ??= await readFile(indexFile, 'utf8');
    return c.html(index, 200, { ...PAGE_HEADERS, 'cache-control': 'no-cache' });
  };
}
