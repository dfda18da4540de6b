/**
 * FileSensor: waits until a file exists. `filepath` is a path or a glob (templated); a folder
 * that matches counts once it holds a file. Deferrable through the `fileExists` trigger.
 */
import { resolve } from 'node:path';
import type { TaskContext } from '../context.ts';
import type { Duration } from '../task-options.ts';
import { parseDuration } from '../../core/timetable/duration.ts';
import { DagDefinitionError } from '../errors.ts';
import { BaseSensor, type BaseSensorOptions } from './base-sensor.ts';
import { findFirstFile } from './path-glob.ts';
import type { SensorTrigger } from './trigger-event.ts';

/** FileSensor options. */
export interface FileSensorOptions extends BaseSensorOptions {
  /** The file (or glob) to wait for; relative paths are relative to the worker's working directory. Templated. */
  filepath: string;
  /** Let `**` in the glob match any number of folders. Default false. */
  recursive?: boolean;
  /** How often the triggerer looks for the file when deferred. Default: the poke interval. */
  triggerPollInterval?: Duration;
}

/** Waits until a file matching `filepath` exists (Airflow's FileSensor). */
export class FileSensor extends BaseSensor<boolean> {
  static override templateFields = ['filepath'] as const;
  static override uiColor = '#91818a';
  filepath: string;
  readonly recursive: boolean;
  /** Seconds. */
  readonly triggerPollInterval: number;

  constructor(o: FileSensorOptions) {
    super(o);
    if (typeof o.filepath !== 'string' || o.filepath.trim() === '') throw new DagDefinitionError(`FileSensor '${this.taskId}': filepath must be a non-empty string`);
    this.filepath = o.filepath;
    this.recursive = o.recursive ?? false;
    try {
      this.triggerPollInterval = o.triggerPollInterval === undefined ? this.pokeInterval : parseDuration(o.triggerPollInterval, `FileSensor '${this.taskId}' triggerPollInterval`);
    } catch (e) {
      throw new DagDefinitionError((e as Error).message);
    }
  }

  async poke(ctx: TaskContext): Promise<boolean> {
    const pattern = resolve(this.filepath);
    ctx.log.info(`Poking for file ${pattern}`);
    const found = await findFirstFile(pattern, { recursive: this.recursive });
    if (found) ctx.log.info(`Found File ${found}`);
    return found !== null;
  }

  override trigger(): SensorTrigger {
    return { kind: 'fileExists', kwargs: { pattern: resolve(this.filepath), recursive: this.recursive, pollInterval: this.triggerPollInterval } };
  }
}
