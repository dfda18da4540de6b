/**
 * Lists the files of a DAGs folder that may define DAGs: TypeScript and JavaScript modules,
 * found recursively, minus what `.batonignore` files, hidden entries, `node_modules`,
 * declaration files and test files exclude.
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
  const found: string[] = [];
  await walk(root, '', [], new Set([await realpath(root)]), found);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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

async function walk(dir: string, rel: string, inherited: readonly IgnoreRule[], visited: Set<string>, found: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const rules = [...inherited, ...(await readIgnoreRules(dir, rel))];
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith('.') || name === 'node_modules') continue;
    const abs = join(dir, name);
    const relPath = rel === '' ? name : `${rel}/${name}`;
    const kind = await entryKind(entry, abs);
    if (kind === 'dir') {
      if (isIgnored(rules, relPath, true)) continue;
      const real = await realpath(abs);
      if (visited.has(real)) continue;
      visited.add(real);
      await walk(abs, relPath, rules, visited, found);
    } else if (kind === 'file') {
      if (!DAG_FILE_RE.test(name) || SKIPPED_FILE_RE.test(name)) continue;
      if (isIgnored(rules, relPath, false)) continue;
      found.push(abs);
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
