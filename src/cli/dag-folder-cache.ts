/**
 * The CLI's parse cache: what the last `dags list`, `dags show`, `dags list-import-errors` (and
 * the commands that look a DAG up by id) learned from the DAGs folder, kept in
 * `<home>/cache/dag-folder.json` so that the next command skips the parsing child processes
 * when nothing changed.
 *
 * The cached result is used only when every file under the folder (DAG files, the modules they
 * share, data files, ignore files: everything but hidden entries and `node_modules`) has the
 * same path, size and modification time as when it was parsed, and the folder, the Baton build
 * and the Node.js version are the same. Anything else parses the whole folder again, since a
 * changed helper module can change every DAG that imports it. Modules a DAG file imports from
 * outside the folder are not watched: set `BATON_CLI_PARSE_CACHE=false` while editing those.
 */
import { mkdir, readdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FolderResult } from '../processor/index.ts';

/** The cache file's format; a file in another format is ignored. */
const FORMAT = 1;

/** What must be equal for a cached result to be used. */
export interface CacheKey {
  folder: string;
  build: string;
  node: string;
  /** Every file under the folder as `path size mtimeMs`, sorted. */
  files: string[];
}

interface CacheFile {
  format: number;
  key: CacheKey;
  result: Omit<FolderResult, 'parsed'>;
}

/** Where the cache lives under Baton's home folder. */
export function cachePath(home: string): string {
  return join(home, 'cache', 'dag-folder.json');
}

/** Whether the cache is on: `BATON_CLI_PARSE_CACHE` unset or not `false`/`0`/`no`/`off`. */
export function cacheEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.BATON_CLI_PARSE_CACHE?.trim().toLowerCase();
  return v === undefined || v === '' || !['false', '0', 'no', 'off'].includes(v);
}

/** The key the folder has now. */
export async function currentKey(folder: string): Promise<CacheKey> {
  const root = resolve(folder);
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) return { folder: root, build: '', node: process.version, files: ['(not a folder)'] };
  const files: string[] = [];
  await walk(root, files, new Set());
  files.sort();
  return { folder: root, build: await buildStamp(), node: process.version, files };
}

/** The cached result for `key`, or undefined when there is none or it is out of date. */
export async function readCached(home: string, key: CacheKey): Promise<FolderResult | undefined> {
  let parsed: CacheFile;
  try {
    parsed = JSON.parse(await readFile(cachePath(home), 'utf8')) as CacheFile;
  } catch {
    return undefined;
  }
  if (parsed?.format !== FORMAT || !sameKey(parsed.key, key)) return undefined;
  return { ...parsed.result, parsed: [] };
}

/**
 * Records `result` for `key`. Written to a temporary file and renamed, so a concurrent command
 * reads the old or the new cache, never half of one. A failure to write (read-only home) only
 * costs the next command a parse.
 */
export async function writeCached(home: string, key: CacheKey, result: FolderResult): Promise<void> {
  const file = cachePath(home);
  const body: CacheFile = { format: FORMAT, key, result: { dags: result.dags, errors: result.errors, files: result.files } };
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(join(home, 'cache'), { recursive: true });
    await writeFile(tmp, JSON.stringify(body));
    await rename(tmp, file);
  } catch {
    // The cache is only a shortcut.
  }
}

export function sameKey(a: CacheKey, b: CacheKey): boolean {
  return a.folder === b.folder && a.build === b.build && a.node === b.node && a.files.length === b.files.length && a.files.every((f, i) => f === b.files[i]);
}

/** Lists the files under `dir`, following symbolic links but not into a folder already seen. */
async function walk(dir: string, out: string[], seen: Set<string>): Promise<void> {
  let entries;
  try {
    const real = await realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  await Promise.all(
    entries.map(async (e) => {
      if (e.name === 'node_modules' || (e.name.startsWith('.') && e.name !== '.batonignore')) return;
      const path = join(dir, e.name);
      const s = await stat(path).catch(() => undefined);
      if (!s) return;
      if (s.isDirectory()) await walk(path, out, seen);
      else out.push(`${path} ${s.size} ${s.mtimeMs}`);
    }),
  );
}

/** Identifies the Baton build in use: the modification time of the SDK's serializer module. */
async function buildStamp(): Promise<string> {
  const here = fileURLToPath(import.meta.url);
  const serializer = fileURLToPath(new URL(`../sdk/serialize${here.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  const s = await stat(serializer).catch(() => undefined);
  return `${here.endsWith('.ts') ? 'src' : 'dist'}:${s?.mtimeMs ?? 0}`;
}
