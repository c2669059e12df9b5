// The redaction rule (src/render/redact.ts) applied to plans: which changes are sensitive, a change as
// outputs show it, and the whole plan as every output must show it. The sensitive values a plan was
// built with stay in memory beside it (never serialised).
import type { FieldChange, Plan, TargetPlan } from "./types.js";
import {
  REDACTED,
  mergeSensitiveValues,
  redactTaskDefinition,
  scrubDeep,
  scrubString,
  valueIsSensitive,
  isSecretName,
} from "../render/redact.js";

/** Marks changes sensitive: secret-looking env names, or a value containing a sensitive value. */
export function markSensitiveChanges(changes: FieldChange[], values: readonly string[]): FieldChange[] {
  return changes.map((c) => {
    const envName = /\.environment(?:\.|\[")(.+?)(?:"\])?$/.exec(c.path)?.[1];
    const sensitive =
      (envName !== undefined && isSecretName(envName)) || valueIsSensitive(c.before, values) || valueIsSensitive(c.after, values);
    return sensitive ? { ...c, sensitive: true } : { ...c };
  });
}

/** A change as outputs show it: before/after replaced when sensitive, every string scrubbed. */
export function redactChange(change: FieldChange, values: readonly string[]): FieldChange {
  if (change.sensitive) {
    const out: FieldChange = { path: scrubString(change.path, values), kind: change.kind, sensitive: true };
    if (change.kind !== "added") out.before = REDACTED;
    if (change.kind !== "removed") out.after = REDACTED;
    return out;
  }
  return scrubDeep(change, values) as FieldChange;
}

const planSensitiveValues = new WeakMap<Plan, string[]>();

/** Attach the sensitive values a plan was built with (kept in memory only, never serialised). */
export function rememberSensitiveValues(plan: Plan, values: readonly string[]): void {
  planSensitiveValues.set(plan, [...values]);
}

/** The sensitive values buildPlan attached to this plan ([] for a plan read from a file). */
export function sensitiveValuesOf(plan: Plan): string[] {
  return planSensitiveValues.get(plan) ?? [];
}

/**
 * The plan as every output must show it: desired definitions redacted at `sensitivePaths`, sensitive
 * changes replaced by "(sensitive)", and every string scrubbed of every sensitive value (of every
 * target: one target's secret must not leak through another's output either).
 */
export function redactPlanForOutput(plan: Plan, sensitiveValues: readonly string[] = sensitiveValuesOf(plan)): Plan {
  const values = mergeSensitiveValues(sensitiveValues, sensitiveValuesOf(plan));
  const targets: TargetPlan[] = plan.targets.map((t) => {
    const redacted: TargetPlan = {
      ...t,
      desired: redactTaskDefinition(t.desired, t.sensitivePaths, values),
      diff: t.diff.map((c) => redactChange(c, values)),
    };
    return scrubDeep(redacted, values) as TargetPlan;
  });
  const { targets: _omit, ...rest } = plan;
  const out = { ...(scrubDeep(rest, values) as Omit<Plan, "targets">), targets } as Plan;
  rememberSensitiveValues(out, values);
  return out;
}
