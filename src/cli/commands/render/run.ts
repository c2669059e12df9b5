// `deployer render`: print (or write) one target's rendered task definition for an image, its
// sensitive values masked unless --show-sensitive. No AWS call.
import { writeFile } from "node:fs/promises";
import { emit, type GlobalOptions } from "../../shell.js";
import { checkOutputFiles, outputFiles, writeOutputFile } from "../../output-files.js";
import { DeployerError, ExitCode } from "../../../errors.js";
import { imagesForServices, type ImageSpec } from "../../../workflow/image-spec.js";
import { loadProject } from "../../../config/load.js";
import { selectTargets } from "../../../config/select.js";
import { renderTaskDefinition, targetImageRepository } from "../../../render/render.js";
import { imageReference } from "../../../render/image-ref.js";
import { redactSensitive } from "../../../render/redact.js";
import { taskDefinitionView } from "../../../report/views.js";
import { terminalOutput, terminalText } from "../../../report/escape.js";

export interface RenderOptions {
  env: string;
  /** The service, in a project with several. */
  service?: string;
  image: ImageSpec;
  /** --out-json: write the task definition as JSON to this file instead of stdout. */
  outJson?: string;
  showSensitive: boolean;
}

export async function run(g: GlobalOptions, o: RenderOptions): Promise<ExitCode> {
  const files = outputFiles({ "--out-json": o.outJson });
  await checkOutputFiles(files);
  const project = await loadProject({ config: g.config });
  const targets = selectTargets(project, { envs: [o.env], ...(o.service ? { services: [o.service] } : {}) });
  if (targets.length > 1) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `${o.env} has ${targets.length} services (${targets.map((t) => t.serviceKey).join(", ")}): render shows one`,
      hint: `add --service, e.g. deployer render --env ${o.env} --service ${targets[0]!.serviceKey} --image …`,
    });
  }
  const target = targets[0];
  const ref = imagesForServices(project, targets, o.image).get(target!.serviceKey)!;
  const image = imageReference(targetImageRepository(project, target!), ref);
  const def = renderTaskDefinition(project, target!, image);
  const view = taskDefinitionView(o.showSensitive ? def : redactSensitive(def, target!));
  if (!o.outJson) {
    emit(g, view);
    return ExitCode.Ok;
  }
  const file = o.outJson;
  await writeOutputFile(files[0]!, () => writeFile(file, view.json()));
  process.stderr.write(terminalOutput(`wrote ${terminalText(file)} (${terminalText(target!.name)}, ${terminalText(image)})`) + "\n");
  return ExitCode.Ok;
}
