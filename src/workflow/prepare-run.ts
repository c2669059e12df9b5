// Setting up a run that talks to AWS: load and validate the project, select targets, build the
// session factory (base credentials from the SDK's default chain; AWS_ENDPOINT_URL / --endpoint-url
// honoured), and identify the run. Shared by the CLI and the GitHub Action.
import type { Project, Target } from "../config/types.js";
import type { SessionFactory } from "../aws/ports.js";
import type { TargetSelection } from "../config/select.js";
import { loadProject } from "../config/load.js";
import { selectTargets } from "../config/select.js";
import { checkRenders } from "../render/render-all.js";
import { parseRepositoryUri } from "../aws/repository-uri.js";
import { describeDeployer, newRunId } from "./run-id.js";

export interface PreparedRun {
  project: Project;
  targets: Target[];
  sessions: SessionFactory & { close(): Promise<void> };
  runId: string;
  /** Value of the `deployer:by` tag. */
  by: string;
}

export interface PrepareRunOptions {
  /** deployer.yaml path (default: found by walking up from cwd). */
  config?: string;
  cwd?: string;
  endpointUrl?: string;
  /** Which targets; undefined = every target of every stage. */
  selection?: TargetSelection;
  /** For tests: a ready session factory instead of the SDK one. */
  sessions?: SessionFactory & { close(): Promise<void> };
}

export async function prepareRun(opts: PrepareRunOptions): Promise<PreparedRun> {
  const project = await loadProject({ config: opts.config, cwd: opts.cwd });
  const targets = opts.selection ? selectTargets(project, opts.selection) : project.targets;
  // Bad input must never reach AWS: render every selected target before the first call.
  checkRenders(project, targets);
  // The AWS SDK (~20 MB, a quarter of a second) is loaded only once the input is known to be valid.
  const sessions = opts.sessions ?? (await import("../aws/session.js")).createSessionFactory({ endpointUrl: opts.endpointUrl });
  let by: string;
  try {
    const base = await sessions.base(parseRepositoryUri(project.config.image.repository).region);
    by = describeDeployer(base.identity.arn);
  } catch (e) {
    await sessions.close();
    throw e;
  }
  return { project, targets, sessions, runId: newRunId(), by };
}
