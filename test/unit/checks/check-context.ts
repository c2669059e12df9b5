// Builds the CheckContext a check gets inside observeTarget, over a FakeWorld.
import type { CheckContext, TaskDefinitionValidator } from "../../../src/checks/context.js";
import { TargetReads } from "../../../src/checks/target-reads.js";
import type { DesiredTarget, Target } from "../../../src/config/types.js";
import { type FakeWorld } from "../../helpers/fake-aws.js";
import { makeDesired, makeProject } from "../../helpers/factories.js";

export async function checkContext(
  world: FakeWorld,
  target: Target,
  opts: { waitForInProgress?: boolean; desired?: DesiredTarget; validate?: TaskDefinitionValidator; registryRole?: string } = {},
): Promise<CheckContext> {
  const sessions = world.sessions();
  const session = await sessions.target({
    roleArn: target.deployRole,
    region: target.region,
    sessionName: "test",
    externalId: target.externalId,
  });
  const central = await sessions.base("eu-west-1");
  return {
    target,
    desired: opts.desired ?? makeDesired(target),
    project: makeProject([target]),
    session,
    reads: new TargetReads(target, session),
    centralEcr: central.ecr,
    options: { waitForInProgress: opts.waitForInProgress ?? false },
    ...(opts.validate ? { validateTaskDefinition: opts.validate } : {}),
  };
}
