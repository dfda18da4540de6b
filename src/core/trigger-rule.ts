/** Trigger rules: when a task may run, given the states of its direct upstream task instances. */
export const TriggerRule = {
  AllSuccess: 'all_success',
  AllFailed: 'all_failed',
  AllDone: 'all_done',
  AllDoneMinOneSuccess: 'all_done_min_one_success',
  AllSkipped: 'all_skipped',
  OneSuccess: 'one_success',
  OneFailed: 'one_failed',
  OneDone: 'one_done',
  NoneFailed: 'none_failed',
  NoneFailedMinOneSuccess: 'none_failed_min_one_success',
  NoneSkipped: 'none_skipped',
  Always: 'always',
} as const;
export type TriggerRule = (typeof TriggerRule)[keyof typeof TriggerRule];
export const ALL_TRIGGER_RULES: readonly TriggerRule[] = Object.values(TriggerRule);

export function isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === 'string' && (ALL_TRIGGER_RULES as readonly string[]).includes(value);
}

/** How a task's priority weight is summed for the scheduler's queue order. */
export const WeightRule = {
  Downstream: 'downstream',
  Upstream: 'upstream',
  Absolute: 'absolute',
} as const;
export type WeightRule = (typeof WeightRule)[keyof typeof WeightRule];
export const ALL_WEIGHT_RULES: readonly WeightRule[] = Object.values(WeightRule);
