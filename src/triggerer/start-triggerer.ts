/** Starting a triggerer from Baton's configuration, as `baton triggerer` and `baton standalone` do. */
import type { BatonConfig } from '../config.ts';
import type { BatonDb, TaskInstanceKey } from '../store/index.ts';
import { TRIGGERER_DEFAULTS, Triggerer, type TriggererOptions } from './triggerer.ts';

/** What `startTriggerer` needs; TriggererOptions fields may override the defaults it derives. */
export interface StartTriggererOptions extends Partial<Omit<TriggererOptions, 'db' | 'onFire'>> {
  /** The metadata database. In one process, share the scheduler's handle (SQLite allows one per process). */
  db: BatonDb;
  /** Its heartbeat interval is the triggerer's (`heartbeatInterval`), and bounds the check interval. */
  config: BatonConfig;
  /** Called after fired triggers moved task instances to `scheduled`; standalone wakes the scheduler. */
  onFire?: (scheduled: TaskInstanceKey[]) => void;
}

/** A started triggerer. */
export interface RunningTriggerer {
  triggerer: Triggerer;
  /** Look for new trigger rows now (a task was just deferred). */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Starts a triggerer. Defaults: heartbeat every `config.heartbeatInterval` seconds, a check for
 * new triggers every min(1 s, heartbeat interval), the other TRIGGERER_DEFAULTS.
 */
export async function startTriggerer(o: StartTriggererOptions): Promise<RunningTriggerer> {
  const { db, config, ...rest } = o;
  const triggerer = new Triggerer({
    heartbeatInterval: config.heartbeatInterval,
    checkInterval: Math.min(TRIGGERER_DEFAULTS.checkInterval, config.heartbeatInterval),
    ...rest,
    db: db.db,
  });
  await triggerer.start();
  return { triggerer, wake: () => triggerer.wake(), stop: () => triggerer.stop() };
}
