/**
 * Assets, Airflow 3's name for datasets: `Asset` is a `Dataset` with a name (default: its URI)
 * and a group, usable everywhere a dataset is (outlets, schedules, `.and()` / `.or()`), and
 * `Dataset` stays as it was. `asset()` defines an asset together with the DAG that produces it,
 * like Airflow's `@asset`: a DAG named after the asset, with one task of the same name whose
 * success records an event for the asset. The value it returns is the asset, so other DAGs can
 * schedule on it; the DAG file's loader finds its DAG.
 */
import { dag, type Dag, type DagOptions } from './dag.ts';
import { AssetAlias, Dataset, DatasetAll, DatasetAny, type DatasetLike } from './dataset.ts';

export { AssetAlias };
import type { TaskContext } from './context.ts';
import { task } from './taskflow.ts';
import type { TaskOptions } from './task-options.ts';

/** What an asset is called and where it lives. */
export interface AssetOptions {
  /** Its name; default: the URI. */
  name?: string;
  /** Where it lives, e.g. "s3://bucket/orders"; default: the name. */
  uri?: string;
  /** A group for display; default "asset". */
  group?: string;
  extra?: Record<string, unknown>;
}

/** A piece of data tasks produce (outlets) and DAGs can be scheduled on. */
export class Asset extends Dataset {
  readonly name: string;
  readonly group: string;
  constructor(uriOrOptions: string | AssetOptions, extra: Record<string, unknown> = {}) {
    const o = typeof uriOrOptions === 'string' ? { uri: uriOrOptions } : uriOrOptions;
    const uri = o.uri ?? o.name;
    if (uri === undefined) throw new TypeError('An asset needs a name or a URI, e.g. new Asset({ name: "orders", uri: "s3://bucket/orders" })');
    super(uri, o.extra ?? extra);
    this.name = o.name ?? uri;
    this.group = o.group ?? 'asset';
  }
}

/** Every one of these assets must have new events (Airflow's `&`). */
export const AssetAll = DatasetAll;
/** Any one of these assets having new events is enough (Airflow's `|`). */
export const AssetAny = DatasetAny;
/** An asset or a condition on assets. */
export type AssetLike = DatasetLike;

/** An asset defined with the DAG that produces it (see `asset()`). */
export class AssetDefinition extends Asset {
  constructor(
    o: AssetOptions,
    /** The DAG that materializes the asset. */
    readonly dag: Dag,
  ) {
    super(o);
  }
}

/** What `asset()` takes: the asset's name and URI, its DAG's options, and its task's options. */
export interface AssetDefinitionOptions extends Omit<AssetOptions, 'name'>, Omit<DagOptions, 'id'> {
  /** The asset's name, also its DAG's and task's id. */
  name: string;
  /** Options of the task that produces the asset (retries, pool…). */
  task?: Omit<TaskOptions, 'outlets'>;
}

/** True for values `asset()` returned. */
export function isAssetDefinition(v: unknown): v is AssetDefinition {
  return v instanceof AssetDefinition;
}

/**
 * Defines an asset and the DAG that produces it: `fn` runs as the DAG's one task, and each
 * success records an event for the asset.
 *
 * ```ts
 * export const rawOrders = asset({ name: 'raw_orders', uri: 's3://lake/raw_orders', schedule: '@daily' }, async (ctx) => { … });
 * export const report = dag({ id: 'report', schedule: [rawOrders] }, () => { … });
 * ```
 */
export function asset<R>(options: AssetDefinitionOptions, fn: (ctx: TaskContext) => R | Promise<R>): AssetDefinition {
  const { name, uri, group, extra, task: taskOptions, ...dagOptions } = options;
  const target = new Asset({ name, uri, group, extra });
  const d = dag({ ...dagOptions, id: name }, () => {
    task({ ...taskOptions, taskId: name, outlets: [target] }, async (_: void, ctx: TaskContext) => fn(ctx))();
  });
  // Where the DAG is defined: the loader sets the file that exported it.
  d.fileloc = null;
  return new AssetDefinition({ name, uri: target.uri, group, extra }, d);
}
