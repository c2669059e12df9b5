// Defaults merging: environments/_defaults.yaml, then _<stage>.yaml, then the target's own file.
// The later layer wins; maps merge deeply; lists and scalars replace. Every merged value keeps the
// position of the layer it came from, so an error in a value inherited from _defaults.yaml points
// at _defaults.yaml.
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

export function deepMerge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
      // defineProperty: a key named __proto__ is data, never the object's prototype.
      Object.defineProperty(out, k, { value: Object.prototype.hasOwnProperty.call(base, k) ? deepMerge(base[k], v) : v, writable: true, enumerable: true, configurable: true });
    }
    return out;
  }
  return over;
}

/** Merges layers given lowest priority first. */
export function mergeLayers(layers: Layer[]): MergedLayers {
  let value: Record<string, unknown> = {};
  for (const layer of layers) value = deepMerge(value, structuredClone(layer.value)) as Record<string, unknown>;
  const locate = (pointer: string): NodeInfo | undefined => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const info = layers[i]!.nodes.get(pointer);
      if (info) return info;
    }
    return undefined;
  };
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
  return { value, locate, locations };
}
