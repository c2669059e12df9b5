// Defaults merging: environments/_defaults.yaml, then _<stage>.yaml, then the target's own file.
// The later layer wins; maps merge deeply; lists and scalars replace — except `sensitive`, which
// adds up: the union of every layer's list (lowest layer first), so a target file that marks
// `vars.apiKey` keeps the `vars.sentryDsn` its _defaults.yaml marked. A layer can add to what is
// sensitive, never take a path away. Every merged value keeps the position of the layer it came
// from, so an error in a value inherited from _defaults.yaml points at _defaults.yaml.
import type { SourceLocation } from "../errors.js";
import { isPlainObject, toDotted, toPointer, type PathSegment } from "./paths.js";
import type { NodeInfo } from "./yaml-source.js";

export interface Layer {
  file: string;
  value: Record<string, unknown>;
  nodes: Map<string, NodeInfo>;
}

export interface MergedLayers {
  value: Record<string, unknown>;
  /** Where the value at a pointer of the merged result was written (the highest layer defining it). */
  locate(pointer: string): NodeInfo | undefined;
  /** Dotted path -> location, for every value in the merged result. */
  locations: Record<string, SourceLocation>;
}

/** Top-level lists that are the union over the layers instead of replaced by the highest one. */
export const UNION_LISTS = ["sensitive"] as const;

export function deepMerge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
      // defineProperty: a key named __proto__ is data, never the object's prototype.
      Object.defineProperty(out, k, {
        value: Object.prototype.hasOwnProperty.call(base, k) ? deepMerge(base[k], v) : v,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    return out;
  }
  return over;
}

/** Where each item of a union list came from: the layer and the item's index in that layer. */
interface UnionSource {
  layer: number;
  index: number;
}

/**
 * The union of `key` over the layers (lowest first, duplicates dropped), with the source of each
 * item. When a layer's value is not a list, that value is kept as it is (the schema then reports it
 * at that layer's line) and no union is made.
 */
function unionList(layers: Layer[], key: string): { value: unknown; sources?: UnionSource[]; from?: number } | undefined {
  const defined = layers.map((l, i) => ({ v: l.value[key], i })).filter((x) => x.v !== undefined);
  if (defined.length === 0) return undefined;
  const notList = defined.find((x) => !Array.isArray(x.v));
  if (notList) return { value: structuredClone(notList.v), from: notList.i };
  const items: unknown[] = [];
  const sources: UnionSource[] = [];
  const seen = new Set<string>();
  for (const { v, i } of defined) {
    (v as unknown[]).forEach((item, index) => {
      const id = JSON.stringify(item);
      if (seen.has(id)) return;
      seen.add(id);
      items.push(structuredClone(item));
      sources.push({ layer: i, index });
    });
  }
  return { value: items, sources };
}

/** Merges layers given lowest priority first. */
export function mergeLayers(layers: Layer[]): MergedLayers {
  let value: Record<string, unknown> = {};
  for (const layer of layers) value = deepMerge(value, structuredClone(layer.value)) as Record<string, unknown>;
  const unions = new Map<string, { sources?: UnionSource[]; from?: number }>();
  for (const key of UNION_LISTS) {
    const u = unionList(layers, key);
    if (!u) continue;
    value[key] = u.value;
    unions.set(key, { sources: u.sources, from: u.from });
  }

  const highest = (pointer: string): NodeInfo | undefined => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const info = layers[i]!.nodes.get(pointer);
      if (info) return info;
    }
    return undefined;
  };
  const locate = (pointer: string): NodeInfo | undefined => {
    const m = /^\/([^/]+)(?:\/(\d+)(\/.*)?)?$/.exec(pointer);
    const union = m ? unions.get(m[1]!) : undefined;
    if (!m || !union) return highest(pointer);
    if (union.from !== undefined) return layers[union.from]!.nodes.get(pointer);
    if (m[2] === undefined) return highest(pointer);
    const src = union.sources?.[Number(m[2])];
    return src ? layers[src.layer]!.nodes.get(`/${m[1]}/${src.index}${m[3] ?? ""}`) : undefined;
  };
  return { value, locate, locations: locationsOf(value, locate) };
}

/** Dotted path -> location for every value of `value`, found with `locate`. */
export function locationsOf(value: unknown, locate: (pointer: string) => NodeInfo | undefined): Record<string, SourceLocation> {
  const locations: Record<string, SourceLocation> = {};
  const visit = (v: unknown, path: PathSegment[]): void => {
    if (path.length > 0) {
      const info = locate(toPointer(path));
      if (info) locations[toDotted(path)] = info.loc;
    }
    if (Array.isArray(v)) v.forEach((item, i) => visit(item, [...path, i]));
    else if (isPlainObject(v)) for (const [k, item] of Object.entries(v)) visit(item, [...path, k]);
  };
  visit(value, []);
  return locations;
}

/**
 * One service's view of an environment (issue 17): the merged top-level fields with the merged
 * `services.KEY` laid over them (maps merge deeply, lists and scalars replace, `sensitive` adds up),
 * `services` itself removed. Every value keeps the location it was written at: an override's at its
 * line under `services:`, an inherited one where the layers put it.
 */
export function overlayService(merged: MergedLayers, key: string): MergedLayers {
  const { services, ...top } = merged.value;
  const over = isPlainObject(services) && isPlainObject(services[key]) ? services[key] : {};
  const prefix = `/services/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  const value = deepMerge(top, structuredClone(over)) as Record<string, unknown>;
  // `sensitive` is the union of the environment's list and the service's.
  let sensitiveSources: string[] | undefined;
  if (Array.isArray(top.sensitive) && Array.isArray(over.sensitive)) {
    const items: unknown[] = [];
    sensitiveSources = [];
    const seen = new Set<string>();
    const add = (list: unknown[], base: string) =>
      list.forEach((item, i) => {
        const id = JSON.stringify(item);
        if (seen.has(id)) return;
        seen.add(id);
        items.push(structuredClone(item));
        sensitiveSources!.push(`${base}/sensitive/${i}`);
      });
    add(top.sensitive, "");
    add(over.sensitive, prefix);
    value.sensitive = items;
  }
  const locate = (pointer: string): NodeInfo | undefined => {
    if (pointer === "") return merged.locate(pointer);
    const m = /^\/sensitive\/(\d+)(\/.*)?$/.exec(pointer);
    if (m && sensitiveSources) {
      const src = sensitiveSources[Number(m[1])];
      return src === undefined ? undefined : merged.locate(src + (m[2] ?? ""));
    }
    return merged.locate(prefix + pointer) ?? merged.locate(pointer);
  };
  return { value, locate, locations: locationsOf(value, locate) };
}
