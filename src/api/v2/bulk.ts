/**
 * Bulk changes (`PATCH /pools`, `/variables`, `/connections`), as Airflow 3 runs them: a list of
 * `create` / `update` / `delete` actions, each over several entities. Every action is checked
 * before it changes anything: with the default `fail`, one entity that already exists (create)
 * or does not (update, delete) makes the whole action an error and applies none of it; `skip`
 * leaves such entities out; `overwrite` (create) replaces them. The answer lists, per action
 * kind, the keys that succeeded and the errors.
 */

/** What one kind of resource offers to bulk actions. */
export interface BulkTarget<E> {
  /** The key of an entity (or of a bare key, for deletes). */
  key(entity: E | string): string;
  exists(key: string): Promise<boolean>;
  create(entity: E): Promise<void>;
  update(entity: E, mask: string[] | null): Promise<void>;
  remove(key: string): Promise<void>;
  /** Why this entity may not take part in this action (checked before anything changes), or undefined. */
  refuse?(action: 'create' | 'update' | 'delete', key: string): string | undefined;
  /** Called after each applied entity, for the audit log. */
  applied?(action: 'create' | 'update' | 'delete', key: string): Promise<void>;
}

interface Action<E> {
  action: 'create' | 'update' | 'delete';
  entities: Array<E | string>;
  action_on_existence?: 'fail' | 'skip' | 'overwrite';
  action_on_non_existence?: 'fail' | 'skip';
  update_mask?: string[] | null;
}

type Outcome = { success: string[]; errors: Array<{ error: string; status_code: number }> };

/** Runs the actions in order; returns the BulkResponse shape. */
export async function runBulk<E>(actions: Array<Action<E>>, target: BulkTarget<E>, what: string): Promise<Partial<Record<Action<E>['action'], Outcome>>> {
  const out: Partial<Record<Action<E>['action'], Outcome>> = {};
  for (const a of actions) {
    const result = (out[a.action] ??= { success: [], errors: [] });
    const keys = a.entities.map((e) => target.key(e));
    const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
    if (dupes.length) {
      result.errors.push({ error: `The ${what}s ${[...new Set(dupes)].join(', ')} appear more than once in one action.`, status_code: 400 });
      continue;
    }
    const refusals = keys.map((k) => target.refuse?.(a.action, k)).filter((r): r is string => r !== undefined);
    if (refusals.length) {
      result.errors.push({ error: refusals.join('; '), status_code: 400 });
      continue;
    }
    const present = new Map<string, boolean>();
    for (const k of keys) present.set(k, await target.exists(k));
    if (a.action === 'create') {
      const clash = keys.filter((k) => present.get(k));
      if (clash.length && (a.action_on_existence ?? 'fail') === 'fail') {
        result.errors.push({ error: `The ${what}s with these keys already exist: ${clash.join(', ')}`, status_code: 409 });
        continue;
      }
      for (const e of a.entities) {
        const k = target.key(e);
        if (present.get(k) && a.action_on_existence === 'skip') continue;
        if (present.get(k)) await target.update(e as E, null);
        else await target.create(e as E);
        result.success.push(k);
        await target.applied?.('create', k);
      }
      continue;
    }
    const missing = keys.filter((k) => !present.get(k));
    if (missing.length && (a.action_on_non_existence ?? 'fail') === 'fail') {
      result.errors.push({ error: `The ${what}s with these keys were not found: ${missing.join(', ')}`, status_code: 404 });
      continue;
    }
    for (const e of a.entities) {
      const k = target.key(e);
      if (!present.get(k)) continue;
      if (a.action === 'update') await target.update(e as E, a.update_mask ?? null);
      else await target.remove(k);
      result.success.push(k);
      await target.applied?.(a.action, k);
    }
  }
  return out;
}
