/**
 * Where the keys come from. The encryption keys: BATON_FERNET_KEY, else `<home>/fernet.key`
 * (which `baton standalone` writes on first start), else none: values are then stored
 * unencrypted, with a warning, as Airflow does without a Fernet key. The session-signing key:
 * BATON_SECRET_KEY, else `<home>/secret.key`, generated on first use. Key files are created
 * with mode 600.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type BatonConfig } from '../config.ts';
import { generateFernetKey, KeyRing } from './encryption.ts';

/** File under BATON_HOME holding the encryption key when BATON_FERNET_KEY is unset. */
export const FERNET_KEY_FILE = 'fernet.key';
/** File under BATON_HOME holding the session-signing key when BATON_SECRET_KEY is unset. */
export const SECRET_KEY_FILE = 'secret.key';

type KeyConfig = Pick<BatonConfig, 'home' | 'fernetKey'>;

/**
 * Writes `text` to a new file readable only by its owner; false when the file already exists
 * (unless `replace`, which removes it first).
 */
export function writePrivateFile(path: string, text: string, dir: string, replace = false): boolean {
  mkdirSync(dir, { recursive: true });
  if (replace) rmSync(path, { force: true });
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`Could not write ${path}: ${(e as Error).message}; check that BATON_HOME (${dir}) is writable.`, { cause: e });
  }
  chmodSync(path, 0o600);
  return true;
}

function readKeyFile(path: string): string | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8').trim();
  return text === '' ? null : text;
}

/** The configured encryption keys, or null when encryption is off. Throws on a malformed key. */
export function fernetKeyRing(config: KeyConfig): KeyRing | null {
  const text = config.fernetKey ?? readKeyFile(join(config.home, FERNET_KEY_FILE));
  return text === null ? null : new KeyRing(text);
}

/**
 * Makes sure encryption is on: when neither BATON_FERNET_KEY nor `<home>/fernet.key` gives a
 * key, generates one into that file. Returns the file when it was just created.
 */
export function ensureFernetKey(config: KeyConfig): { created: string | null } {
  if (config.fernetKey !== null) return { created: null };
  const path = join(config.home, FERNET_KEY_FILE);
  if (readKeyFile(path) !== null) return { created: null };
  return { created: writePrivateFile(path, `${generateFernetKey()}\n`, config.home) ? path : null };
}

/** The key session cookies are signed with: BATON_SECRET_KEY, else `<home>/secret.key` (created once). */
export function sessionSecret(config: Pick<BatonConfig, 'home' | 'secretKey'>): string {
  if (config.secretKey !== null) return config.secretKey;
  const path = join(config.home, SECRET_KEY_FILE);
  const existing = readKeyFile(path);
  if (existing !== null) return existing;
  writePrivateFile(path, `${randomBytes(32).toString('base64url')}\n`, config.home);
  // Another process may have written it first: read back whichever won.
  return readKeyFile(path)!;
}

let processKeys: { ring: KeyRing | null } | undefined;

/**
 * The keys this process decrypts task-visible secrets with: those given to `useKeyRing`, else
 * the ones the environment configures (resolved once).
 */
export function defaultKeyRing(): KeyRing | null {
  processKeys ??= { ring: fernetKeyRing(loadConfig()) };
  return processKeys.ring;
}

/** Sets the keys `defaultKeyRing` returns (e.g. after `baton standalone` created a key). */
export function useKeyRing(ring: KeyRing | null): void {
  processKeys = { ring };
}

const processScope = {};
const warnedScopes = new WeakSet<object>();

/**
 * Warns once per process that values are being stored unencrypted; or once per `scope` (e.g.
 * one CLI command among others run in the same process).
 */
export function warnUnencrypted(write: (message: string) => void = (m) => process.stderr.write(`${m}\n`), scope: object = processScope): void {
  if (warnedScopes.has(scope)) return;
  warnedScopes.add(scope);
  write('warning: BATON_FERNET_KEY is not set and BATON_HOME has no fernet.key, so connection passwords and variables are stored unencrypted. Set BATON_FERNET_KEY (generate a key with `baton rotate-fernet-key --generate`), then run `baton rotate-fernet-key` to encrypt existing values.');
}
