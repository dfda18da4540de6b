/** Datasets: logical data a task updates (outlets) and a DAG can be scheduled on. */
import type { DatasetCondition } from '../core/serialized-dag.ts';

const URI_RE = /^[A-Za-z0-9][A-Za-z0-9+.-]*:\/\/\S*$|^[^\s:]+$/;

export class Dataset {
  readonly uri: string;
  readonly extra: Record<string, unknown>;
  constructor(uri: string, extra: Record<string, unknown> = {}) {
    if (typeof uri !== 'string' || uri.trim() === '' || !URI_RE.test(uri)) {
      throw new TypeError(`Dataset URI ${JSON.stringify(uri)} is not valid: use a non-empty string such as "s3://bucket/key" or "warehouse.labeled_projects"`);
    }
    this.uri = uri;
    this.extra = extra;
  }
  /** Both this and the other condition must have new events (Airflow's `&`). */
  and(...others: DatasetLike[]): DatasetAll {
    return new DatasetAll([this, ...others]);
  }
  /** Either condition having new events is enough (Airflow's `|`). */
  or(...others: DatasetLike[]): DatasetAny {
    return new DatasetAny([this, ...others]);
  }
  toCondition(): DatasetCondition {
    return { uri: this.uri };
  }
}

/**
 * An asset alias (Airflow 3's `AssetAlias`): a name a task lists among its outlets when the
 * assets it updates are only known at run time. The task adds events through it
 * (`ctx.outletEvents.get(alias).add(asset, { extra })`); each adds an event for that asset and
 * resolves the alias to it. A DAG scheduled on the alias runs on the events of the assets it has
 * resolved to.
 */
export class AssetAlias {
  readonly name: string;
  /** Its group, as Airflow shows it: always "asset". */
  readonly group = 'asset';
  constructor(name: string) {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new TypeError(`Asset alias name ${JSON.stringify(name)} is not valid: use a non-empty string such as new AssetAlias("daily-exports")`);
    }
    this.name = name;
  }
  /** Both this and the other condition must have new events (Airflow's `&`). */
  and(...others: DatasetLike[]): DatasetAll {
    return new DatasetAll([this, ...others]);
  }
  /** Either condition having new events is enough (Airflow's `|`). */
  or(...others: DatasetLike[]): DatasetAny {
    return new DatasetAny([this, ...others]);
  }
  toCondition(): DatasetCondition {
    return { alias: this.name };
  }
}

export type DatasetLike = Dataset | AssetAlias | DatasetAll | DatasetAny;

export class DatasetAll {
  constructor(readonly members: DatasetLike[]) {}
  and(...others: DatasetLike[]): DatasetAll {
    return new DatasetAll([...this.members, ...others]);
  }
  or(...others: DatasetLike[]): DatasetAny {
    return new DatasetAny([this, ...others]);
  }
  toCondition(): DatasetCondition {
    return { all: this.members.map((m) => m.toCondition()) };
  }
}

export class DatasetAny {
  constructor(readonly members: DatasetLike[]) {}
  or(...others: DatasetLike[]): DatasetAny {
    return new DatasetAny([...this.members, ...others]);
  }
  and(...others: DatasetLike[]): DatasetAll {
    return new DatasetAll([this, ...others]);
  }
  toCondition(): DatasetCondition {
    return { any: this.members.map((m) => m.toCondition()) };
  }
}

export function isDatasetLike(v: unknown): v is DatasetLike {
  return v instanceof Dataset || v instanceof AssetAlias || v instanceof DatasetAll || v instanceof DatasetAny;
}
