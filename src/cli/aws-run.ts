// The CLI's way into a run that talks to AWS: global options (--config, --endpoint-url, --profile,
// --region) to workflow's withRun, base credentials from the SDK default chain (the profile, when
// given), and the read/check phase's spinner (a terminal) or line (CI) on stderr.
import type { GlobalOptions } from "./shell.js";
import type { TargetSelection } from "../config/select.js";
import { withRun, type PrepareRunOptions, type PreparedRun } from "../workflow/prepare-run.js";
import { callerRegion, defaultChainCredentials } from "../aws/default-chain.js";
import { startPhase, type PhaseProgress } from "../report/progress-phase.js";

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

/**
 * Runs `body` with a prepared run (`selection` undefined: every target), showing `label` while the
 * configuration and AWS state are read; the phase stops when `body` ends (or earlier, by `body`),
 * and the run's sessions are closed however it ends.
 */
export async function withAwsRun<T>(
  g: GlobalOptions,
  selection: TargetSelection | undefined,
  label: string,
  body: (run: PreparedRun, phase: PhaseProgress) => Promise<T>,
): Promise<T> {
  const phase = readPhase(label);
  try {
    return await withRun({ ...(await awsRunOptions(g)), selection }, (run) => body(run, phase));
  } finally {
    phase.stop();
  }
}

/**
 * Shows that the read/check phase is running, on stderr: a spinner in a terminal, one timestamped
 * line otherwise. Stop it before printing anything else.
 */
function readPhase(what: string): PhaseProgress {
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI && !process.env.GITHUB_ACTIONS;
  return startPhase(what, { stream: process.stderr, interactive });
}

/** "1 target", "4 targets". */
export function targetCount(n: number): string {
  return `${n} target${n === 1 ? "" : "s"}`;
}
