// `deployer targets`: list the deploy targets (stage, account, region, cluster, service, image repository).
import { emit, type GlobalOptions } from "../../shell.js";
import { ExitCode } from "../../../errors.js";
import { loadProject } from "../../../config/load.js";
import { selectTargets, type TargetSelection } from "../../../config/select.js";
import { targetImageRepository } from "../../../render/render.js";
import { targetsView } from "../../../report/targets-text.js";
import { relativePath } from "../../../report/json-paths.js";

export interface TargetsOptions {
  /** Every target unless --stage / --env narrow it. */
  selection: TargetSelection;
}

export async function run(g: GlobalOptions, o: TargetsOptions): Promise<ExitCode> {
  const project = await loadProject({ config: g.config });
  const targets = selectTargets(project, o.selection);
  const rows = targets.map((t) => ({
    name: t.name,
    stage: t.stage,
    account: t.account,
    region: t.region,
    cluster: t.cluster,
    service: t.service,
    imageRepository: targetImageRepository(project, t),
    file: relativePath(t.file, project.config.rootDir),
  }));
  emit(g, targetsView({ service: project.config.service, config: relativePath(project.config.file, process.cwd()), targets: rows }));
  return ExitCode.Ok;
}
