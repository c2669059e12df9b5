// The saved plan file (`deployer plan --out-plan FILE`), as written: the redacted plan as JSON. Read back
// and checked for staleness by src/plan/saved-plan.ts (`deployer rollout --plan FILE`).
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Plan } from "../plan/types.js";
import { redactPlanForOutput } from "../plan/redact-plan.js";
import { jsonText } from "./escape.js";

/** The plan as saved: redacted, pretty JSON with a trailing newline. */
export function serialisePlan(plan: Plan, sensitiveValues?: readonly string[]): string {
  // jsonText: JSON as is, with the lossless escapes that keep it inert when printed to a CI log.
  return `${jsonText(redactPlanForOutput(plan, sensitiveValues), 2)}\n`;
}

/** Writes the redacted plan (atomically: a temporary file renamed into place). */
export async function writePlanFile(file: string, plan: Plan, sensitiveValues?: readonly string[]): Promise<void> {
  const text = serialisePlan(plan, sensitiveValues);
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, "utf8");
  await rename(tmp, file);
}
