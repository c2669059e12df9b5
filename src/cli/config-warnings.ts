// Configuration warnings (vars typos: see render/template-vars.ts) on stderr, for the commands that
// load a project. Warnings never change the exit code.
import type { Project, Target } from "../config/types.js";
import type { GlobalOptions } from "./shell.js";
import { varsWarnings, type ConfigWarning } from "../render/template-vars.js";
import { formatWarnings } from "../report/warning-text.js";

export function printConfigWarnings(
  g: GlobalOptions,
  project: Project,
  targets: Target[],
  rendered?: ReadonlySet<string>,
): ConfigWarning[] {
  const warnings = varsWarnings(project, targets, rendered);
  if (warnings.length > 0) process.stderr.write(formatWarnings(warnings, { color: g.color && Boolean(process.stderr.isTTY) }) + "\n");
  return warnings;
}
