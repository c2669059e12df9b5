// Comparing the targets of one stage with each other "on everything but their environment-specific
// values" needs a definition of environment-specific. Here it is:
//
//   A value is environment-specific in a stage when it comes from the target's own configuration and
//   differs between the targets of that stage: the target name (always), account, region, cluster,
//   service, deploy/task/execution role ARNs, externalId, the image repository the target pulls from
//   (its replica, or the central one), and every `vars` leaf (`vars.cpu`, `vars.log.level`).
//   A field with one value across the stage is NOT environment-specific there: it is compared.
//
// Each target's live task definition is normalised (the plan's normaliseTaskDefinition), then every
// occurrence of its own environment-specific values is replaced by a placeholder (`{account}`,
// `{vars.cpu}`), so `arn:aws:ssm:eu-west-1:444444444444:parameter/x` and
// `arn:aws:ssm:us-east-1:555555555555:parameter/x` both read `arn:aws:ssm:{region}:{account}:parameter/x`.
// Occurrences are matched on boundaries (not inside a longer word or number), longest value first, in
// one pass (a placeholder is never re-scanned). Values shorter than MIN_MASK_LENGTH characters are not
// masked: `2` or `on` would collide with unrelated fields (a health-check retry count); when such a var
// differs between targets and reaches the task definition, it shows as a difference, which it is.
// Object keys are not masked.
import type { Project, Target } from "../config/types.js";
import { targetImageRepository } from "../render/render.js";

export const MIN_MASK_LENGTH = 3;

/** The configuration values of a target that may be environment-specific, field -> value. */
export function environmentValues(project: Project, target: Target): Map<string, string> {
  const out = new Map<string, string>();
  const put = (field: string, v: unknown) => {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out.set(field, String(v));
  };
  // The environment (what `{{target.name}}` renders; with several services a unit is named ENV/SERVICE).
  put("target", target.env);
  put("account", target.account);
  put("region", target.region);
  put("cluster", target.cluster);
  put("service", target.service);
  put("deployRole", target.deployRole);
  put("externalId", target.externalId);
  put("taskRole", target.taskRole);
  put("executionRole", target.executionRole);
  put("imageRepository", targetImageRepository(project, target));
  const walk = (prefix: string, v: unknown) => {
    if (Array.isArray(v)) v.forEach((item, i) => walk(`${prefix}[${i}]`, item));
    else if (v !== null && typeof v === "object") for (const [k, item] of Object.entries(v)) walk(`${prefix}.${k}`, item);
    else put(prefix, v);
  };
  walk("vars", target.vars);
  return out;
}

/** Fields whose value is not the same for every target given (a field missing in some counts as differing). */
export function environmentSpecificFields(project: Project, targets: readonly Target[]): string[] {
  const values = targets.map((t) => environmentValues(project, t));
  const fields = new Set(values.flatMap((v) => [...v.keys()]));
  const out: string[] = [];
  for (const f of fields) {
    const seen = new Set(values.map((v) => v.get(f)));
    if (seen.size > 1 || f === "target") out.push(f);
  }
  return out.sort();
}

export interface Mask {
  placeholder: string;
  value: string;
}

/** The masks of one target for the given environment-specific fields, longest value first. */
export function masksFor(project: Project, target: Target, fields: readonly string[]): Mask[] {
  const values = environmentValues(project, target);
  const masks: Mask[] = [];
  for (const f of fields) {
    const v = values.get(f);
    if (v !== undefined && v.length >= MIN_MASK_LENGTH) masks.push({ placeholder: `{${f}}`, value: v });
  }
  return masks.sort((a, b) => b.value.length - a.value.length || (a.placeholder < b.placeholder ? -1 : 1));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A copy of a JSON value with every masked value (in strings, and numbers equal to one) replaced by its placeholder. */
export function maskEnvironment<T>(value: T, masks: readonly Mask[]): T {
  if (masks.length === 0) return structuredClone(value);
  const byValue = new Map<string, string>();
  for (const m of masks) if (!byValue.has(m.value)) byValue.set(m.value, m.placeholder);
  const pattern = new RegExp(`(?<![A-Za-z0-9])(?:${[...byValue.keys()].map(escapeRegExp).join("|")})(?![A-Za-z0-9])`, "g");
  const visit = (v: unknown): unknown => {
    if (typeof v === "string") return v.replace(pattern, (m) => byValue.get(m) ?? m);
    if (typeof v === "number") return byValue.get(String(v)) ?? v;
    if (Array.isArray(v)) return v.map(visit);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = visit(item);
      return out;
    }
    return v;
  };
  return visit(value) as T;
}
