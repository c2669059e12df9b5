// Field-level differences between the live task definition and the desired one, both normalised
// first (normalise.ts) so that only real changes show. Paths are what a reviewer reads:
//   cpu                                   task-level field
//   runtimePlatform.cpuArchitecture       nested task-level field
//   containers[app]                       a container added or removed (whole value)
//   containers[app].image                 a container field
//   containers[app].environment.LOG_LEVEL one environment variable (by name)
//   containers[app].secrets.DATABASE_URL  one secret, by its valueFrom (never a secret value)
//   containers[app].logConfiguration.options.awslogs-group
//   containers[app].dockerLabels["com.example.team"]   keys that contain dots or brackets are quoted
//   volumes[data]                         a volume added or removed; volumes[data].host.sourcePath …
// Lists other than those (portMappings, command, …) compare as whole values.
import type { FieldChange } from "./types.js";
import { canonicalJson, normaliseTaskDefinition } from "../ecs/normalise.js";

type Leaves = Map<string, unknown>;

export function diffTaskDefinitions(live: Record<string, unknown> | undefined, desired: Record<string, unknown>): FieldChange[] {
  const before = live === undefined ? new Map<string, unknown>() : flattenTaskDefinition(normaliseTaskDefinition(live));
  const after = flattenTaskDefinition(normaliseTaskDefinition(desired));
  // A container (or volume) on both sides diffs field by field; on one side only, as one value.
  for (const path of [...before.keys()]) {
    if (!isBlockPath(path) || !after.has(path)) continue;
    const b = before.get(path) as Record<string, unknown>;
    const a = after.get(path) as Record<string, unknown>;
    before.delete(path);
    after.delete(path);
    const flatten = path.startsWith("containers[") ? flattenContainer : flattenBlock;
    flatten(path, b, before);
    flatten(path, a, after);
  }
  const changes: FieldChange[] = [];
  const paths = new Set([...before.keys(), ...after.keys()]);
  for (const path of paths) {
    const hasBefore = before.has(path);
    const hasAfter = after.has(path);
    if (hasBefore && hasAfter) {
      const b = before.get(path);
      const a = after.get(path);
      if (canonicalJson(b) !== canonicalJson(a)) changes.push({ path, kind: "changed", before: b, after: a });
    } else if (hasAfter) {
      changes.push({ path, kind: "added", after: after.get(path) });
    } else {
      changes.push({ path, kind: "removed", before: before.get(path) });
    }
  }
  return changes.sort((x, y) => comparePaths(x.path, y.path));
}

/**
 * A normalised definition as path -> value: task-level fields flattened through nested maps, each
 * container as one `containers[NAME]` leaf and each volume as one `volumes[NAME]` leaf.
 */
export function flattenTaskDefinition(def: Record<string, unknown>): Leaves {
  const leaves: Leaves = new Map();
  for (const [key, value] of Object.entries(def)) {
    if (key === "containerDefinitions" && Array.isArray(value)) {
      for (const c of value) if (isObject(c)) leaves.set(`containers${nameSegment(c.name)}`, c);
    } else if (key === "volumes" && Array.isArray(value)) {
      for (const v of value) if (isObject(v)) leaves.set(`volumes${nameSegment(v.name)}`, v);
    } else {
      flattenValue(key, value, leaves);
    }
  }
  return leaves;
}

function isBlockPath(path: string): boolean {
  return /^(containers|volumes)\[.*\]$/.test(path);
}

function nameSegment(name: unknown): string {
  return `[${String(name)}]`;
}

function flattenBlock(prefix: string, block: Record<string, unknown>, leaves: Leaves): void {
  for (const [key, value] of Object.entries(block)) {
    if (key === "name") continue;
    flattenValue(`${prefix}${keySegment(key)}`, value, leaves);
  }
}

function flattenValue(path: string, value: unknown, leaves: Leaves): void {
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flattenValue(`${path}${keySegment(k)}`, v, leaves);
  } else {
    leaves.set(path, value);
  }
}

function flattenContainer(prefix: string, container: Record<string, unknown>, leaves: Leaves): void {
  for (const [key, value] of Object.entries(container)) {
    if (key === "name") continue;
    const path = `${prefix}${keySegment(key)}`;
    if (key === "environment" && Array.isArray(value)) {
      for (const e of value) if (isObject(e)) leaves.set(`${path}${keySegment(String(e.name))}`, e.value);
    } else if (key === "secrets" && Array.isArray(value)) {
      for (const s of value) if (isObject(s)) leaves.set(`${path}${keySegment(String(s.name))}`, s.valueFrom);
    } else {
      flattenValue(path, value, leaves);
    }
  }
}

function keySegment(key: string): string {
  return /[.[\]"\s]/.test(key) || key === "" ? `[${JSON.stringify(key)}]` : `.${key}`;
}

/** Task-level fields first, then containers, then volumes; alphabetical within each. */
function comparePaths(a: string, b: string): number {
  const rank = (p: string) => (p.startsWith("containers[") ? 1 : p.startsWith("volumes[") ? 2 : 0);
  const d = rank(a) - rank(b);
  if (d !== 0) return d;
  return a < b ? -1 : a > b ? 1 : 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
