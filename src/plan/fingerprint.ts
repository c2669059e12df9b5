// The identity of a task definition's content: sha256 of its canonical normalised JSON. Two
// definitions with the same fingerprint are the same to ECS (see normalise.ts), whatever their key
// order, their environment order, or the defaults ECS filled in.
import { createHash } from "node:crypto";
import { canonicalJson, normaliseTaskDefinition } from "./normalise.js";

/** `sha256:` followed by 64 hex characters. */
export function fingerprint(def: Record<string, unknown>): string {
  return `sha256:${createHash("sha256").update(canonicalJson(normaliseTaskDefinition(def))).digest("hex")}`;
}

/** True when both definitions are identical after normalisation. */
export function sameTaskDefinition(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonicalJson(normaliseTaskDefinition(a)) === canonicalJson(normaliseTaskDefinition(b));
}
