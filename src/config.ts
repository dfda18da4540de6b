/**
 * Baton's settings, read in one place. Each setting comes from, in order: its environment
 * variable, the `"baton"` object of the nearest package.json above the working directory,
 * then its default. Relative paths in package.json are relative to that package.json.
 *
 * | setting                  | environment                        | default                      |
 * |--------------------------|------------------------------------|------------------------------|
 * | home                     | BATON_HOME                         | ~/baton                      |
 * | dagsFolder               | BATON_DAGS_FOLDER                  | <home>/dags                  |
 * | databaseUrl              | BATON_DATABASE_URL                 | sqlite:<home>/baton.db       |
 * | parallelism              | BATON_PARALLELISM                  | number of CPU cores          |
 * | executor                 | BATON_EXECUTOR                     | local (or bullmq)            |
 * | redisUrl                 | BATON_REDIS_URL                    | redis://127.0.0.1:6379       |
 * | redisPrefix              | BATON_REDIS_PREFIX                 | baton                        |
 * | logsFolder               | BATON_LOGS_FOLDER                  | <home>/logs                  |
 * | xcomFolder               | BATON_XCOM_FOLDER                  | <home>/xcom                  |
 * | xcomMaxInlineBytes       | BATON_XCOM_MAX_INLINE_BYTES        | 65536                        |
 * | pausedAtCreation         | BATON_DAGS_ARE_PAUSED_AT_CREATION  | true                         |
 * | dagFileProcessorTimeout  | BATON_DAG_FILE_PROCESSOR_TIMEOUT   | 50 (seconds)                 |
 * | minFileProcessInterval   | BATON_MIN_FILE_PROCESS_INTERVAL    | 30 (seconds)                 |
 * | heartbeatInterval        | BATON_HEARTBEAT_INTERVAL           | 5 (seconds)                  |
 * | zombieThreshold          | BATON_ZOMBIE_THRESHOLD             | 300 (seconds)                |
 * | queuedTimeout            | BATON_TASK_QUEUED_TIMEOUT          | 600 (seconds)                |
 * | port                     | BATON_PORT                         | 8080                         |
 * | apiExposeConfig          | BATON_API_EXPOSE_CONFIG            | false                        |
 * | apiJwtExpiration         | BATON_API_JWT_EXPIRATION           | 86400 (seconds an API v2 access token is valid) |
 * | sensitiveVarConnNames    | BATON_SENSITIVE_VAR_CONN_NAMES     | none (comma-separated names, masked besides the built-in list) |
 *
 * Secrets are read from the environment only (never from package.json) and `baton config list`
 * does not show them:
 *
 * | setting        | environment           | meaning and default                                                      |
 * |----------------|-----------------------|--------------------------------------------------------------------------|
 * | fernetKey      | BATON_FERNET_KEY      | keys encrypting connection passwords and extras and variable values at rest: base64url 32-byte keys, comma-separated, newest first. Unset: <home>/fernet.key when present, else values are stored unencrypted (with a warning) |
 * | secretKey      | BATON_SECRET_KEY      | signs session cookies. Unset: a key generated once into <home>/secret.key |
 * | adminPassword  | BATON_ADMIN_PASSWORD  | password of the `admin` user `baton standalone` creates when there is no user. Unset: generated, printed once |
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface BatonConfig {
  home: string;
  dagsFolder: string;
  databaseUrl: string;
  parallelism: number;
  /** Where tries run: `local` (worker processes of the scheduler) or `bullmq` (`baton worker` processes on any machine, through Redis). */
  executor: 'local' | 'bullmq';
  /** Redis that the BullMQ executor and its workers share. */
  redisUrl: string;
  /** Prefix of Baton's keys in Redis; installations sharing one Redis use different prefixes. */
  redisPrefix: string;
  logsFolder: string;
  xcomFolder: string;
  xcomMaxInlineBytes: number;
  pausedAtCreation: boolean;
  dagFileProcessorTimeout: number;
  minFileProcessInterval: number;
  heartbeatInterval: number;
  zombieThreshold: number;
  queuedTimeout: number;
  port: number;
  /** Whether the REST API's /config endpoints show the configuration (403 when false). */
  apiExposeConfig: boolean;
  /** Seconds an access token from `POST /auth/token` stays valid. */
  apiJwtExpiration: number;
  /** Names (lower case) whose values are masked, besides the built-in list (password, secret, token…). */
  sensitiveVarConnNames: string[];
  /** BATON_FERNET_KEY, or null when unset. */
  fernetKey: string | null;
  /** BATON_SECRET_KEY, or null when unset. */
  secretKey: string | null;
  /** BATON_ADMIN_PASSWORD, or null when unset. */
  adminPassword: string | null;
  /** Where each setting came from, for `baton config list`. */
  sources: Record<string, 'env' | 'package.json' | 'default'>;
}

/** Settings that hold secrets: environment only, never listed. */
export const SECRET_ENV_NAMES = {
  fernetKey: 'BATON_FERNET_KEY',
  secretKey: 'BATON_SECRET_KEY',
  adminPassword: 'BATON_ADMIN_PASSWORD',
} as const;

export const ENV_NAMES: Record<Exclude<keyof BatonConfig, 'sources' | keyof typeof SECRET_ENV_NAMES>, string> = {
  home: 'BATON_HOME',
  dagsFolder: 'BATON_DAGS_FOLDER',
  databaseUrl: 'BATON_DATABASE_URL',
  parallelism: 'BATON_PARALLELISM',
  executor: 'BATON_EXECUTOR',
  redisUrl: 'BATON_REDIS_URL',
  redisPrefix: 'BATON_REDIS_PREFIX',
  logsFolder: 'BATON_LOGS_FOLDER',
  xcomFolder: 'BATON_XCOM_FOLDER',
  xcomMaxInlineBytes: 'BATON_XCOM_MAX_INLINE_BYTES',
  pausedAtCreation: 'BATON_DAGS_ARE_PAUSED_AT_CREATION',
  dagFileProcessorTimeout: 'BATON_DAG_FILE_PROCESSOR_TIMEOUT',
  minFileProcessInterval: 'BATON_MIN_FILE_PROCESS_INTERVAL',
  heartbeatInterval: 'BATON_HEARTBEAT_INTERVAL',
  zombieThreshold: 'BATON_ZOMBIE_THRESHOLD',
  queuedTimeout: 'BATON_TASK_QUEUED_TIMEOUT',
  port: 'BATON_PORT',
  apiExposeConfig: 'BATON_API_EXPOSE_CONFIG',
  apiJwtExpiration: 'BATON_API_JWT_EXPIRATION',
  sensitiveVarConnNames: 'BATON_SENSITIVE_VAR_CONN_NAMES',
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): BatonConfig {
  const pkg = findPackageSettings(cwd);
  const sources: BatonConfig['sources'] = {};
  const raw = (key: keyof typeof ENV_NAMES): { value: string | number | boolean; base: string } | undefined => {
    const e = env[ENV_NAMES[key]];
    if (e !== undefined && e !== '') {
      sources[key] = 'env';
      return { value: e, base: cwd };
    }
    if (pkg && pkg.settings[key] !== undefined) {
      sources[key] = 'package.json';
      return { value: pkg.settings[key] as string, base: pkg.dir };
    }
    sources[key] = 'default';
    return undefined;
  };
  const path = (key: keyof typeof ENV_NAMES, fallback: () => string): string => {
    const r = raw(key);
    if (!r) return fallback();
    const v = String(r.value);
    return isAbsolute(v) ? v : resolve(r.base, v.replace(/^~(?=\/|$)/, homedir()));
  };
  const num = (key: keyof typeof ENV_NAMES, fallback: number, min: number): number => {
    const r = raw(key);
    if (!r) return fallback;
    const n = Number(r.value);
    if (!Number.isFinite(n) || n < min) throw new ConfigError(`${ENV_NAMES[key]} must be a number ≥ ${min} (got ${JSON.stringify(r.value)})`);
    return n;
  };
  const bool = (key: keyof typeof ENV_NAMES, fallback: boolean): boolean => {
    const r = raw(key);
    if (!r) return fallback;
    const v = String(r.value).toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(`${ENV_NAMES[key]} must be true or false (got ${JSON.stringify(r.value)})`);
  };

  const secret = (key: keyof typeof SECRET_ENV_NAMES): string | null => {
    const e = env[SECRET_ENV_NAMES[key]];
    return e === undefined || e === '' ? null : e;
  };

  const home = path('home', () => join(homedir(), 'baton'));
  const dbRaw = raw('databaseUrl');
  const databaseUrl = dbRaw ? normalizeDbUrl(String(dbRaw.value), dbRaw.base) : `sqlite:${join(home, 'baton.db')}`;
  return {
    home,
    dagsFolder: path('dagsFolder', () => join(home, 'dags')),
    databaseUrl,
    parallelism: Math.floor(num('parallelism', availableParallelism(), 1)),
    executor: executorName(raw('executor')?.value),
    redisUrl: redisUrl(raw('redisUrl')?.value),
    redisPrefix: redisPrefix(raw('redisPrefix')?.value),
    logsFolder: path('logsFolder', () => join(home, 'logs')),
    xcomFolder: path('xcomFolder', () => join(home, 'xcom')),
    xcomMaxInlineBytes: Math.floor(num('xcomMaxInlineBytes', 65536, 0)),
    pausedAtCreation: bool('pausedAtCreation', true),
    dagFileProcessorTimeout: num('dagFileProcessorTimeout', 50, 0.1),
    minFileProcessInterval: num('minFileProcessInterval', 30, 0),
    heartbeatInterval: num('heartbeatInterval', 5, 0.05),
    zombieThreshold: num('zombieThreshold', 300, 0.1),
    queuedTimeout: num('queuedTimeout', 600, 0.1),
    port: Math.floor(num('port', 8080, 0)),
    apiExposeConfig: bool('apiExposeConfig', false),
    apiJwtExpiration: Math.floor(num('apiJwtExpiration', 86400, 1)),
    sensitiveVarConnNames: nameList(raw('sensitiveVarConnNames')?.value),
    fernetKey: secret('fernetKey'),
    secretKey: secret('secretKey'),
    adminPassword: secret('adminPassword'),
    sources,
  };
}

function executorName(v: unknown): BatonConfig['executor'] {
  if (v === undefined || v === '') return 'local';
  const name = String(v).trim().toLowerCase();
  if (name === 'local' || name === 'localexecutor') return 'local';
  if (name === 'bullmq' || name === 'bullmqexecutor') return 'bullmq';
  throw new ConfigError(`BATON_EXECUTOR must be local or bullmq (got ${JSON.stringify(v)})`);
}

function redisUrl(v: unknown): string {
  if (v === undefined || v === '') return 'redis://127.0.0.1:6379';
  const url = String(v).trim();
  if (!/^rediss?:\/\//.test(url)) throw new ConfigError(`BATON_REDIS_URL must start with redis:// or rediss:// (got ${JSON.stringify(url.replace(/:[^:@/]*@/, ':***@'))})`);
  return url;
}

function redisPrefix(v: unknown): string {
  if (v === undefined || v === '') return 'baton';
  const prefix = String(v).trim();
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new ConfigError(`BATON_REDIS_PREFIX must be 1 to 64 letters, digits, '_', '.' or '-' (got ${JSON.stringify(v)})`);
  return prefix;
}

/** A comma-separated list (or a package.json array) as trimmed, lower-case, non-empty names. */
function nameList(v: unknown): string[] {
  const items = Array.isArray(v) ? v.map(String) : v === undefined ? [] : String(v).split(',');
  return items.map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
}

function normalizeDbUrl(url: string, base: string): string {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return url;
  if (url === 'sqlite::memory:') return url;
  if (url.startsWith('sqlite:')) {
    const p = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return `sqlite:${isAbsolute(p) ? p : resolve(base, p)}`;
  }
  throw new ConfigError(`BATON_DATABASE_URL must start with sqlite: or postgres:// (got ${JSON.stringify(url.replace(/:[^:@/]*@/, ':***@'))})`);
}

function findPackageSettings(start: string): { dir: string; settings: Record<string, unknown> } | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { baton?: Record<string, unknown> };
        if (pkg.baton && typeof pkg.baton === 'object') return { dir, settings: pkg.baton };
      } catch {
        /* an unreadable package.json has no Baton settings */
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
