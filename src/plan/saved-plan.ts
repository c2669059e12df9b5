// Saved plans (read back and checked; src/report/plan-file.ts writes them): `deployer plan --out-plan FILE`, then `deployer rollout --plan FILE` applies exactly that
// plan, like `terraform apply PLAN`.
//
// A saved plan never holds a secret value: it stores the REDACTED desired definition plus its
// fingerprint (computed on the unredacted one). `rollout --plan` re-renders from the configuration,
// re-observes, and requires the same fingerprint, live task definition, image digest and targets
// (checkPlanStillValid): a changed config or a moved service makes the plan stale.
import { readFile } from "node:fs/promises";
import type { ErrorObject } from "ajv";
import { plan as validatePlan } from "../config/generated/schema-validators.js";
import { DeployerError, errorMessage } from "../errors.js";
import type { Plan } from "./types.js";

export const PLAN_FORMAT_VERSION = 1;

/** schemas/plan.schema.json, precompiled (scripts/generate-validators.mjs). */
function validatePlanShape(value: unknown): ErrorObject[] {
  return validatePlan(value) ? [] : [...(validatePlan.errors ?? [])];
}

/** The errors of a value against schemas/plan.schema.json, as `pointer: message` lines ([] = valid). */
export function planSchemaErrors(value: unknown): string[] {
  return validatePlanShape(value).map((e) => `${e.instancePath || "/"}: ${e.message ?? "is invalid"}${describeParams(e)}`);
}

function describeParams(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === "additionalProperties" && typeof p.additionalProperty === "string") return ` (${p.additionalProperty})`;
  if (e.keyword === "enum" && Array.isArray(p.allowedValues)) return ` (${p.allowedValues.join(", ")})`;
  return "";
}

/** Parses and validates a saved plan. Throws DeployerError PLAN_INVALID naming the file and what is wrong. */
export function parsePlan(text: string, file: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = errorMessage(e);
    const location = jsonErrorLocation(text, message, file);
    throw new DeployerError({
      code: "PLAN_INVALID",
      message: `${file} is not valid JSON: ${message}`,
      ...(location ? { location } : {}),
      hint: "pass a file written by `deployer plan --out-plan FILE`",
      cause: e,
    });
  }
  if (typeof value === "object" && value !== null && "formatVersion" in value && value.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new DeployerError({
      code: "PLAN_INVALID",
      message: `${file} has plan format version ${JSON.stringify(value.formatVersion)}; this deployer reads version ${PLAN_FORMAT_VERSION}`,
      hint: "make the plan and apply it with the same deployer version",
    });
  }
  const errors = planSchemaErrors(value);
  if (errors.length > 0) {
    const shown = errors.slice(0, 5);
    throw new DeployerError({
      code: "PLAN_INVALID",
      message: `${file} is not a valid deployer plan: ${shown.join("; ")}${errors.length > shown.length ? ` (and ${errors.length - shown.length} more)` : ""}`,
      hint: "pass a file written by `deployer plan --out-plan FILE`, unedited",
    });
  }
  const plan = value as Plan;
  // Plans saved before issue 17 have no env/serviceKey per target: one service, named by the plan.
  for (const t of plan.targets) {
    t.target.env ??= t.target.name;
    t.target.serviceKey ??= plan.service;
  }
  return plan;
}

export async function readPlanFile(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DeployerError({
      code: "PLAN_INVALID",
      message: code === "ENOENT" ? `plan file ${file} does not exist` : `cannot read plan file ${file}: ${(e as Error).message}`,
      hint: "write one with `deployer plan --out-plan FILE`",
      cause: e,
    });
  }
  return parsePlan(text, file);
}

/**
 * Whether a saved plan still describes what would happen now. `fresh` is a plan built now from the
 * same configuration and the live state. Stale when, for any target: the desired definition's
 * fingerprint changed (config or template edited), the service runs another task definition than
 * when the plan was made, or the image digest differs; or when the set of targets changed.
 */
export function checkPlanStillValid(saved: Plan, fresh: Plan): { ok: true } | { ok: false; reasons: string[] } {
  const reasons: string[] = [];
  if (saved.service !== fresh.service)
    reasons.push(`plan is stale: it is for service ${saved.service}, the configuration is for ${fresh.service}`);
  if (saved.image.digest !== fresh.image.digest) {
    reasons.push(`plan is stale: image ${saved.image.digest} was planned, the image resolves to ${fresh.image.digest} now`);
  }
  const savedByName = new Map(saved.targets.map((t) => [t.target.name, t]));
  const freshByName = new Map(fresh.targets.map((t) => [t.target.name, t]));
  const missing = [...savedByName.keys()].filter((n) => !freshByName.has(n));
  const extra = [...freshByName.keys()].filter((n) => !savedByName.has(n));
  if (missing.length > 0)
    reasons.push(`plan is stale: target${missing.length > 1 ? "s" : ""} ${missing.join(", ")} planned but not selected now`);
  if (extra.length > 0)
    reasons.push(`plan is stale: target${extra.length > 1 ? "s" : ""} ${extra.join(", ")} selected now but not in the plan`);
  for (const [name, s] of savedByName) {
    const f = freshByName.get(name);
    if (!f) continue;
    if (s.fingerprint !== f.fingerprint) {
      reasons.push(
        `plan is stale: ${name}: the rendered task definition changed since the plan (${short(s.fingerprint)} -> ${short(f.fingerprint)})`,
      );
    }
    const sArn = s.live?.taskDefinitionArn;
    const fArn = f.live?.taskDefinitionArn;
    if (sArn !== fArn) {
      reasons.push(`plan is stale: ${name}: the service ran ${sArn ?? "(unknown)"} when planned, it runs ${fArn ?? "(unknown)"} now`);
    }
    if (s.imageRef !== f.imageRef) reasons.push(`plan is stale: ${name}: image reference ${s.imageRef} planned, ${f.imageRef} now`);
  }
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}

/** The same verdict as a DeployerError (PLAN_STALE) to throw, or undefined when the plan is valid. */
export function planStaleError(file: string, result: ReturnType<typeof checkPlanStillValid>): DeployerError | undefined {
  if (result.ok) return undefined;
  return new DeployerError({
    code: "PLAN_STALE",
    message: `${file}: ${result.reasons.join("; ")}`,
    hint: "run `deployer plan --out-plan FILE` again, review it, and apply the new plan",
  });
}

function short(fp: string): string {
  return fp.replace(/^sha256:/, "").slice(0, 12);
}

function jsonErrorLocation(text: string, message: string, file: string): { file: string; line: number; column: number } | undefined {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { file, line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  if (!pos) return undefined;
  const offset = Number(pos[1]);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { file, line, column };
}
