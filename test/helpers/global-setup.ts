// Builds the CLI once before the suite so subprocess tests run exactly what users run.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs", "cli"], { stdio: "inherit" });
}
