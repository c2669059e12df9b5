// Fixtures of the launch-time checks' unit tests (execution-role, secrets, logs): a healthy target
// whose definition reads secrets and writes awslogs, over the fake AWS. Metadata shapes are the ports'
// (src/aws/ports.ts: DescribeParameters, DescribeSecret, DescribeKey, DescribeLogGroups, metadata only).
import type { CheckContext } from "../../../src/checks/context.js";
import type { KeyMetadata } from "../../../src/aws/ports.js";
import type { ContainerDefinition } from "../../../src/config/types.js";
import { healthyWorld, type FakeWorld } from "../../helpers/fake-aws.js";
import { CENTRAL, DIGEST, makeDesired, makeTarget } from "../../helpers/factories.js";
import { checkContext } from "./check-context.js";

export const target = makeTarget();
export const EXEC = target.executionRole;
export const IMAGE = `${CENTRAL}@${DIGEST}`;
export const CENTRAL_REPO_ARN = "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api";
export const PARAM = "/shop-api/database-url";
export const PARAM_ARN = "arn:aws:ssm:eu-west-1:222222222222:parameter/shop-api/database-url";
/** A secret as valueFrom names it (partial ARN: no random suffix) and as DescribeSecret returns it. */
export const SECRET_ID = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:shop/db";
export const SECRET_ARN = `${SECRET_ID}-AbCdEf`;
export const OTHER_SECRET_ID = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:shared/db";
export const OTHER_SECRET_ARN = `${OTHER_SECRET_ID}-XyZ123`;
export const KEY_ARN = "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
export const OTHER_KEY_ARN = "arn:aws:kms:eu-west-1:333333333333:key/9999abcd-12ab-34cd-56ef-1234567890ab";
export const GROUP = "/ecs/shop-api/dev";
export const GROUP_ARN = `arn:aws:logs:eu-west-1:222222222222:log-group:${GROUP}`;
export const STREAM_ARN = `${GROUP_ARN}:log-stream:ecs/app/00000000000000000000000000000000`;

export function customerKey(arn = KEY_ARN, overrides: Partial<KeyMetadata> = {}): KeyMetadata {
  const account = arn.split(":")[4]!;
  return { arn, keyId: arn.split("/").pop()!, account, keyManager: "CUSTOMER", enabled: true, keyState: "Enabled", ...overrides };
}

/** A healthy world that also holds the parameter (SecureString, AWS managed key), the secret and the log group. */
export function launchWorld(): FakeWorld {
  const world = healthyWorld(target);
  const acct = world.account(target.account);
  acct.parameters.set(`eu-west-1 ${PARAM}`, { name: PARAM, arn: PARAM_ARN, type: "SecureString" });
  acct.secrets.set(`eu-west-1 ${SECRET_ID}`, { arn: SECRET_ARN, name: "shop/db" });
  acct.logGroups.add(`eu-west-1 ${GROUP}`);
  return world;
}

/** The check context for a target whose only container is `app` with these fields (image: the central one). */
export function launchContext(world: FakeWorld, app: Partial<ContainerDefinition> & Record<string, unknown> = {}): Promise<CheckContext> {
  const desired = makeDesired(target, { containerDefinitions: [{ name: "app", image: IMAGE, essential: true, ...app }] });
  return checkContext(world, target, { desired });
}

export const secrets = (...valueFrom: string[]) => ({ secrets: valueFrom.map((v, i) => ({ name: `S${i}`, valueFrom: v })) });

export const awslogs = (options: Record<string, string> = {}) => ({
  logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": GROUP, "awslogs-region": "eu-west-1", ...options } },
});

/** The iam:SimulatePrincipalPolicy calls made, as [source, actions, resources, context]. */
export function simulations(world: FakeWorld): Array<[string, string[], string[], unknown[]]> {
  return world.calls.filter((c) => c.method === "simulatePrincipalPolicy").map((c) => c.args as [string, string[], string[], unknown[]]);
}

export function callsTo(world: FakeWorld, method: string): unknown[][] {
  return world.calls.filter((c) => c.method === method).map((c) => c.args);
}
