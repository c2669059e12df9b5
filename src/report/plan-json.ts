// `deployer plan --output json`: the plan in the documented shape of schemas/plan.schema.json,
// redacted (sensitive fields read "(sensitive)"), keys in a stable order, per-target checks with
// verdicts and the desired task definition included.
import type { Plan } from "../plan/types.js";
import { redactPlanForOutput } from "../plan/redact-plan.js";
import { jsonText } from "./escape.js";

/** The plan as a JSON-safe object, redacted, with its keys in a stable order. */
export function planToJson(plan: Plan, sensitiveValues?: readonly string[]): Plan {
  return orderPlan(redactPlanForOutput(plan, sensitiveValues));
}

/** planToJson as pretty-printed text with a trailing newline. */
export function planToJsonText(plan: Plan, sensitiveValues?: readonly string[]): string {
  return `${jsonText(planToJson(plan, sensitiveValues), 2)}\n`;
}

const PLAN_KEYS = [
  "formatVersion",
  "deployerVersion",
  "createdAt",
  "runId",
  "service",
  "image",
  "images",
  "stages",
  "summary",
  "writeCapableReads",
  "promotion",
  "targets",
] as const;
const TARGET_KEYS = [
  "target",
  "action",
  "imageRef",
  "fingerprint",
  "live",
  "diff",
  "steps",
  "checks",
  "sensitivePaths",
  "desired",
] as const;

function pick<T extends object>(o: T, keys: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  for (const [k, v] of Object.entries(o)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as T;
}

function orderPlan(plan: Plan): Plan {
  const ordered = pick(plan, PLAN_KEYS);
  ordered.targets = plan.targets.map((t) => pick(t, TARGET_KEYS));
  return ordered;
}
