// Check assume-role in a read-only run (issue 18): the deploy role's trust, read with iam:GetRole as the
// viewer and evaluated for the caller and the configured ExternalId, never assumed.
import { describe, expect, it } from "vitest";
import { checkDeployRoleTrust, principalArnOf } from "../../../src/checks/deploy-trust.js";
import type { CallerIdentity } from "../../../src/aws/ports.js";
import { checkContext } from "./check-context.js";
import { accessDenied, healthyWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const target = makeTarget({ externalId: "shop-deployer-dev" });
const CI_SESSION = "arn:aws:sts::111111111111:assumed-role/deployer-ci/gha";
const caller = (arn: string) => (): Promise<CallerIdentity> => Promise.resolve({ account: "111111111111", arn, userId: "AROA:x" });

function trustOf(statement: Record<string, unknown>) {
  return { Version: "2012-10-17", Statement: [statement] };
}

/** The mesh's form: the CI account as principal, the CI role in aws:PrincipalArn, the ExternalId. */
function meshTrust(principalArn: string) {
  return trustOf({
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111111111111:root" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": "shop-deployer-dev" }, ArnEquals: { "aws:PrincipalArn": principalArn } },
  });
}

async function run(trust: Record<string, unknown> | undefined, callerArn = CI_SESSION, t = target) {
  const world = healthyWorld(t);
  if (trust) world.account(t.account).roles.get("deployer")!.trustPolicy = trust as never;
  return checkDeployRoleTrust(await checkContext(world, t), caller(callerArn));
}

describe("principalArnOf: aws:PrincipalArn of a GetCallerIdentity ARN", () => {
  it("is the role (without its path) for an assumed-role session, the ARN itself otherwise", () => {
    expect(principalArnOf(CI_SESSION).principalArn).toBe("arn:aws:iam::111111111111:role/deployer-ci");
    expect(principalArnOf("arn:aws:iam::111111111111:user/ci").principalArn).toBe("arn:aws:iam::111111111111:user/ci");
  });
});

describe("check assume-role without assuming (checkDeployRoleTrust)", () => {
  it("passes when the trust admits the caller's role with the ExternalId, and says it did not assume", async () => {
    const r = await run(meshTrust("arn:aws:iam::111111111111:role/deployer-ci"));
    expect(r).toMatchObject({ id: "assume-role", verdict: "pass" });
    expect(r.evidence).toMatchObject({ assumed: false, caller: CI_SESSION, decision: "allowed" });
  });

  it("a trust naming the caller role with a path still matches (GetCallerIdentity shows no path)", async () => {
    const r = await run(meshTrust("arn:aws:iam::111111111111:role/ci/deployer-ci"));
    expect(r.verdict).toBe("pass");
  });

  it("fails ASSUME_ROLE_DENIED with the statement to add when the ExternalId differs", async () => {
    const r = await run(meshTrust("arn:aws:iam::111111111111:role/deployer-ci"), CI_SESSION, makeTarget({ externalId: "other" }));
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({ code: "ASSUME_ROLE_DENIED", action: "sts:AssumeRole", resource: target.deployRole });
    expect(r.message).toContain('ExternalId "other"');
    expect(r.hint).toContain('{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/deployer-ci"}');
  });

  it("fails when another role of the CI account calls", async () => {
    const r = await run(meshTrust("arn:aws:iam::111111111111:role/deployer-ci"), "arn:aws:sts::111111111111:assumed-role/someone/x");
    expect(r.error?.code).toBe("ASSUME_ROLE_DENIED");
    expect(r.message).toContain("arn:aws:iam::111111111111:role/someone");
  });

  it("is unverified when the trust cannot be read (iam:GetRole denied)", async () => {
    const world = healthyWorld(target);
    world.account(target.account).failures.set("getRole", accessDenied("iam:GetRole", target.deployRole));
    const r = await checkDeployRoleTrust(await checkContext(world, target), caller(CI_SESSION));
    expect(r.verdict).toBe("unverified");
    expect(r.error?.code).toBe("ACCESS_DENIED");
  });

  it("is unverified when the caller cannot be told", async () => {
    const world = healthyWorld(target);
    const r = await checkDeployRoleTrust(await checkContext(world, target), () => Promise.reject(new Error("expired")));
    expect(r.verdict).toBe("unverified");
  });
});
