// `deployer status --output json`: the FleetStatus value as it is (JSON-safe, nothing sensitive in it:
// image references, tags deployer wrote, counts, states), pretty-printed.
import type { FleetStatus } from "../fleet/types.js";
import { jsonText } from "./escape.js";

export function statusToJsonText(status: FleetStatus): string {
  return `${jsonText({ formatVersion: 1, ...status }, 2)}\n`;
}
