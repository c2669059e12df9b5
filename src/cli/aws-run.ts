// The CLI's way into prepareRun: global options + selection flags, and the read/check phase's
// spinner (a terminal) or line (CI).
import type { GlobalOptions } from "./shell.js";
import type { SelectionOptions } from "./deploy-options.js";
import { selectionOf } from "./deploy-options.js";
import { prepareRun, type PreparedRun } from "../workflow/prepare-run.js";
import { startPhase, type PhaseProgress } from "../report/progress-phase.js";

export type AwsRun = PreparedRun;

/** `sel` undefined: every target. The stage names for --all-stages come from the project. */
export async function prepareAwsRun(g: GlobalOptions, sel: SelectionOptions | undefined): Promise<AwsRun> {
  return prepareRun({ config: g.config, endpointUrl: g.endpointUrl, selection: sel ? selectionOf(sel) : undefined });
}

/**
 * Shows that the read/check phase is running, on stderr: a spinner in a terminal, one timestamped
 * line otherwise. Stop it before printing anything else.
 */
export function readPhase(what: string): PhaseProgress {
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI && !process.env.GITHUB_ACTIONS;
  return startPhase(what, { stream: process.stderr, interactive });
}

/** "1 target", "4 targets". */
export function targetCount(n: number): string {
  return `${n} target${n === 1 ? "" : "s"}`;
}
