// Setting up a run that talks to AWS: load and validate the project, select targets, build the
// session factory (base credentials as the shell gives them: the CLI's default chain, the Action's
// GitHub OIDC or environment; STS in the caller's region; AWS_ENDPOINT_URL / --endpoint-url
// honoured), and identify the run. Shared by the CLI and the GitHub Action.
import type { Project, Target } from "../config/types.js";
import type { SessionFactory } from "../aws/ports.js";
import type { TargetSelection } from "../config/select.js";
import { loadProject } from "../config/load.js";
import { selectTargets } from "../config/select.js";
import { checkRenders } from "../render/render-all.js";
import type { BaseCredentialsFactory } from "../aws/base-credentials.js";
import { DeployerError } from "../errors.js";
import { describeDeployer, newRunId } from "./run-id.js";
import { parseRepositoryUri } from "../config/aws-names.js";

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
  /** The base credentials (required unless `sessions` is given). */
  credentials?: BaseCredentialsFactory;
  /**
   * The caller's region, where STS is called (`--region`, AWS_REGION, the profile's); undefined:
   * the central repository's region.
   */
  region?: string;
  /** For tests: a ready session factory instead of the SDK one. */
  sessions?: SessionFactory & { close(): Promise<void> };
  /**
   * Called with the loaded project before anything is rendered or sent anywhere: the Action registers
   * every sensitive value with the runner's mask here (mask first).
   */
  onLoaded?: (project: Project) => void;
}

/**
 * Prepares a run, runs `body` with it and closes its sessions however `body` ends: the one place a
 * run's lifetime is decided (every command that talks to AWS goes through it).
 */
export async function withRun<T>(opts: PrepareRunOptions, body: (run: PreparedRun) => Promise<T>): Promise<T> {
  const run = await prepareRun(opts);
  try {
    return await body(run);
  } finally {
    await run.sessions.close();
  }
}

export async function prepareRun(opts: PrepareRunOptions): Promise<PreparedRun> {
  const project = await loadProject({ config: opts.config, cwd: opts.cwd });
  opts.onLoaded?.(project);
  const targets = opts.selection ? selectTargets(project, opts.selection) : project.targets;
  // Bad input must never reach AWS: render every selected target before the first call.
  checkRenders(project, targets);
  const runId = newRunId();
  const repositoryRegion = parseRepositoryUri(project.config.image.repository).region;
  let sessions = opts.sessions;
  if (!sessions) {
    if (!opts.credentials) throw new DeployerError({ code: "INTERNAL", message: "prepareRun: no base credentials given" });
    const stsRegion = opts.region ?? repositoryRegion;
    // The AWS SDK (~20 MB, a quarter of a second) is loaded only once the input is known to be valid.
    const { createSessionFactory } = await import("../aws/session.js");
    sessions = createSessionFactory({
      endpointUrl: opts.endpointUrl,
      baseCredentials: opts.credentials({ region: stsRegion, endpointUrl: opts.endpointUrl }),
      stsRegion,
      // Shown in CloudTrail beside the session name, usable in the deploy roles' policies.
      sessionTags: { "deployer:run-id": runId, "deployer:service": project.config.service },
    });
  }
  let by: string;
  try {
    const base = await sessions.base(repositoryRegion);
    by = describeDeployer(base.identity.arn);
  } catch (e) {
    await sessions.close();
    throw e;
  }
  return { project, targets, sessions, runId, by };
}
