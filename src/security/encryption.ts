/**
 * Authenticated encryption of stored secrets (connection passwords and extras, variable
 * values) with AES-256-GCM. Keys come from BATON_FERNET_KEY, named after Airflow's setting:
 * one or more base64url-encoded 32-byte keys, comma-separated, newest first. The first key
 * encrypts; every listed key decrypts, which is how keys are rotated.
 *
 * A ciphertext is base64url of `version (1 byte) | key id (4 bytes) | iv (12) | data | tag (16)`.
 * The key id (from a hash of the key) says which key wrote it, so a value written with a key
 * that is no longer listed fails with a clear error instead of a vague one, and a value that
 * was altered fails its integrity check: decryption never returns garbage.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ConfigError } from '../config.ts';

const VERSION = 0x81;
const KEY_ID_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES;

/** A key list that cannot be used (malformed, wrong length, empty): a configuration error. */
export class FernetKeyError extends ConfigError {}

/** A stored value that cannot be decrypted: written with an unknown key, or altered. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  constructor(
    readonly reason: 'unknown_key' | 'tampered' | 'malformed',
    message: string,
  ) {
    super(message);
  }
}

interface Key {
  id: Buffer;
  secret: Buffer;
}

/** A fresh random key in the form BATON_FERNET_KEY expects. */
export function generateFernetKey(): string {
  return randomBytes(32).toString('base64url');
}

function keyId(secret: Buffer): Buffer {
  return createHash('sha256').update('baton-fernet-key-id\0').update(secret).digest().subarray(0, KEY_ID_BYTES);
}

function parseKey(text: string, position: number): Key {
  const t = text.trim();
  // Both alphabets are accepted; padding is optional.
  if (!/^[A-Za-z0-9_\-+/]+=*$/.test(t)) throw new FernetKeyError(`BATON_FERNET_KEY key #${position} is not base64: generate one with \`baton rotate-fernet-key --generate\`.`);
  const secret = Buffer.from(t.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
  if (secret.length !== 32) throw new FernetKeyError(`BATON_FERNET_KEY key #${position} decodes to ${secret.length} bytes; each key must be 32 bytes (43 base64url characters). Generate one with \`baton rotate-fernet-key --generate\`.`);
  return { id: keyId(secret), secret };
}

/** The keys values are encrypted and decrypted with. */
export class KeyRing {
  private readonly keys: Key[];

  /** `keys`: the raw BATON_FERNET_KEY text (comma-separated, newest first) or a list of keys. */
  constructor(keys: string | readonly string[]) {
    const list = (typeof keys === 'string' ? keys.split(',') : [...keys]).map((k) => k.trim()).filter((k) => k !== '');
    if (list.length === 0) throw new FernetKeyError('BATON_FERNET_KEY lists no key.');
    this.keys = list.map((k, i) => parseKey(k, i + 1));
  }

  /** How many keys the ring holds. */
  get size(): number {
    return this.keys.length;
  }

  /** Short, non-secret identifiers of the keys (hex), newest first. */
  get keyIds(): string[] {
    return this.keys.map((k) => k.id.toString('hex'));
  }

  /** Encrypts with the newest (first) key. */
  encrypt(plaintext: string): string {
    const key = this.keys[0]!;
    const header = Buffer.concat([Buffer.of(VERSION), key.id]);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.secret, iv);
    cipher.setAAD(header);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([header, iv, data, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * Decrypts a value any key of the ring wrote. `what` names the value in errors (e.g.
   * "variable 'api_key'"). Throws a DecryptionError, never returns garbage.
   */
  decrypt(token: string, what = 'the value'): string {
    const raw = typeof token === 'string' && /^[A-Za-z0-9_-]*$/.test(token) ? Buffer.from(token, 'base64url') : Buffer.alloc(0);
    if (raw.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) {
      throw new DecryptionError('malformed', `Cannot decrypt ${what}: the stored text is not a Baton ciphertext (it may have been edited in the database). Set the value again.`);
    }
    const header = raw.subarray(0, HEADER_BYTES);
    const id = header.subarray(1);
    const candidates = this.keys.filter((k) => k.id.equals(id));
    if (candidates.length === 0) {
      throw new DecryptionError('unknown_key', `Cannot decrypt ${what}: it was encrypted with a key (id ${id.toString('hex')}) that BATON_FERNET_KEY does not list (it lists ${this.keyIds.join(', ')}). Add the old key after the new one (comma-separated, newest first), or set the value again.`);
    }
    const iv = raw.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const data = raw.subarray(HEADER_BYTES + IV_BYTES, raw.length - TAG_BYTES);
    for (const key of candidates) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.secret, iv);
        decipher.setAAD(header);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
      } catch {
        /* the next key with the same id, if any */
      }
    }
    throw new DecryptionError('tampered', `Cannot decrypt ${what}: it failed its integrity check, so the stored ciphertext was altered or corrupted. Set the value again.`);
  }

  /** Was this value written with the newest key (so rotation can leave it alone)? */
  isCurrent(token: string): boolean {
    const raw = Buffer.from(token, 'base64url');
    return raw.length > HEADER_BYTES && raw.subarray(1, HEADER_BYTES).equals(this.keys[0]!.id);
  }
}
