// `deployer drift --output json`: the DriftReport (already redacted by detectDrift) plus `drift`, the
// verdict a scheduled job branches on (the exit code says the same: 2 drift, 0 none, 1 errors).
import type { DriftReport } from "../fleet/types.js";
import { hasDrift } from "../fleet/drift.js";

export function driftToJsonText(report: DriftReport): string {
  return `${JSON.stringify({ drift: hasDrift(report), ...report }, null, 2)}\n`;
}
