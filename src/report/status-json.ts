// `deployer status --output json`: the FleetStatus value as it is (JSON-safe, nothing sensitive in it:
// image references, tags deployer wrote, counts, states), pretty-printed.
import type { FleetStatus } from "../fleet/types.js";

export function statusToJsonText(status: FleetStatus): string {
  return `${JSON.stringify(status, null, 2)}\n`;
}
