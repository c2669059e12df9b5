// `deployer validate`: load deployer.yaml and every environment file, render each selected target's
// task definition with a placeholder image, report every error and warning. No AWS call.
import type { GlobalOptions } from "../../shell.js";
import { emit } from "../../shell.js";
import { ExitCode } from "../../../errors.js";
import { loadProject } from "../../../config/load.js";
import { selectTargets, type TargetSelection } from "../../../config/select.js";
import { validateTargets } from "../../../workflow/validate.js";
import { validateView } from "../../../report/validate-text.js";

export interface ValidateOptions {
  /** Every target unless --stage / --env narrow it. */
  selection: TargetSelection;
}

export async function run(g: GlobalOptions, o: ValidateOptions): Promise<ExitCode> {
  const project = await loadProject({ config: g.config });
  const targets = selectTargets(project, o.selection);
  const validation = validateTargets(project, targets);
  emit(g, validateView(validation));
  return validation.ok ? ExitCode.Ok : ExitCode.Failure;
}
