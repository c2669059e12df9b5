// checkDeployRoleTrust and the assume-role checks: cases the second mutation run left (issue 20).
// A separate file so that an incremental mutation run reuses the earlier results.
//
// AWS behaviour relied on:
// - aws:PrincipalArn is the caller's own ARN for an IAM user, the role's ARN for a role session
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn);
// - an explicit Deny in the trust policy wins over any Allow
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
// - StringNotEquals on a key the request carries holds when the value differs
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
import { describe, expect, it } from "vitest";
import { checkDeployRoleTrust } from "../../../src/checks/deploy-trust.js";
import { assumeDeployRole } from "../../../src/checks/assume-role.js";
import type { CallerIdentity } from "../../../src/aws/ports.js";
import { checkContext } from "./check-context.js";
import { awsException, FakeWorld, healthyWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const target = makeTarget({ externalId: "shop-deployer-dev" });
const ROLE = target.deployRole;
const CI_SESSION = "arn:aws:sts::111111111111:assumed-role/deployer-ci/gha";
const CI_ROLE = "arn:aws:iam::111111111111:role/deployer-ci";
const identity = (arn: string): CallerIdentity => ({ account: "111111111111", arn, userId: "AIDA:x" });
const trustOf = (...Statement: Array<Record<string, unknown>>) => ({ Version: "2012-10-17", Statement });
const ciAccount = { AWS: "arn:aws:iam::111111111111:root" };

async function run(trust: Record<string, unknown>, who: CallerIdentity = identity(CI_SESSION)) {
  const world = healthyWorld(target);
  world.account(target.account).roles.get("deployer")!.trustPolicy = trust as never;
  return checkDeployRoleTrust(await checkContext(world, target), () => Promise.resolve(who));
}

describe("checkDeployRoleTrust: edges", () => {
  it("a user the trust excludes by aws:PrincipalArn fails: no other principal ARN is tried for a user", async () => {
    const user = "arn:aws:iam::111111111111:user/intern";
    const r = await run(
      trustOf({
        Effect: "Allow",
        Principal: ciAccount,
        Action: "sts:AssumeRole",
        Condition: { StringNotEquals: { "aws:PrincipalArn": user } },
      }),
      identity(user),
    );
    expect(r.verdict).toBe("fail");
    expect(r.evidence).toMatchObject({ principalArn: user, decision: "implicitDeny" });
  });

  it("the first principal ARN the trust admits decides: a Deny of the same role name under another path does not undo it", async () => {
    const r = await run(
      trustOf(
        { Effect: "Allow", Principal: ciAccount, Action: "sts:AssumeRole", Condition: { ArnEquals: { "aws:PrincipalArn": CI_ROLE } } },
        {
          Effect: "Deny",
          Principal: "*",
          Action: "sts:AssumeRole",
          Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111111111111:role/legacy/deployer-ci" } },
        },
      ),
    );
    expect(r.verdict).toBe("pass");
    expect(r.evidence).toMatchObject({ principalArn: CI_ROLE, decision: "allowed" });
  });

  it("several Denies are all named, comma-separated, in the message and the hint", async () => {
    const r = await run(
      trustOf(
        { Effect: "Allow", Principal: ciAccount, Action: "sts:AssumeRole" },
        { Sid: "A", Effect: "Deny", Principal: { AWS: CI_ROLE }, Action: "sts:AssumeRole" },
        { Sid: "B", Effect: "Deny", Principal: "*", Action: "sts:*" },
      ),
    );
    expect(r.message).toBe(`${ROLE}'s trust policy denies ${CI_SESSION} sts:AssumeRole (trust:deployer#A, trust:deployer#B)`);
    expect(r.error?.hint).toBe(`Remove or narrow the Deny (trust:deployer#A, trust:deployer#B) in the trust policy of ${ROLE}.`);
  });
});

describe("assume-role: edges", () => {
  it("without an ExternalId the evidence of a pass says none was sent", async () => {
    const world = new FakeWorld();
    const out = await assumeDeployRole(makeTarget({ externalId: undefined }), world.sessions(), "s1");
    expect(out.check.verdict).toBe("pass");
    expect(out.check.evidence).toMatchObject({ externalIdSent: false });
  });

  it("a raw SDK failure other than a denial: the message names the call that failed and the AWS error", async () => {
    const world = new FakeWorld();
    const t = makeTarget();
    world.assumeFailures.set(t.deployRole, awsException("RegionDisabledException", "STS is not activated in this region"));
    const out = await assumeDeployRole(t, world.sessions(), "s1");
    expect(out.check.message).toBe(
      `assuming ${t.deployRole} failed (sent ExternalId "shop-deployer-dev"): sts:AssumeRole failed for ${t.deployRole}: RegionDisabledException`,
    );
  });
});
