/**
 * Masking of secrets, as Airflow's secrets masker does: a name "looks sensitive" when it
 * contains one of Airflow's words (password, secret, token…) or one listed in
 * BATON_SENSITIVE_VAR_CONN_NAMES. Values of such variables, connection passwords and sensitive
 * fields of connection extras are replaced by `***` in task logs (`SecretsMasker`) and in API
 * output (`maskVariable`, `maskConnectionExtra`).
 */
import { loadConfig } from '../config.ts';

/** What replaces a secret. */
export const MASK = '***';

/** Airflow's default sensitive field names; matched as lower-case substrings of a name. */
export const DEFAULT_SENSITIVE_NAMES: readonly string[] = Object.freeze([
  'access_token', 'api_key', 'apikey', 'authorization', 'passphrase', 'passwd', 'password', 'private_key', 'secret', 'token',
  'keyfile_dict', 'service_account',
]);

/** Secrets shorter than this are not masked in logs (masking "a" would garble every line), as in Airflow. */
export const MIN_MASKED_LENGTH = 5;

let extraNames: readonly string[] | undefined;

/** Adds names to the sensitive list (BATON_SENSITIVE_VAR_CONN_NAMES); replaces earlier additions. */
export function setSensitiveNames(names: readonly string[]): void {
  extraNames = names.map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
}

function configuredNames(): readonly string[] {
  if (extraNames === undefined) {
    try {
      extraNames = loadConfig().sensitiveVarConnNames;
    } catch {
      extraNames = [];
    }
  }
  return extraNames;
}

/** Does a variable, connection field or extra key called `name` hold a secret? */
export function isSensitiveName(name: string): boolean {
  const lower = String(name).toLowerCase();
  return DEFAULT_SENSITIVE_NAMES.some((s) => lower.includes(s)) || configuredNames().some((s) => lower.includes(s));
}

/** A variable's value as the API shows it: `***` when its key looks sensitive. */
export function maskVariable(key: string, value: string | null): string | null {
  return value !== null && isSensitiveName(key) ? MASK : value;
}

/** A copy of `value` with the values of sensitive keys (at any depth) replaced by `***`. */
export function redactSensitiveFields(value: unknown, depth = 0): unknown {
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSensitiveFields(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, isSensitiveName(k) && v !== null && v !== '' ? MASK : redactSensitiveFields(v, depth + 1)]),
  );
}

/** A connection's extra (JSON text) with sensitive fields masked; text that is not JSON is masked whole. */
export function maskConnectionExtra(extra: string | null): string | null {
  if (extra === null || extra === '') return extra;
  try {
    return JSON.stringify(redactSensitiveFields(JSON.parse(extra)));
  } catch {
    return MASK;
  }
}

/** The secrets one process has seen; masks them in any text. */
export class SecretsMasker {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  /** @param limit Most secrets remembered; the oldest are forgotten beyond it. Default 10000. */
  constructor(private readonly limit = 10_000) {}

  /** How many secrets are registered. */
  get size(): number {
    return this.secrets.size;
  }

  /**
   * Registers a secret. A string is masked as given and in its JSON-escaped form; in an object
   * (e.g. a connection extra) the values of sensitive keys are registered. Strings shorter than
   * MIN_MASKED_LENGTH are ignored.
   */
  add(secret: unknown): void {
    if (typeof secret === 'string') {
      for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), ...secret.split(/\r?\n/)])) this.addOne(form);
    } else if (secret !== null && typeof secret === 'object') {
      for (const [k, v] of Object.entries(secret as Record<string, unknown>)) {
        if (isSensitiveName(k)) this.add(typeof v === 'string' ? v : JSON.stringify(v));
        else if (v !== null && typeof v === 'object') this.add(v);
      }
    }
  }

  /** `text` with every registered secret replaced by `***`. */
  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    this.pattern ??= new RegExp([...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
    return text.replace(this.pattern, MASK);
  }

  /** Forgets every secret. */
  clear(): void {
    this.secrets.clear();
    this.pattern = null;
  }

  private addOne(secret: string): void {
    if (secret.length < MIN_MASKED_LENGTH || this.secrets.has(secret)) return;
    if (this.secrets.size >= this.limit) this.secrets.delete(this.secrets.values().next().value!);
    this.secrets.add(secret);
    this.pattern = null;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** This process's masker: task logs are written through it. */
export const secretsMasker = new SecretsMasker();

/** `text` with every secret this process has registered replaced by `***`. */
export function redactSecrets(text: string): string {
  return secretsMasker.redact(text);
}
