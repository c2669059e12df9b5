// `deployer drift --output json`: the DriftReport (already redacted by detectDrift) plus `drift`, the
// verdict a scheduled job branches on (the exit code says the same: 2 drift, 0 none, 1 errors).
import type { DriftReport } from "../fleet/types.js";
import { hasDrift } from "../fleet/drift.js";
import { jsonText } from "./escape.js";

export function driftToJsonText(report: DriftReport): string {
  return `${jsonText({ formatVersion: 1, drift: hasDrift(report), ...report }, 2)}\n`;
}
