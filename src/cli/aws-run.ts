// The CLI's way into prepareRun: global options + selection flags.
import type { GlobalOptions } from "./shell.js";
import type { SelectionOptions } from "./deploy-options.js";
import { selectionOf } from "./deploy-options.js";
import { prepareRun, type PreparedRun } from "../workflow/prepare-run.js";

export type AwsRun = PreparedRun;

/** `sel` undefined: every target. The stage names for --all-stages come from the project. */
export async function prepareAwsRun(g: GlobalOptions, sel: SelectionOptions | undefined): Promise<AwsRun> {
  return prepareRun({ config: g.config, endpointUrl: g.endpointUrl, selection: sel ? selectionOf(sel) : undefined });
}
