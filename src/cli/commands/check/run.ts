// `deployer check`: the plan of `deployer plan` (read-only), shown as its checks' tree.
import type { GlobalOptions } from "../../shell.js";
import type { ExitCode } from "../../../errors.js";
import { planOrCheck } from "../plan/run.js";
import type { TargetSelection } from "../../../config/select.js";
import type { PreflightSettings } from "../../../workflow/make-plan.js";

export interface CheckOptions {
  image: string;
  selection: TargetSelection;
  preflight: PreflightSettings;
  /** Each check's evidence too. */
  verbose?: boolean;
}

export function run(g: GlobalOptions, o: CheckOptions): Promise<ExitCode> {
  return planOrCheck(g, o, "check");
}
