/**
 * Decides whether a task instance's trigger rule is met, from the counts of its finished
 * direct upstream task instances. Mirrors Airflow 2.10's trigger_rule_dep, including the
 * early decisions (upstream_failed / skipped / removed) taken before every parent is done.
 * `all_done_min_one_success` follows its later Airflow definition (3.1).
 */
import type { TaskInstanceState } from './states.ts';
import type { TriggerRule } from './trigger-rule.ts';

/** Counts of finished upstream task instances by state. */
export interface UpstreamCounts {
  success: number;
  skipped: number;
  failed: number;
  upstreamFailed: number;
  removed: number;
}

export interface TriggerRuleInput {
  rule: TriggerRule;
  /** Number of upstream task instances (expanded mapped upstreams count each copy). */
  upstream: number;
  counts: UpstreamCounts;
  /** The evaluated TI's map index (-1 when not mapped). */
  mapIndex: number;
  /** When false (Airflow's `flag_upstream_failed=False`), no early state is ever decided. */
  flagUpstreamFailed?: boolean;
}

export type TriggerRuleDecision =
  | { met: true }
  | { met: false; setState?: Extract<TaskInstanceState, 'upstream_failed' | 'skipped' | 'removed'>; reason: string };

export function countUpstream(states: Iterable<TaskInstanceState>): UpstreamCounts {
  const c: UpstreamCounts = { success: 0, skipped: 0, failed: 0, upstreamFailed: 0, removed: 0 };
  for (const s of states) {
    if (s === 'success') c.success++;
    else if (s === 'skipped') c.skipped++;
    else if (s === 'failed') c.failed++;
    else if (s === 'upstream_failed') c.upstreamFailed++;
    else if (s === 'removed') c.removed++;
  }
  return c;
}

export function evaluateTriggerRule(input: TriggerRuleInput): TriggerRuleDecision {
  const { rule, upstream, counts, mapIndex } = input;
  if (rule === 'always' || upstream === 0) return { met: true };
  const { success, skipped, failed, upstreamFailed, removed } = counts;
  const done = success + skipped + failed + upstreamFailed + removed;
  const upstreamDone = done >= upstream;
  const mapped = mapIndex > -1;
  const describe = () => `upstream=${upstream} success=${success} skipped=${skipped} failed=${failed} upstream_failed=${upstreamFailed} removed=${removed}`;

  if (input.flagUpstreamFailed !== false) {
    const early = earlyState(rule, { ...counts, done, upstream, upstreamDone, mapIndex });
    if (early) return { met: false, setState: early, reason: `trigger rule '${rule}' decided ${early}: ${describe()}` };
  }

  const wait = (why: string): TriggerRuleDecision => ({ met: false, reason: `trigger rule '${rule}' ${why}: ${describe()}` });
  switch (rule) {
    case 'one_success':
      return success > 0 ? { met: true } : wait('needs one upstream success');
    case 'one_failed':
      return failed > 0 || upstreamFailed > 0 ? { met: true } : wait('needs one upstream failure');
    case 'one_done':
      return success + failed > 0 ? { met: true } : wait('needs one upstream success or failure');
    case 'all_success': {
      const nonSuccess = upstream - success - (mapped ? removed : 0);
      return nonSuccess > 0 ? wait('needs every upstream to succeed') : { met: true };
    }
    case 'all_failed': {
      const nonFailed = upstream - failed - upstreamFailed - (mapped ? removed : 0);
      return nonFailed > 0 ? wait('needs every upstream to fail') : { met: true };
    }
    case 'all_done':
      return upstreamDone ? { met: true } : wait('needs every upstream to finish');
    case 'all_done_min_one_success':
      return upstreamDone && success > 0 ? { met: true } : wait('needs every upstream to finish and one to succeed');
    case 'none_failed':
    case 'none_failed_min_one_success': {
      const bad = upstream - success - skipped - (mapped ? removed : 0);
      return bad > 0 ? wait('needs every upstream to succeed or skip') : { met: true };
    }
    case 'none_skipped':
      return !upstreamDone || skipped > 0 ? wait('needs every upstream to finish without a skip') : { met: true };
    case 'all_skipped':
      return upstream - skipped > 0 ? wait('needs every upstream to be skipped') : { met: true };
    default: {
      const unknown: never = rule;
      return wait(`is unknown (${String(unknown)})`);
    }
  }
}

interface EarlyInput extends UpstreamCounts {
  done: number;
  upstream: number;
  upstreamDone: boolean;
  mapIndex: number;
}

function earlyState(rule: TriggerRule, c: EarlyInput): 'upstream_failed' | 'skipped' | 'removed' | undefined {
  switch (rule) {
    case 'all_success':
      if (c.upstreamFailed || c.failed) return 'upstream_failed';
      if (c.skipped) return 'skipped';
      if (c.removed && c.success && c.mapIndex > -1 && c.mapIndex >= c.success) return 'removed';
      return undefined;
    case 'all_failed':
      return c.success || c.skipped ? 'skipped' : undefined;
    case 'one_success':
      if (c.upstreamDone && c.done === c.skipped) return 'skipped';
      if (c.upstreamDone && c.success <= 0) return 'upstream_failed';
      return undefined;
    case 'one_failed':
      return c.upstreamDone && !(c.failed || c.upstreamFailed) ? 'skipped' : undefined;
    case 'one_done':
      return c.upstreamDone && !(c.failed || c.success) ? 'skipped' : undefined;
    case 'none_failed':
      return c.upstreamFailed || c.failed ? 'upstream_failed' : undefined;
    case 'none_failed_min_one_success':
      if (c.upstreamFailed || c.failed) return 'upstream_failed';
      if (c.skipped === c.upstream) return 'skipped';
      return undefined;
    case 'none_skipped':
      return c.skipped ? 'skipped' : undefined;
    case 'all_skipped':
      return c.success || c.failed || c.upstreamFailed ? 'skipped' : undefined;
    case 'all_done_min_one_success':
      if (c.skipped) return 'skipped';
      if (c.upstreamDone && c.success === 0) return 'upstream_failed';
      return undefined;
    case 'all_done':
    case 'always':
      return undefined;
    default: {
      const unknown: never = rule;
      return unknown;
    }
  }
}
