// Setting up a run that talks to AWS: load and validate the project, select targets, build the
// session factory (base credentials from the SDK's default chain; AWS_ENDPOINT_URL / --endpoint-url
// honoured), and identify the run. Shared by check, plan, rollout, promote, rollback, status, drift.
import type { Project, Target } from "../config/types.js";
import type { SessionFactory } from "../aws/ports.js";
import type { GlobalOptions } from "./shell.js";
import type { SelectionOptions } from "./deploy-options.js";
import { selectionOf } from "./deploy-options.js";

export interface AwsRun {
  project: Project;
  targets: Target[];
  sessions: SessionFactory & { close(): Promise<void> };
  runId: string;
  /** Value of the `deployer:by` tag. */
  by: string;
}

export async function prepareAwsRun(g: GlobalOptions, sel: SelectionOptions | undefined): Promise<AwsRun> {
  const [{ loadProject }, { selectTargets }, { createSessionFactory }, { newRunId, describeDeployer }, { parseRepositoryUri }] = await Promise.all([
    import("../config/load.js"),
    import("../config/select.js"),
    import("../aws/session.js"),
    import("../workflow/run-id.js"),
    import("../aws/repository-uri.js"),
  ]);
  const project = await loadProject({ config: g.config });
  const targets = sel ? selectTargets(project, selectionOf(sel, project.config.stages.map((s) => s.name))) : project.targets;
  const sessions = createSessionFactory({ endpointUrl: g.endpointUrl });
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
