/**
 * Password hashing with scrypt (node:crypto). A hash is one self-describing string,
 * `scrypt$N$r$p$salt$hash` (salt and hash in base64url), so the cost can be raised later
 * without breaking existing hashes. Comparison is constant-time. Passwords are never stored,
 * logged or echoed in clear by this module.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. Default 32768 (2^15). */
  N: number;
  /** Block size. Default 8. */
  r: number;
  /** Parallelization. Default 1. */
  p: number;
}

/** The parameters new hashes use: about 32 MiB and a few tens of milliseconds per hash. */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 32768, r: 8, p: 1 });

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Longer passwords are refused: they add nothing and cost work to hash. */
export const MAX_PASSWORD_LENGTH = 1024;

/** A password that cannot be hashed (empty, too long, not a string). */
export class PasswordError extends Error {
  override readonly name = 'PasswordError';
}

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFKC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Throws a PasswordError unless `password` is a non-empty string of at most 1024 characters. */
export function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length === 0) throw new PasswordError('A password must be a non-empty string.');
  if (password.length > MAX_PASSWORD_LENGTH) throw new PasswordError(`A password may have at most ${MAX_PASSWORD_LENGTH} characters.`);
}

/** Hashes a password with a fresh random salt. `params` defaults to DEFAULT_SCRYPT_PARAMS. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  checkPassword(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** The parts of a stored hash, or null when it is not a hash this module wrote. */
function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const ok = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  // Bounds keep a hand-edited row from making verification take minutes or gigabytes.
  if (!ok(N, 2 ** 20) || (N & (N - 1)) !== 0 || N < 2 || !ok(r, 32) || !ok(p, 16)) return null;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 8 || key.length !== KEY_BYTES) return null;
  return { params: { N, r, p }, salt, key };
}

/**
 * Does `password` match `stored`? False for a null or malformed hash (a user without a
 * password cannot sign in with one). The comparison is constant-time.
 */
export async function verifyPasswordHash(password: string, stored: string | null): Promise<boolean> {
  if (typeof password !== 'string' || password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
    await burnTime();
    return false;
  }
  const parsed = stored === null ? null : parseHash(stored);
  if (!parsed) {
    await burnTime();
    return false;
  }
  const key = await scrypt(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

let dummy: Promise<string> | undefined;

/**
 * Spends about as long as a real verification, so that an unknown username or a missing hash
 * answers no faster than a wrong password.
 */
export async function burnTime(): Promise<void> {
  dummy ??= hashPassword(randomBytes(12).toString('base64url'));
  const parsed = parseHash(await dummy)!;
  await scrypt('not the password', parsed.salt, parsed.params);
}

/** Does this stored hash use weaker parameters than the defaults (so it should be re-hashed)? */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const d = DEFAULT_SCRYPT_PARAMS;
  return parsed.params.N < d.N || parsed.params.r < d.r || parsed.params.p < d.p;
}

/** A random password of `length` characters from an unambiguous alphabet (default 20). */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  // Rejecting bytes at or above a multiple of the alphabet size keeps every character equally likely.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}
