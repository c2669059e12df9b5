// The CLI's way into prepareRun: global options (--config, --endpoint-url, --profile, --region) +
// selection flags. Base credentials come from the SDK default chain (the profile, when given).
import type { GlobalOptions } from "./shell.js";
import type { SelectionOptions } from "./deploy-options.js";
import { selectionOf } from "./deploy-options.js";
import { prepareRun, type PrepareRunOptions, type PreparedRun } from "../workflow/prepare-run.js";
import { callerRegion, defaultChainCredentials } from "../aws/default-chain.js";

export type AwsRun = PreparedRun;
export { prepareRun };

/** What prepareRun needs from the global options: the config, the endpoint, the base credentials and the caller's region. */
export async function awsRunOptions(g: GlobalOptions): Promise<Pick<PrepareRunOptions, "config" | "endpointUrl" | "credentials" | "region">> {
  return {
    config: g.config,
    endpointUrl: g.endpointUrl,
    credentials: defaultChainCredentials({ profile: g.profile }),
    region: await callerRegion({ profile: g.profile, region: g.region }),
  };
}

/** `sel` undefined: every target. The stage names for --all-stages come from the project. */
export async function prepareAwsRun(g: GlobalOptions, sel: SelectionOptions | undefined): Promise<AwsRun> {
  return prepareRun({ ...(await awsRunOptions(g)), selection: sel ? selectionOf(sel) : undefined });
}
