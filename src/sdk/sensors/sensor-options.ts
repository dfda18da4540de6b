/** The options every sensor takes, their defaults, and how they are checked. */
import { parseDuration } from '../../core/timetable/duration.ts';
import { DagDefinitionError } from '../errors.ts';
import type { Duration } from '../task-options.ts';

/**
 * How a sensor waits between pokes:
 * - `poke`: it keeps its worker slot and sleeps between pokes.
 * - `reschedule`: it gives the slot back after every poke and is queued again when the next
 *   poke is due (state `up_for_reschedule`); its try number does not change.
 */
export type SensorMode = 'poke' | 'reschedule';

/** How a sensor waits; every option has a documented default. */
export interface SensorOptions {
  /** Default "poke". */
  mode?: SensorMode;
  /** Time between pokes. Default 60 s. */
  pokeInterval?: Duration;
  /**
   * How long the sensor may wait in all before it fails with SensorTimeout (which is never
   * retried). In reschedule mode it counts from the start of the first try. Default 7 days.
   */
  timeout?: Duration;
  /** Mark the task skipped instead of failed when the sensor times out. Default false. */
  softFail?: boolean;
  /** Grow the time between pokes exponentially, as Airflow does (with jitter). Default false. */
  exponentialBackoff?: boolean;
  /** Upper bound for the time between pokes with exponential backoff. Default none. */
  maxWait?: Duration;
  /**
   * Hand the wait to the triggerer (state `deferred`): no worker slot is used until the
   * condition is met. Only sensors with a built-in trigger support it. Default false.
   */
  deferrable?: boolean;
}

/** Sensor options with every default applied; durations in seconds. */
export interface ResolvedSensorOptions {
  mode: SensorMode;
  pokeInterval: number;
  timeout: number;
  softFail: boolean;
  exponentialBackoff: boolean;
  maxWait: number | null;
  deferrable: boolean;
}

/** The defaults of SensorOptions (durations in seconds). */
export const SENSOR_DEFAULTS = {
  mode: 'poke',
  pokeInterval: 60,
  timeout: 7 * 24 * 60 * 60,
  softFail: false,
  exponentialBackoff: false,
  deferrable: false,
} as const;

/** Applies the defaults and checks every value; throws DagDefinitionError naming the task. */
export function resolveSensorOptions(taskId: string, o: SensorOptions): ResolvedSensorOptions {
  const where = `sensor '${taskId}'`;
  const dur = (name: string, v: Duration | undefined): number | null => {
    if (v === undefined || v === null) return null;
    try {
      return parseDuration(v, `${where} ${name}`);
    } catch (e) {
      throw new DagDefinitionError((e as Error).message);
    }
  };
  const bool = (name: string, v: unknown, fallback: boolean): boolean => {
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw new DagDefinitionError(`${where}: ${name} must be true or false (got ${JSON.stringify(v)})`);
    return v;
  };
  const mode = o.mode ?? SENSOR_DEFAULTS.mode;
  if (mode !== 'poke' && mode !== 'reschedule') {
    throw new DagDefinitionError(`${where}: mode must be "poke" or "reschedule" (got ${JSON.stringify(mode)})`);
  }
  return {
    mode,
    pokeInterval: dur('pokeInterval', o.pokeInterval) ?? SENSOR_DEFAULTS.pokeInterval,
    timeout: dur('timeout', o.timeout) ?? SENSOR_DEFAULTS.timeout,
    softFail: bool('softFail', o.softFail, SENSOR_DEFAULTS.softFail),
    exponentialBackoff: bool('exponentialBackoff', o.exponentialBackoff, SENSOR_DEFAULTS.exponentialBackoff),
    maxWait: dur('maxWait', o.maxWait),
    deferrable: bool('deferrable', o.deferrable, SENSOR_DEFAULTS.deferrable),
  };
}
