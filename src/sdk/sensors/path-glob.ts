/**
 * Finding a file by path or glob, with the rules of Python's `glob` (which Airflow's FileSensor
 * uses): `*`, `?` and `[...]` match within one path segment, names starting with "." match
 * only a pattern segment that starts with ".", and `**` matches any number of folders only
 * when `recursive` is on (otherwise it is the same as `*`). A matching folder counts when it
 * holds a file somewhere below it.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';

/** True when the pattern uses glob syntax. */
export function hasGlobMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/**
 * The first file matched by `pattern` (a path or a glob, relative to the working directory
 * unless absolute), or null when there is none yet.
 */
export async function findFirstFile(pattern: string, options: { recursive?: boolean } = {}): Promise<string | null> {
  const absolute = isAbsolute(pattern) ? pattern : resolve(pattern);
  const segments = absolute.split(sep).filter((s) => s !== '');
  const root = absolute.startsWith(sep) ? sep : '';
  for await (const path of expand(root, segments, options.recursive ?? false)) {
    const found = await fileIn(path);
    if (found) return found;
  }
  return null;
}

async function* expand(dir: string, segments: string[], recursive: boolean): AsyncGenerator<string> {
  if (segments.length === 0) {
    yield dir;
    return;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '**' && recursive) {
    yield* expand(dir, rest, recursive);
    for (const entry of await entries(dir)) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) yield* expand(join(dir, entry.name), segments, recursive);
    }
    return;
  }
  if (!hasGlobMagic(head)) {
    yield* expand(join(dir, head), rest, recursive);
    return;
  }
  const re = segmentRegExp(head);
  for (const entry of await entries(dir)) {
    if (entry.name.startsWith('.') && !head.startsWith('.')) continue;
    if (re.test(entry.name)) yield* expand(join(dir, entry.name), rest, recursive);
  }
}

/** `path` when it is a file; a file somewhere under it when it is a folder; else null. */
async function fileIn(path: string): Promise<string | null> {
  const s = await stat(path).catch(() => null);
  if (!s) return null;
  if (s.isFile()) return path;
  if (!s.isDirectory()) return null;
  for (const entry of await entries(path)) {
    const child = join(path, entry.name);
    if (entry.isFile()) return child;
    if (entry.isDirectory()) {
      const found = await fileIn(child);
      if (found) return found;
    }
  }
  return null;
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return (await readdir(dir || sep, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/** A pattern segment as a regular expression, as Python's fnmatch reads it. */
function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (segment[j] === '!') j++;
      if (segment[j] === ']') j++;
      const end = segment.indexOf(']', j);
      if (end === -1) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      else if (body.startsWith('^')) body = `\\${body}`;
      re += `[${body}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}
