/**
 * The base of every sensor: a task that waits until a condition is met. A subclass implements
 * `poke(ctx)`; the base calls it until it reports done or the timeout passes, waiting in the
 * way the sensor's `mode` says (sleeping in its worker, or giving the slot back between pokes),
 * or, when `deferrable`, handing the wait to the triggerer through the subclass's `trigger(ctx)`.
 */
import { BaseOperator, type BaseOperatorOptions } from '../base-operator.ts';
import type { TaskContext } from '../context.ts';
import { DagDefinitionError, SensorTimeout, SkipTask, TaskDeferred, TaskReschedule } from '../errors.ts';
import type { SerializedTask } from '../../core/serialized-dag.ts';
import { nextPokeInterval } from './poke-interval.ts';
import { resolveSensorOptions, type SensorMode, type SensorOptions } from './sensor-options.ts';
import { sleep } from './sleep.ts';
import { asTriggerEvent, type SensorTrigger } from './trigger-event.ts';

/** Options of every sensor: the task options plus how it waits (see SensorOptions). */
export interface BaseSensorOptions extends BaseOperatorOptions, SensorOptions {}

/**
 * What `poke` returns: true when the condition is met, or `{ done, xcomValue }` to also give
 * the task's result (its `return_value` XCom; Airflow's PokeReturnValue).
 */
export type PokeResult<R> = boolean | { done: boolean; xcomValue?: R };

/** The method a deferred sensor resumes with. */
export const RESUME_METHOD = 'executeComplete';

/** A task that pokes until its condition holds; `R` is the type of the value a poke may return as the task's result. */
export abstract class BaseSensor<R = boolean> extends BaseOperator<R | undefined> {
  static override uiColor = '#e6f1f2';
  readonly mode: SensorMode;
  /** Seconds. */
  readonly pokeInterval: number;
  /** Seconds. */
  readonly timeout: number;
  readonly softFail: boolean;
  readonly exponentialBackoff: boolean;
  /** Seconds, or null for no bound. */
  readonly maxWait: number | null;
  readonly deferrable: boolean;

  constructor(options: BaseSensorOptions) {
    super(options);
    const s = resolveSensorOptions(this.taskId, options);
    this.mode = s.mode;
    this.pokeInterval = s.pokeInterval;
    this.timeout = s.timeout;
    this.softFail = s.softFail;
    this.exponentialBackoff = s.exponentialBackoff;
    this.maxWait = s.maxWait;
    this.deferrable = s.deferrable;
    if (this.deferrable && typeof this.trigger !== 'function') {
      throw new DagDefinitionError(
        `${this.operatorName} '${this.taskId}' cannot be deferrable: it has no built-in trigger, and user code cannot run in the triggerer. Use mode: 'reschedule' to free its worker slot between pokes.`,
      );
    }
  }

  /** Checks the condition once. */
  abstract poke(ctx: TaskContext): PokeResult<R> | Promise<PokeResult<R>>;

  /**
   * The built-in trigger that waits for the same condition in the triggerer, or null to wait
   * by poking instead. Sensors without one cannot be deferrable.
   */
  trigger?(ctx: TaskContext): SensorTrigger | null;

  /** Pokes until done; throws SensorTimeout, TaskReschedule or TaskDeferred as the mode says. */
  async execute(ctx: TaskContext): Promise<R | undefined> {
    const started = ctx.sensorStartedAt.getTime();
    for (let pokeCount = 1; ; pokeCount++) {
      const result = this.checkPokeResult(await this.poke(ctx));
      if (result.done) {
        ctx.log.info('Success criteria met. Exiting.');
        return result.xcomValue;
      }
      const elapsed = (Date.now() - started) / 1000;
      if (elapsed >= this.timeout) throw this.timedOut(elapsed);
      const remaining = this.timeout - elapsed;
      const trigger = this.deferrable ? (this.trigger?.(ctx) ?? null) : null;
      if (trigger) throw new TaskDeferred(trigger.kind, trigger.kwargs, RESUME_METHOD, remaining);
      const interval = Math.min(remaining, nextPokeInterval({
        dagId: this.dag.dagId, taskId: this.taskId, startedAt: ctx.sensorStartedAt, elapsed, pokeCount, mode: this.mode,
        pokeInterval: this.pokeInterval, timeout: this.timeout, exponentialBackoff: this.exponentialBackoff, maxWait: this.maxWait,
      }));
      if (this.mode === 'reschedule') throw new TaskReschedule(new Date(Date.now() + interval * 1000));
      await sleep(interval * 1000, ctx.signal);
    }
  }

  /**
   * Resumes after the triggerer fired: a success event ends the task (with the event's
   * `xcomValue`, if any); a timeout fails it with SensorTimeout (skipped with softFail); a
   * failure fails it (skipped with softFail).
   */
  async executeComplete(ctx: TaskContext, event: unknown): Promise<R | undefined> {
    const e = asTriggerEvent(event);
    if (e?.status === 'success') {
      ctx.log.info('Success criteria met. Exiting.');
      return e.xcomValue as R | undefined;
    }
    if (e?.status === 'timeout') throw new SensorTimeout(`Sensor has timed out: its trigger did not fire within the timeout of ${this.timeout} seconds.`);
    const message = e ? `The trigger failed: ${e.message}` : `The trigger sent an event this sensor does not understand: ${JSON.stringify(event)}`;
    if (this.softFail) throw new SkipTask(message);
    throw new Error(message);
  }

  /** How this sensor waits, for the serialized DAG (the scheduler reads it). */
  sensorSpec(): NonNullable<SerializedTask['sensor']> {
    return {
      mode: this.mode,
      pokeInterval: this.pokeInterval,
      timeout: this.timeout,
      softFail: this.softFail,
      exponentialBackoff: this.exponentialBackoff,
      deferrable: this.deferrable,
    };
  }

  private timedOut(elapsed: number): SensorTimeout {
    return new SensorTimeout(`Sensor has timed out; run duration of ${elapsed.toFixed(3)} seconds exceeds the specified timeout of ${this.timeout}.`);
  }

  private checkPokeResult(r: unknown): { done: boolean; xcomValue?: R } {
    if (typeof r === 'boolean') return { done: r };
    if (r !== null && typeof r === 'object' && typeof (r as { done?: unknown }).done === 'boolean') return r as { done: boolean; xcomValue?: R };
    throw new TypeError(`${this.operatorName} '${this.taskId}': poke must return true/false or { done, xcomValue } (got ${JSON.stringify(r)})`);
  }
}
