// `deployer init`: write a deploy repository (an example, or imported from a live service), then say
// what was written and what to run next.
import path from "node:path";
import { emit, type GlobalOptions } from "../../shell.js";
import { DeployerError, ExitCode } from "../../../errors.js";
import { callerRegion, defaultChainCredentials } from "../../../aws/default-chain.js";
import { initFromService, initScaffold, type InitResult } from "../../../workflow/init.js";
import { initView } from "../../../report/init-view.js";

export type InitCommandOptions = { env?: string; stage?: string; name?: string; force?: boolean } & (
  | { mode: "scaffold" }
  | { mode: "from-service"; cluster: string; service: string; deployRole: string; externalId?: string; container?: string }
);

export async function run(g: GlobalOptions, o: InitCommandOptions): Promise<ExitCode> {
  const dir = path.resolve(g.config ? path.dirname(path.resolve(g.config)) : process.cwd());
  const common = {
    dir,
    ...(o.env ? { env: o.env } : {}),
    ...(o.stage ? { stage: o.stage } : {}),
    ...(o.name ? { name: o.name } : {}),
    ...(o.force ? { force: true } : {}),
  };
  let result: InitResult;
  if (o.mode === "scaffold") {
    result = await initScaffold(common);
  } else {
    const region = await callerRegion({ profile: g.profile, region: g.region });
    if (!region) {
      throw new DeployerError({
        code: "INVALID_ARGUMENT",
        message: "init --from-service needs the service's region",
        hint: "give --region REGION (or set AWS_REGION)",
      });
    }
    // The AWS SDK is loaded only now (as prepareRun does): `deployer init` alone never needs it.
    const { createSessionFactory } = await import("../../../aws/session.js");
    const sessions = createSessionFactory({
      endpointUrl: g.endpointUrl,
      baseCredentials: defaultChainCredentials({ profile: g.profile })({ region, endpointUrl: g.endpointUrl }),
      stsRegion: region,
    });
    try {
      result = await initFromService({
        ...common,
        cluster: o.cluster,
        service: o.service,
        deployRole: o.deployRole,
        ...(o.externalId !== undefined ? { externalId: o.externalId } : {}),
        ...(o.container !== undefined ? { container: o.container } : {}),
        region,
        sessions,
      });
    } finally {
      await sessions.close();
    }
  }
  emit(g, initView(result));
  return ExitCode.Ok;
}
