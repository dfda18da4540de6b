/**
 * Lists the files of a DAGs folder that may define DAGs: TypeScript and JavaScript modules,
 * found recursively, minus what `.batonignore` files, hidden entries, `node_modules`,
 * declaration files and test files exclude. Symbolic links are followed (a loop is not), and
 * a file reached by several paths is listed once.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isIgnored, parseIgnoreFile, type IgnoreRule } from './ignore-rules.ts';

/** The name of the ignore file read in the DAGs folder and in each of its subfolders. */
export const IGNORE_FILE = '.batonignore';

const DAG_FILE_RE = /\.(?:ts|mts|js|mjs)$/;
const SKIPPED_FILE_RE = /(?:\.d\.(?:ts|mts)|\.test\.(?:ts|mts|js|mjs))$/;

/**
 * Absolute paths of the candidate DAG files under `folder`, sorted. Throws when `folder` does
 * not exist or is not a directory.
 */
export async function findDagFiles(folder: string): Promise<string[]> {
  const root = resolve(folder);
  await assertFolder(root);
  const found: Candidate[] = [];
  await walk({ dir: root, rel: '', rules: [], ancestors: new Set([await realpath(root)]), viaLink: false }, found);
  return pickOnePathPerFile(found);
}

/** A DAG file as reached by the walk; `viaLink` when a symbolic link is on its path. */
interface Candidate {
  path: string;
  real: string;
  viaLink: boolean;
}

interface WalkState {
  dir: string;
  rel: string;
  rules: readonly IgnoreRule[];
  /** Real paths of the folders being walked, to stop at symbolic links that loop. */
  ancestors: ReadonlySet<string>;
  viaLink: boolean;
}

/** A file reachable through several symbolic links is listed once, preferably by a link-free path. */
function pickOnePathPerFile(found: Candidate[]): string[] {
  const byReal = new Map<string, Candidate>();
  for (const c of found.sort((a, b) => compare(a.path, b.path))) {
    const kept = byReal.get(c.real);
    if (!kept || (kept.viaLink && !c.viaLink)) byReal.set(c.real, c);
  }
  return [...byReal.values()].map((c) => c.path).sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function assertFolder(root: string): Promise<void> {
  let info;
  try {
    info = await stat(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`DAGs folder '${root}' does not exist: create it or set BATON_DAGS_FOLDER to the folder holding your DAG files`);
    }
    throw new Error(`cannot read DAGs folder '${root}': ${(e as Error).message}; check BATON_DAGS_FOLDER and the folder's permissions`);
  }
  if (!info.isDirectory()) throw new Error(`DAGs folder '${root}' is not a directory: set BATON_DAGS_FOLDER to a folder holding your DAG files`);
}

async function walk(state: WalkState, found: Candidate[]): Promise<void> {
  const entries = await readdir(state.dir, { withFileTypes: true });
  const rules = [...state.rules, ...(await readIgnoreRules(state.dir, state.rel))];
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith('.') || name === 'node_modules') continue;
    const path = join(state.dir, name);
    const relPath = state.rel === '' ? name : `${state.rel}/${name}`;
    const kind = await entryKind(entry, path);
    const viaLink = state.viaLink || entry.isSymbolicLink();
    if (kind === 'dir') {
      if (isIgnored(rules, relPath, true)) continue;
      const real = await realpath(path);
      if (state.ancestors.has(real)) continue;
      await walk({ dir: path, rel: relPath, rules, ancestors: new Set([...state.ancestors, real]), viaLink }, found);
    } else if (kind === 'file') {
      if (!DAG_FILE_RE.test(name) || SKIPPED_FILE_RE.test(name)) continue;
      if (isIgnored(rules, relPath, false)) continue;
      found.push({ path, real: await realpath(path), viaLink });
    }
  }
}

async function entryKind(entry: { isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }, abs: string): Promise<'dir' | 'file' | 'other'> {
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const target = await stat(abs);
    return target.isDirectory() ? 'dir' : target.isFile() ? 'file' : 'other';
  } catch {
    return 'other';
  }
}

async function readIgnoreRules(dir: string, rel: string): Promise<IgnoreRule[]> {
  try {
    return parseIgnoreFile(await readFile(join(dir, IGNORE_FILE), 'utf8'), rel);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read ${join(dir, IGNORE_FILE)}: ${(e as Error).message}`);
  }
}
