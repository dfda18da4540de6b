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

export type DatasetLike = Dataset | DatasetAll | DatasetAny;

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
  return v instanceof Dataset || v instanceof DatasetAll || v instanceof DatasetAny;
}
