// Rules for the values of `sensitive:` paths, checked at validate (every command loads through it).
//
// A short secret cannot be kept secret by masking: anything derived from it that an output shows (a
// hash, its length, which branch a template took) lets a reader try every candidate, and a
// 4-digit value takes 10,000 tries. So sensitive values (every leaf under a sensitive path) must be
// at least MIN_SENSITIVE_LENGTH characters; an empty value (nothing set) is allowed.
import { DeployerError } from "../errors.js";
import type { MergedLayers } from "./merge.js";
import { isPlainObject, toDotted, toPointer, type PathSegment } from "./paths.js";

export const MIN_SENSITIVE_LENGTH = 8;

/** The errors for sensitive values shorter than MIN_SENSITIVE_LENGTH in a merged target (never the values). */
export function shortSensitiveValueErrors(target: string, file: string, merged: MergedLayers): DeployerError[] {
  const paths = Array.isArray(merged.value.sensitive) ? merged.value.sensitive.filter((p): p is string => typeof p === "string") : [];
  const out: DeployerError[] = [];
  const seen = new Set<string>();
  const visit = (v: unknown, path: PathSegment[]) => {
    if (Array.isArray(v)) return v.forEach((item, i) => visit(item, [...path, i]));
    if (isPlainObject(v)) return Object.entries(v).forEach(([k, item]) => visit(item, [...path, k]));
    if (v === undefined || v === null || v === "") return;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar here: maps and lists were visited above
    const text = String(v);
    if (Array.from(text).length >= MIN_SENSITIVE_LENGTH) return;
    const dotted = toDotted(path);
    if (seen.has(dotted)) return;
    seen.add(dotted);
    const info = merged.locate(toPointer(path));
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `${dotted} is marked sensitive, but its value (${typeof v === "string" ? "a string" : `a ${typeof v}`}) is shorter than ${MIN_SENSITIVE_LENGTH} characters`,
        target,
        location: info?.loc ?? { file, line: 1, column: 1 },
        field: dotted,
        hint:
          `A value this short can be guessed from anything derived from it (a hash, a length, a template branch), so masking cannot protect it. ` +
          `Use a secret of at least ${MIN_SENSITIVE_LENGTH} characters, or keep it out of the configuration: reference it from AWS Secrets Manager or SSM Parameter Store through the container's \`secrets\` (valueFrom).`,
      }),
    );
  };
  for (const p of paths) {
    const segments = p.split(".");
    let cur: unknown = merged.value;
    for (const s of segments) cur = isPlainObject(cur) ? cur[s] : undefined;
    visit(cur, segments);
  }
  return out;
}
