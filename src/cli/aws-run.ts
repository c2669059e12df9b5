// The CLI's way into prepareRun: global options (--config, --endpoint-url, --profile, --region) +
// selection flags, and the read/check phase's spinner (a terminal) or line (CI). Base credentials
// come from the SDK default chain (the profile, when given).
import type { GlobalOptions } from "./shell.js";
import type { SelectionOptions } from "./deploy-options.js";
import { selectionOf } from "./deploy-options.js";
import { prepareRun, type PrepareRunOptions, type PreparedRun } from "../workflow/prepare-run.js";
import { callerRegion, defaultChainCredentials } from "../aws/default-chain.js";
import { startPhase, type PhaseProgress } from "../report/progress-phase.js";

export type AwsRun = PreparedRun;
export { prepareRun };

/** What prepareRun needs from the global options: the config, the endpoint, the base credentials and the caller's region. */
export async function awsRunOptions(
  g: GlobalOptions,
): Promise<Pick<PrepareRunOptions, "config" | "endpointUrl" | "credentials" | "region">> {
  return {
    config: g.config,
    endpointUrl: g.endpointUrl,
    credentials: defaultChainCredentials({ profile: g.profile }),
    region: await callerRegion({ profile: g.profile, region: g.region }),
  };
}

/** `sel` undefined: every target. The stage names for --all-stages come from the project. */
export async function prepareAwsRun(g: GlobalOptions, sel: SelectionOptions | undefined): Promise<AwsRun> {
  return prepareRun({ ...(await awsRunOptions(g)), selection: sel ? selectionOf(sel) : undefined });
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
