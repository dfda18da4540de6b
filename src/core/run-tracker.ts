/**
 * Incremental run decisions. A `RunTracker` holds one DAG run's task instance states in memory
 * together with, for every task, the counts of its upstream task instances by finished state.
 * A state change marks only the tasks downstream of it for re-evaluation, so deciding a run after
 * each completion costs in proportion to the edges that changed, not to the size of the run:
 * one more finished task of a 1,000-wide fan-out re-evaluates the join, not 1,002 task instances.
 *
 * `decide()` takes exactly the decision `decideRun` takes on the whole run (the property test in
 * run-tracker.test.ts checks this on random DAGs and histories), provided every TI it reports as
 * ready is then recorded as moved on (`update(…, 'scheduled')`), as the scheduler does.
 */
import { ACTIVE_TI_STATES, WAITING_TI_STATES, type DecisionTask, type Expansion, type RunDecision, type StateChange, type TiView } from './run-decisions.ts';
import { FINISHED_TI_STATES, type TaskInstanceState } from './states.ts';
import { evaluateTriggerRule, type UpstreamCounts } from './trigger-rule-eval.ts';

interface Node {
  index: number;
  task: DecisionTask;
  /** This task's TIs by map index, in map-index order. */
  tis: TiView[];
  /** Tasks whose decision depends on this task's TIs: direct downstream tasks and mapped consumers. */
  dependents: number[];
  /** Counts of this task's upstream TIs by finished state, and how many upstream TIs there are. */
  counts: UpstreamCounts;
  upstreamTotal: number;
  leaf: boolean;
}

/** Reads the length of a list XCom (for expanding mapped tasks); undefined while unknown. */
export type MapLengthLookup = (taskId: string, xcomKey: string) => number | undefined;

export class RunTracker {
  private readonly nodes: Node[];
  private readonly byId = new Map<string, Node>();
  /** Dirty flags by task index, and the range that may hold set flags. */
  private readonly dirty: boolean[];
  private dirtyMin = Infinity;
  private dirtyMax = -1;
  private readonly stateCounts = new Map<TaskInstanceState, number>();
  private leafFailed = 0;
  /** TIs waiting for a retry or a reschedule: re-examined on every decision. */
  private readonly waiting = new Set<TiView>();

  /** `tasks` in topological order (as in a serialized DAG); `tis` the run's task instances. */
  constructor(tasks: readonly DecisionTask[], tis: readonly TiView[]) {
    this.nodes = tasks.map((task, index) => ({ index, task, tis: [], dependents: [], counts: zeroCounts(), upstreamTotal: 0, leaf: task.downstream.length === 0 }));
    for (const n of this.nodes) this.byId.set(n.task.taskId, n);
    for (const n of this.nodes) {
      const deps = new Set<number>();
      for (const d of n.task.downstream) {
        const dn = this.byId.get(d);
        if (dn) deps.add(dn.index);
      }
      for (const other of this.nodes) {
        if (other.task.mapped?.sources.some((s) => s.source.kind === 'xcom' && s.source.taskId === n.task.taskId)) deps.add(other.index);
      }
      n.dependents = [...deps].sort((a, b) => a - b);
    }
    for (const ti of tis) {
      const n = this.byId.get(ti.taskId);
      if (n) n.tis.push({ ...ti });
    }
    for (const n of this.nodes) {
      n.tis.sort((a, b) => a.mapIndex - b.mapIndex);
      for (const ti of n.tis) this.count(n, ti, +1);
    }
    this.dirty = this.nodes.map(() => false);
    for (const n of this.nodes) this.markDirty(n.index);
  }

  /** How many task instances the run has. */
  get size(): number {
    let total = 0;
    for (const n of this.nodes) total += n.tis.length;
    return total;
  }

  /** The tracked state of a TI, or undefined when the run has no such TI. */
  state(taskId: string, mapIndex: number): TaskInstanceState | undefined {
    return this.find(taskId, mapIndex)?.state;
  }

  /**
   * Records a TI's new state (a result recorded, a TI queued, a retry scheduled…). Returns false
   * when the run has no such TI: the caller's picture of the run is out of date.
   */
  update(taskId: string, mapIndex: number, state: TaskInstanceState, nextTryAt: Date | null = null): boolean {
    const n = this.byId.get(taskId);
    const ti = n && findTi(n.tis, mapIndex);
    if (!n || !ti) return false;
    this.setState(n, ti, state, nextTryAt);
    return true;
  }

  /**
   * Unexpanded mapped tasks about to be decided whose upstream lists are ready: the XCom lengths
   * `decide` will ask for, so the caller can read just those.
   */
  mapSourcesNeeded(): Array<{ taskId: string; xcomKey: string }> {
    const out: Array<{ taskId: string; xcomKey: string }> = [];
    this.markWaitingDirty();
    for (let i = this.dirtyMin; i <= this.dirtyMax; i++) {
      if (!this.dirty[i]) continue;
      const n = this.nodes[i]!;
      if (!n.task.mapped || !isUnexpanded(n)) continue;
      for (const { source } of n.task.mapped.sources) {
        if (source.kind !== 'xcom') continue;
        const producers = this.byId.get(source.taskId)?.tis ?? [];
        if (producers.length === 1 && producers[0]!.mapIndex === -1 && producers[0]!.state === 'success') out.push({ taskId: source.taskId, xcomKey: source.xcomKey });
      }
    }
    return out;
  }

  /**
   * Decides the tasks affected by changes since the last decision (all of them the first time):
   * the same changes, expansions, ready TIs, run state and wake-up time `decideRun` computes,
   * with its own changes and expansions already applied to this tracker.
   */
  decide(now: Date, mapLength: MapLengthLookup = () => undefined): RunDecision {
    const changes: StateChange[] = [];
    const expansions: Expansion[] = [];
    const ready: Array<{ taskId: string; mapIndex: number }> = [];
    let nextWakeAt: Date | null = null;
    const nowMs = now.getTime();
    this.markWaitingDirty();

    // One pass in topological order, as decideRun makes: a change marks later tasks, which this
    // same pass reaches. (A task marked behind the scan waits for the next decision, as it would.)
    for (let i = this.dirtyMin; i <= this.dirtyMax; i++) {
      if (!this.dirty[i]) continue;
      this.dirty[i] = false;
      const n = this.nodes[i]!;
      const task = n.task;
      if (n.tis.length === 0) continue;

      if (task.mapped && isUnexpanded(n)) {
        const length = this.expansionLength(n, mapLength);
        if (length === 0) {
          this.change(n, n.tis[0]!, 'skipped', 'mapped over an empty list', changes);
          continue;
        }
        if (length !== undefined) {
          if (length > task.mapped.maxMapLength) {
            this.change(n, n.tis[0]!, 'failed', `would expand to ${length} copies, more than maxMapLength ${task.mapped.maxMapLength}`, changes);
            continue;
          }
          expansions.push({ taskId: task.taskId, length });
          this.expand(n, length);
        }
      }

      for (const ti of n.tis) {
        if (ti.state !== 'none' && !WAITING_TI_STATES.has(ti.state)) continue;
        const d = evaluateTriggerRule({ rule: task.triggerRule, upstream: n.upstreamTotal, counts: n.counts, mapIndex: ti.mapIndex });
        if (!d.met) {
          if (d.setState) this.change(n, ti, d.setState, d.reason, changes);
          continue;
        }
        if (task.mapped && ti.mapIndex === -1) {
          if (this.mapSourcesFinished(n)) this.change(n, ti, 'upstream_failed', 'an upstream list to expand over was never produced', changes);
          continue;
        }
        if (WAITING_TI_STATES.has(ti.state) && ti.nextTryAt && ti.nextTryAt.getTime() > nowMs) {
          if (!nextWakeAt || ti.nextTryAt < nextWakeAt) nextWakeAt = ti.nextTryAt;
          continue;
        }
        ready.push({ taskId: ti.taskId, mapIndex: ti.mapIndex });
      }
    }
    this.resetDirtyRange();

    let unfinished = 0;
    let active = 0;
    for (const [state, c] of this.stateCounts) {
      if (!FINISHED_TI_STATES.has(state)) unfinished += c;
      if (ACTIVE_TI_STATES.has(state)) active += c;
    }
    let runState: RunDecision['runState'] = 'running';
    let deadlock = false;
    if (unfinished === 0) runState = this.leafFailed > 0 ? 'failed' : 'success';
    else if (ready.length === 0 && active === 0) {
      runState = 'failed';
      deadlock = true;
    }
    return { changes, expansions, ready, runState, deadlock, nextWakeAt };
  }

  private change(n: Node, ti: TiView, to: TaskInstanceState, reason: string, changes: StateChange[]): void {
    changes.push({ taskId: ti.taskId, mapIndex: ti.mapIndex, from: ti.state, to, reason });
    this.setState(n, ti, to, ti.nextTryAt);
  }

  private setState(n: Node, ti: TiView, state: TaskInstanceState, nextTryAt: Date | null): void {
    if (ti.state === state) {
      ti.nextTryAt = nextTryAt;
      if (WAITING_TI_STATES.has(state)) this.markDirty(n.index);
      return;
    }
    this.count(n, ti, -1);
    ti.state = state;
    ti.nextTryAt = nextTryAt;
    this.count(n, ti, +1);
    for (const d of n.dependents) this.markDirty(d);
    if (state === 'none' || WAITING_TI_STATES.has(state)) this.markDirty(n.index);
  }

  /** Adds (+1) or removes (-1) a TI from the run's state counts and its dependents' upstream counts. */
  private count(n: Node, ti: TiView, sign: 1 | -1): void {
    this.stateCounts.set(ti.state, (this.stateCounts.get(ti.state) ?? 0) + sign);
    if (n.leaf && (ti.state === 'failed' || ti.state === 'upstream_failed')) this.leafFailed += sign;
    if (WAITING_TI_STATES.has(ti.state)) {
      if (sign > 0) this.waiting.add(ti);
      else this.waiting.delete(ti);
    }
    for (const d of n.task.downstream) {
      const dn = this.byId.get(d);
      if (!dn) continue;
      dn.upstreamTotal += sign;
      const c = dn.counts;
      switch (ti.state) {
        case 'success':
          c.success += sign;
          break;
        case 'skipped':
          c.skipped += sign;
          break;
        case 'failed':
          c.failed += sign;
          break;
        case 'upstream_failed':
          c.upstreamFailed += sign;
          break;
        case 'removed':
          c.removed += sign;
          break;
        default:
          break;
      }
    }
  }

  /** Replaces the unexpanded TI of a mapped task by copies 0..length-1 in state none. */
  private expand(n: Node, length: number): void {
    for (const ti of n.tis) this.count(n, ti, -1);
    n.tis = Array.from({ length }, (_, i) => ({ taskId: n.task.taskId, mapIndex: i, state: 'none' as const, nextTryAt: null }));
    for (const ti of n.tis) this.count(n, ti, +1);
    for (const d of n.dependents) this.markDirty(d);
  }

  private expansionLength(n: Node, mapLength: MapLengthLookup): number | undefined {
    let total = 1;
    for (const { source } of n.task.mapped!.sources) {
      let len: number | undefined;
      if (source.kind === 'literal') len = source.length;
      else {
        const producers = this.byId.get(source.taskId)?.tis ?? [];
        if (!producers.length || !producers.every((p) => p.state === 'success')) return undefined;
        len = producers.length > 1 || producers[0]!.mapIndex >= 0 ? producers.length : mapLength(source.taskId, source.xcomKey);
        if (len === undefined) return undefined;
      }
      total *= len;
    }
    return total;
  }

  private mapSourcesFinished(n: Node): boolean {
    for (const { source } of n.task.mapped!.sources) {
      if (source.kind !== 'xcom') continue;
      const producers = this.byId.get(source.taskId)?.tis ?? [];
      if (!producers.length || !producers.every((p) => FINISHED_TI_STATES.has(p.state))) return false;
    }
    return true;
  }

  /** Waiting TIs are looked at on every decision: one may have come due. */
  private markWaitingDirty(): void {
    for (const ti of this.waiting) {
      const n = this.byId.get(ti.taskId);
      if (n) this.markDirty(n.index);
    }
  }

  /** Narrows the dirty range to the flags still set after a decision's scan. */
  private resetDirtyRange(): void {
    let min = Infinity;
    let max = -1;
    for (let i = this.dirtyMin; i <= this.dirtyMax && i < this.dirty.length; i++) {
      if (!this.dirty[i]) continue;
      if (i < min) min = i;
      max = i;
    }
    this.dirtyMin = min;
    this.dirtyMax = max;
  }

  private markDirty(index: number): void {
    this.dirty[index] = true;
    if (index < this.dirtyMin) this.dirtyMin = index;
    if (index > this.dirtyMax) this.dirtyMax = index;
  }

  private find(taskId: string, mapIndex: number): TiView | undefined {
    const n = this.byId.get(taskId);
    return n && findTi(n.tis, mapIndex);
  }
}

function zeroCounts(): UpstreamCounts {
  return { success: 0, skipped: 0, failed: 0, upstreamFailed: 0, removed: 0 };
}

function isUnexpanded(n: Node): boolean {
  return n.tis.length === 1 && n.tis[0]!.mapIndex === -1 && n.tis[0]!.state === 'none';
}

/** TIs are kept in map-index order; copies 0..n-1 sit at their index, an unmapped TI alone. */
function findTi(tis: TiView[], mapIndex: number): TiView | undefined {
  const at = tis[mapIndex < 0 ? 0 : mapIndex];
  if (at && at.mapIndex === mapIndex) return at;
  return tis.find((t) => t.mapIndex === mapIndex);
}
