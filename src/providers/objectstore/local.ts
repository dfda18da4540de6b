/**
 * An object store in a local directory: each key is a file under the root. Writes go to a
 * temporary file in the same directory and are renamed into place, so a reader sees the old
 * object or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidObjectKeyError, ObjectNotFoundError, validateObjectKey, type ObjectBody, type ObjectStore } from './object-store.ts';

const TEMP_PREFIX = '.tmp-';

export class LocalObjectStore implements ObjectStore {
  /** Absolute path of the store's root directory (created on the first write). */
  readonly root: string;

  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || rootDir.trim() === '') throw new TypeError('LocalObjectStore needs the path of its root directory');
    this.root = resolve(rootDir);
  }

  /** The file that holds `key`. Throws `InvalidObjectKeyError` for keys that would leave the root. */
  pathOf(key: string): string {
    const segments = validateObjectKey(key);
    if (segments.some((s) => s.startsWith(TEMP_PREFIX))) {
      throw new InvalidObjectKeyError(`object key ${JSON.stringify(key)} is not valid: segments starting with "${TEMP_PREFIX}" are reserved for writes in progress`);
    }
    const path = resolve(this.root, ...segments);
    const rel = relative(this.root, path);
    if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) {
      throw new InvalidObjectKeyError(`object key ${JSON.stringify(key)} is not valid: it resolves outside the store root ${this.root}`);
    }
    return path;
  }

  async put(key: string, body: ObjectBody): Promise<void> {
    const path = this.pathOf(key);
    const dir = resolve(path, '..');
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(temp, body, { flush: true });
      await rename(temp, path);
    } catch (e) {
      await rm(temp, { force: true });
      if ((e as NodeJS.ErrnoException).code === 'EISDIR' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new Error(`cannot write object '${key}' at ${path}: a key cannot be both an object and a prefix of other objects`);
      }
      throw e;
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key);
    try {
      return await readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') throw new ObjectNotFoundError(key, `the local store at ${this.root}`);
      throw e;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (e) {
      if (e instanceof InvalidObjectKeyError) throw e;
      return false;
    }
  }

  async list(prefix = ''): Promise<string[]> {
    if (prefix.includes('\\') || prefix.split('/').some((s) => s === '..')) {
      throw new InvalidObjectKeyError(`list prefix ${JSON.stringify(prefix)} is not valid: use "/" separators and no ".." segments`);
    }
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash);
    const start = base === '' ? this.root : this.pathOf(base);
    const out: string[] = [];
    await walk(start, base, out);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<boolean> {
    try {
      await unlink(this.pathOf(key));
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw e;
    }
  }

  url(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }
}

async function walk(dir: string, keyPrefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw e;
  }
  for (const entry of entries) {
    if (entry.name.startsWith(TEMP_PREFIX)) continue;
    const key = keyPrefix === '' ? entry.name : `${keyPrefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(join(dir, entry.name), key, out);
    else if (entry.isFile()) out.push(key);
  }
}
