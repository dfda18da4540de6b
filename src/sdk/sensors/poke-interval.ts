/**
 * How long a sensor waits before its next poke. Reproduces Airflow's
 * `BaseSensorOperator._get_next_poke_interval`, including the deterministic jitter of
 * exponential backoff and its estimate of the poke count for sensors in reschedule mode.
 */
import { createHash } from 'node:crypto';
import { pythonUtcDatetimeStr } from '../../core/retry-delay.ts';

/** What the next poke interval depends on. */
export interface PokeIntervalArgs {
  dagId: string;
  taskId: string;
  /** When the sensor began waiting. */
  startedAt: Date;
  /** Seconds the sensor has waited so far. */
  elapsed: number;
  /** 1 for the first poke. Ignored in reschedule mode, where it is estimated from `elapsed`. */
  pokeCount: number;
  mode: 'poke' | 'reschedule';
  /** Seconds. */
  pokeInterval: number;
  /** Seconds. */
  timeout: number;
  exponentialBackoff: boolean;
  /** Upper bound in seconds for an exponential interval; null for none. */
  maxWait: number | null;
}

/** Python's `timedelta.max.total_seconds() - 1`, the cap Airflow puts on a backoff interval. */
const MAX_BACKOFF_SECONDS = 86_399_999_999_999;
/** Bounds the poke-count estimate of a sensor whose interval barely grows (a 0 s poke interval). */
const MAX_ESTIMATED_POKES = 10_000;

/** Seconds to wait before the next poke (at least 0). */
export function nextPokeInterval(a: PokeIntervalArgs): number {
  if (!a.exponentialBackoff) return a.pokeInterval;
  let pokeCount = a.pokeCount;
  if (a.mode === 'reschedule') {
    let cumulative = 0;
    let estimated = 0;
    while (cumulative <= a.elapsed && estimated < MAX_ESTIMATED_POKES) {
      estimated += 1;
      cumulative += jittered(a, estimated);
    }
    pokeCount = estimated || pokeCount;
  }
  let interval = Math.min(a.timeout - Math.floor(a.elapsed), jittered(a, pokeCount));
  if (a.maxWait) interval = Math.min(a.maxWait, interval);
  return Math.max(0, interval);
}

/** `min_backoff + sha1(dag#task#started_at#count) % min_backoff`, with min_backoff ≥ 1. */
function jittered(a: PokeIntervalArgs, pokeCount: number): number {
  const scaled = Math.floor(a.pokeInterval * 2 ** (pokeCount - 2));
  if (!Number.isFinite(scaled) || scaled >= MAX_BACKOFF_SECONDS) return MAX_BACKOFF_SECONDS;
  const minBackoff = BigInt(Math.max(scaled, 1));
  const key = `${a.dagId}#${a.taskId}#${pythonUtcDatetimeStr(a.startedAt)}#${pokeCount}`;
  const hash = BigInt('0x' + createHash('sha1').update(key, 'utf8').digest('hex'));
  const modded = minBackoff + (hash % minBackoff);
  return modded > BigInt(MAX_BACKOFF_SECONDS) ? MAX_BACKOFF_SECONDS : Number(modded);
}
