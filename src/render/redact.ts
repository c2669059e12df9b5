// Hiding a target's sensitive values (its `sensitive:` paths, e.g. vars.apiKey, and secret-looking
// environment variables) wherever they were rendered into a task definition, so `deployer render`
// can run in a CI log. One redaction rule for every output: the plan's (src/plan/redact.ts).
import type { Target } from "../config/types.js";
import { collectSensitiveValues, scrubDeep } from "../plan/redact.js";

export { REDACTED } from "../plan/redact.js";

/** The string forms of the target's sensitive values (longest first). */
export function sensitiveValues(target: Target): string[] {
  return collectSensitiveValues(target);
}

/** A copy of a rendered definition with every sensitive value replaced by `(sensitive)`. */
export function redactSensitive<T>(value: T, target: Target): T {
  const values = collectSensitiveValues(target, value as Record<string, unknown>);
  return scrubDeep(value, values) as T;
}
