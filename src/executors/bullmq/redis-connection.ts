/**
 * Redis connections for BullMQ. ioredis reconnects by itself, with a growing delay, whenever
 * Redis goes away; commands wait meanwhile (BullMQ requires `maxRetriesPerRequest: null`), so a
 * restarted Redis delays work but loses no call. Errors are reported once per outage, naming the
 * URL with its password masked.
 */
import { Redis } from 'ioredis';

/** `redis://user:secret@host` → `redis://user:***@host`. */
export function maskRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

export interface RedisConnectionOptions {
  url: string;
  /** Where connection problems are reported. Default: stderr. */
  warn?: (message: string) => void;
  /** Name shown in reports (`scheduler`, `worker 12`…). */
  name?: string;
}

const MAX_DELAY_MS = 5000;

/** A connection for BullMQ; resolves once Redis answers, rejects with a clear error when it does not within `timeoutMs`. */
export async function connectRedis(o: RedisConnectionOptions, timeoutMs = 10_000): Promise<Redis> {
  const redis = openRedis(o);
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  } catch (e) {
    redis.disconnect();
    throw new Error(`Could not reach Redis at ${maskRedisUrl(o.url)}: ${(e as Error).message}. Check that Redis is running there (BATON_REDIS_URL) and reachable from this machine.`);
  }
  return redis;
}

/** A connection that retries forever with backoff (up to 5 s between attempts). */
export function openRedis(o: RedisConnectionOptions): Redis {
  const warn = o.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
  let down = false;
  const redis = new Redis(o.url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: o.name ? `baton ${o.name}` : 'baton',
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), MAX_DELAY_MS),
    lazyConnect: false,
  });
  redis.on('error', (e: Error) => {
    if (down) return;
    down = true;
    warn(`Redis at ${maskRedisUrl(o.url)} is not reachable (${e.message}); retrying with backoff`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    warn(`Redis at ${maskRedisUrl(o.url)} is reachable again`);
  });
  return redis;
}
