// `deployer check`: the plan of `deployer plan` (read-only), shown as its checks' tree.
import type { ImageSpec } from "../../../workflow/image-spec.js";
import type { GlobalOptions } from "../../shell.js";
import type { ExitCode } from "../../../errors.js";
import { planOrCheck } from "../plan/run.js";
import type { TargetSelection } from "../../../config/select.js";
import type { PreflightSettings } from "../../../workflow/make-plan.js";

export interface CheckOptions {
  image: ImageSpec;
  selection: TargetSelection;
  preflight: PreflightSettings;
  /** Each check's evidence too. */
  verbose?: boolean;
}

export function run(g: GlobalOptions, o: CheckOptions): Promise<ExitCode> {
  return planOrCheck(g, o, "check");
}
