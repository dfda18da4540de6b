/**
 * `ctx.outletEvents`: the asset events a task adds at run time through the asset aliases among
 * its outlets. Events are kept in the try and reported only when it succeeds; the same asset and
 * extra added through several aliases become one event linked to each alias (as in Airflow).
 */
import type { AssetAliasEventAccessor, AssetEventExtra, OutletEventAccessors } from '../sdk/context.ts';
import type { AssetAlias, Dataset } from '../sdk/dataset.ts';
import type { AliasAssetEvent } from './try-result.ts';

export interface OutletEvents {
  accessors: OutletEventAccessors;
  /** The events added so far, grouped by asset and extra. */
  collect(): AliasAssetEvent[];
}

export function createOutletEvents(taskId: string, outletUris: readonly string[], aliasNames: readonly string[]): OutletEvents {
  const known = new Set(aliasNames);
  const added = new Map<string, AliasAssetEvent>();
  const accessors: OutletEventAccessors = {
    get(alias: AssetAlias): AssetAliasEventAccessor {
      const name = (alias as { name?: unknown } | null)?.name;
      if (typeof name !== 'string' || !known.has(name)) {
        const declared = [...aliasNames.map((n) => `AssetAlias("${n}")`), ...outletUris.map((u) => `"${u}"`)];
        throw new TypeError(`task '${taskId}' can add events only through an asset alias among its outlets; ${typeof name === 'string' ? `AssetAlias("${name}") is not one` : `got ${describe(alias)}`} (its outlets: ${declared.join(', ') || 'none'})`);
      }
      return {
        alias,
        add(asset: Dataset, options: { extra?: AssetEventExtra } = {}) {
          const uri = (asset as { uri?: unknown } | null)?.uri;
          if (typeof uri !== 'string' || uri === '') throw new TypeError(`outletEvents.get(AssetAlias("${name}")).add() takes an Asset (or Dataset), got ${describe(asset)}`);
          const extra = checkExtra(name, options.extra);
          const key = `${uri}\u0000${JSON.stringify(extra)}`;
          const event = added.get(key) ?? added.set(key, { uri, extra, aliases: [] }).get(key)!;
          if (!event.aliases.includes(name)) event.aliases.push(name);
        },
      };
    },
  };
  return { accessors, collect: () => [...added.values()].map((e) => ({ ...e, aliases: [...e.aliases] })) };
}

function checkExtra(alias: string, extra: unknown): Record<string, unknown> {
  if (extra === undefined) return {};
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) throw new TypeError(`the extra of an event added through AssetAlias("${alias}") must be a JSON object, got ${describe(extra)}`);
  let text: string;
  try {
    text = JSON.stringify(extra);
  } catch (e) {
    throw new TypeError(`the extra of an event added through AssetAlias("${alias}") is not JSON: ${(e as Error).message}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : `${typeof v} ${JSON.stringify(v)}`;
}
