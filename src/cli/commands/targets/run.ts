// `deployer targets`: list the deploy targets (stage, account, region, cluster, service, image repository).
import { emit, type GlobalOptions } from "../../shell.js";
import { ExitCode } from "../../../errors.js";
import { loadProject } from "../../../config/load.js";
import { selectTargets } from "../../../config/select.js";
import { targetImageRepository } from "../../../render/render.js";
import { targetsView } from "../../../report/targets-text.js";

export interface TargetsOptions {
  stage?: string;
}

export async function run(g: GlobalOptions, o: TargetsOptions): Promise<ExitCode> {
  const project = await loadProject({ config: g.config });
  const targets = o.stage ? selectTargets(project, { stages: [o.stage] }) : project.targets;
  const rows = targets.map((t) => ({
    name: t.name,
    stage: t.stage,
    account: t.account,
    region: t.region,
    cluster: t.cluster,
    service: t.service,
    imageRepository: targetImageRepository(project, t),
    file: t.file,
  }));
  emit(g, targetsView(rows));
  return ExitCode.Ok;
}
