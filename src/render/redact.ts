// Hiding a target's sensitive values (its `sensitive:` paths, e.g. vars.apiKey) wherever they were
// rendered into a task definition, so `deployer render` can be run in a CI log.
import type { Target } from "../config/types.js";
import { isPlainObject, valueAt } from "../config/paths.js";

export const REDACTED = "********";
/** Values shorter than this are not searched for: masking "1" everywhere would hide real data. */
const MIN_LENGTH = 4;

/** The string forms of the target's sensitive values. */
export function sensitiveValues(target: Target): string[] {
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
      const s = String(v);
      if (s.length >= MIN_LENGTH) out.add(s);
    } else if (Array.isArray(v)) v.forEach(add);
    else if (isPlainObject(v)) Object.values(v).forEach(add);
  };
  for (const p of target.sensitive) add(valueAt(target, p.split(".")));
  // Longest first, so a value containing another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/** A copy of `value` with every occurrence of the target's sensitive values replaced by ********. */
export function redactSensitive<T>(value: T, target: Target): T {
  const secrets = sensitiveValues(target);
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return secrets.reduce((s, secret) => s.split(secret).join(REDACTED), v);
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item)]));
    return v;
  };
  return walk(value) as T;
}
