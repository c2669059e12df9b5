// pass-role and trust:<role>: the messages, hints and evidence the earlier mutation runs left
// untested (issue 20): several statements or operators named in one message, IAM's answer that
// depends on the request's context, and the permissions boundary named in a boundary denial.
// A separate file from pass-role.test.ts / role-trust.test.ts so that an incremental mutation run
// reuses the earlier results.
//
// AWS behaviour relied on:
// - iam:SimulatePrincipalPolicy returns MissingContextValues when the policies test keys the request did
//   not give, and PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary false when the boundary
//   denies (https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html);
// - an explicit Deny in a trust policy wins over its Allows
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
import { describe, expect, it } from "vitest";
import { checkPassRole, passRoleStatement } from "../../../src/checks/pass-role.js";
import { checkRoleTrust } from "../../../src/checks/role-trust.js";
import type { PolicyDocument, PolicyStatement } from "../../../src/aws/ports.js";
import { checkContext } from "./check-context.js";
import { accessDenied, healthyWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const target = makeTarget();
const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });
const ecs = { Service: "ecs-tasks.amazonaws.com" };

async function trustCheck(trust: PolicyDocument) {
  const world = healthyWorld(target);
  world.account(target.account).roles.get("shop-api-task")!.trustPolicy = trust;
  return checkRoleTrust(await checkContext(world, target), "taskRole");
}

describe("trust:<role>: several statements or operators in one message", () => {
  it("every Deny that applies is named, comma-separated, in the message and the hint", async () => {
    const r = await trustCheck(
      doc(
        { Effect: "Allow", Principal: ecs, Action: "sts:AssumeRole" },
        { Sid: "NoEcs", Effect: "Deny", Principal: ecs, Action: "sts:AssumeRole" },
        { Sid: "NoOne", Effect: "Deny", Principal: "*", Action: "sts:*" },
      ),
    );
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(
      `${target.taskRole}'s trust policy denies ecs-tasks.amazonaws.com (trust:shop-api-task#NoEcs, trust:shop-api-task#NoOne)`,
    );
    expect(r.hint).toBe(
      `Remove or narrow the Deny (trust:shop-api-task#NoEcs, trust:shop-api-task#NoOne) in the trust policy of ${target.taskRole}.`,
    );
  });

  it("every operator deployer does not evaluate is named, comma-separated", async () => {
    const r = await trustCheck(
      doc({
        Effect: "Allow",
        Principal: ecs,
        Action: "sts:AssumeRole",
        Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" }, BinaryEquals: { "aws:x": "AA==" } },
      }),
    );
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(
      `${target.taskRole}'s trust policy uses condition operators deployer does not evaluate (IpAddress, BinaryEquals)`,
    );
  });
});

describe("pass-role: what the message, hint and evidence say", () => {
  it("evaluated locally from several statements: each is named, comma-separated", async () => {
    const world = healthyWorld(target);
    const acct = world.account(target.account);
    acct.failures.set("simulatePrincipalPolicy", accessDenied("iam:SimulatePrincipalPolicy", target.deployRole));
    acct.inline.set("deployer", {
      a: doc({ Sid: "One", Effect: "Allow", Action: "iam:PassRole", Resource: target.taskRole }),
      b: doc({ Sid: "Two", Effect: "Allow", Action: "iam:Pass*", Resource: "*" }),
    });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("pass");
    expect(r.message).toBe(
      `${target.deployRole} may pass ${target.taskRole} to ecs-tasks.amazonaws.com (evaluated locally: inline:a#One, inline:b#Two)`,
    );
  });

  it("IAM's answer depends on context deployer cannot know: unverified, naming the keys, with the hint to check by hand", async () => {
    const world = healthyWorld(target);
    world.account(target.account).simulation.set(target.taskRole, "implicitDeny");
    world.account(target.account).simulationDetails.set(target.taskRole, { missingContextValues: ["aws:SourceVpce"] });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(
      `could not decide whether ${target.deployRole} may pass ${target.taskRole}: IAM's answer (implicitDeny) depends on condition keys deployer cannot know before the task runs (aws:SourceVpce)`,
    );
    expect(r.hint).toBe(
      `The answer depends on the request's context; check by hand that ${target.deployRole} may pass ${target.taskRole} to ecs-tasks.amazonaws.com. --strict turns this warning into an error.`,
    );
    expect(r.evidence).toEqual({
      method: "iam:SimulatePrincipalPolicy",
      decision: "unverified",
      roleArn: target.taskRole,
      missingContextValues: ["aws:SourceVpce"],
    });
  });

  it("IAM says the permissions boundary denies: the message and hint name the boundary read from the role", async () => {
    const world = healthyWorld(target);
    const acct = world.account(target.account);
    const boundary = "arn:aws:iam::222222222222:policy/deployer-boundary";
    acct.roles.get("deployer")!.permissionsBoundaryArn = boundary;
    acct.simulation.set(target.taskRole, "implicitDeny");
    acct.simulationDetails.set(target.taskRole, { allowedByPermissionsBoundary: false });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(
      `${target.deployRole} may not iam:PassRole ${target.taskRole} to ecs-tasks.amazonaws.com: the permissions boundary ${boundary} of ${target.deployRole} denies iam:PassRole on ${target.taskRole}`,
    );
    expect(r.hint).toContain(`Allow it in the permissions boundary ${boundary} of ${target.deployRole}`);
    expect(r.hint).toContain(JSON.stringify(passRoleStatement(target.taskRole)));
    expect(r.evidence).toMatchObject({ method: "iam:SimulatePrincipalPolicy", deniedBy: "boundary" });
  });
});
