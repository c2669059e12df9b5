import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPassRole, passRoleCheckId, passRoleStatement } from "../../../src/checks/pass-role.js";
import { checkContext } from "./check-context.js";
import { accessDenied, awsException, healthyWorld } from "../../helpers/fake-aws.js";
import { makeTarget, EXAMPLE } from "../../helpers/factories.js";

const target = makeTarget();
const allowPass = (resource: string | string[]) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "PassToEcs",
      Effect: "Allow" as const,
      Action: "iam:PassRole",
      Resource: resource,
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
  ],
});

function simulationDenied() {
  const world = healthyWorld(target);
  world.account(target.account).failures.set("simulatePrincipalPolicy", accessDenied("iam:SimulatePrincipalPolicy", target.deployRole));
  return world;
}

describe("check: pass-role", () => {
  it("passes when IAM's simulation allows, asking with PassedToService", async () => {
    const world = healthyWorld(target);
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r).toMatchObject({
      id: "pass-role:taskRole",
      verdict: "pass",
      evidence: { method: "iam:SimulatePrincipalPolicy", decision: "allowed" },
    });
    // One simulation for PassRole and the deploy role's own writes (deploy-role.ts).
    const call = world.calls.find((c) => c.method === "simulatePrincipalPolicy")!;
    const [source, actions, resources, context] = call.args as [string, string[], string[], { key: string; values: string[] }[]];
    expect(source).toBe(target.deployRole);
    expect(actions).toEqual(["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:TagResource", "ecs:UpdateService"]);
    expect(resources.slice(0, 2)).toEqual([target.taskRole, target.executionRole]);
    expect(context).toContainEqual({ key: "iam:PassedToService", type: "string", values: ["ecs-tasks.amazonaws.com"] });
  });

  it("asks IAM once for both roles: the two checks share one simulation", async () => {
    const world = healthyWorld(target);
    const ctx = await checkContext(world, target);
    const [task, exec] = await Promise.all([checkPassRole(ctx, "taskRole"), checkPassRole(ctx, "executionRole")]);
    expect([task.verdict, exec.verdict]).toEqual(["pass", "pass"]);
    expect(world.calls.filter((c) => c.method === "simulatePrincipalPolicy")).toHaveLength(1);
  });

  it("fails PASSROLE_DENIED at the role's line, with the statement to add, when the simulation denies", async () => {
    const world = healthyWorld(target);
    world.account(target.account).simulation.set(target.executionRole, "implicitDeny");
    const r = await checkPassRole(await checkContext(world, target), "executionRole");
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({
      code: "PASSROLE_DENIED",
      target: "dev",
      account: "222222222222",
      action: "iam:PassRole",
      resource: target.executionRole,
      field: "executionRole",
      location: { file: path.join(EXAMPLE, "environments", "dev.yaml"), line: 9 },
    });
    expect(r.hint).toContain('"iam:PassedToService":"ecs-tasks.amazonaws.com"');
    expect(r.hint).toContain(target.executionRole);
    expect(r.evidence).toMatchObject({ method: "iam:SimulatePrincipalPolicy", decision: "implicitDeny" });
  });

  it("falls back to local evaluation of the role's policies when the simulation is denied: allowed", async () => {
    const world = simulationDenied();
    world.account(target.account).inline.set("deployer", { deploy: allowPass([target.taskRole, target.executionRole]) });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("pass");
    expect(r.evidence).toMatchObject({
      method: "local-evaluation",
      decision: "allowed",
      matchedStatements: ["inline:deploy#PassToEcs"],
      simulateError: "AccessDenied",
    });
  });

  it("falls back to local evaluation: an attached policy without the role fails", async () => {
    const world = simulationDenied();
    world
      .account(target.account)
      .attached.set("deployer", { "arn:aws:iam::222222222222:policy/deploy": allowPass("arn:aws:iam::222222222222:role/other-*") });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.error?.code).toBe("PASSROLE_DENIED");
    expect(r.evidence).toMatchObject({
      method: "local-evaluation",
      decision: "implicitDeny",
      policiesRead: ["arn:aws:iam::222222222222:policy/deploy"],
    });
  });

  it("local evaluation honours an explicit Deny and names it", async () => {
    const world = simulationDenied();
    world.account(target.account).inline.set("deployer", {
      deploy: allowPass("*"),
      guard: {
        Version: "2012-10-17",
        Statement: [{ Sid: "NoTaskRole", Effect: "Deny", Action: "iam:PassRole", Resource: target.taskRole }],
      },
    });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.evidence).toMatchObject({ decision: "explicitDeny", matchedStatements: ["inline:guard#NoTaskRole"] });
    expect(r.hint).toContain("inline:guard#NoTaskRole");
  });

  it("local evaluation applies the permissions boundary", async () => {
    const world = simulationDenied();
    const acct = world.account(target.account);
    acct.inline.set("deployer", { deploy: allowPass("*") });
    acct.roles.get("deployer")!.permissionsBoundaryArn = "arn:aws:iam::222222222222:policy/boundary";
    acct.managed.set("arn:aws:iam::222222222222:policy/boundary", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "ecs:*", Resource: "*" }],
    });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.evidence).toMatchObject({
      method: "local-evaluation",
      decision: "implicitDeny",
      boundary: "arn:aws:iam::222222222222:policy/boundary",
    });
  });

  it("is unverified, not pass, when policies allow but the boundary cannot be read", async () => {
    const world = simulationDenied();
    const acct = world.account(target.account);
    acct.canReadManagedPolicies = false;
    acct.inline.set("deployer", { deploy: allowPass("*") });
    acct.roles.get("deployer")!.permissionsBoundaryArn = "arn:aws:iam::222222222222:policy/boundary";
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("unverified");
    expect(r.message).toContain("boundary");
  });

  it("is unverified (PASSROLE_UNVERIFIED) when neither simulation nor reading the policies works", async () => {
    const world = simulationDenied();
    world.account(target.account).failures.set("listInlinePolicies", accessDenied("iam:ListRolePolicies", target.deployRole));
    const r = await checkPassRole(await checkContext(world, target), "executionRole");
    expect(r.verdict).toBe("unverified");
    expect(r.error).toMatchObject({ code: "PASSROLE_UNVERIFIED", field: "executionRole", location: { line: 9 }, awsCode: "AccessDenied" });
    expect(r.hint).toContain("iam:SimulatePrincipalPolicy");
    expect(r.evidence).toMatchObject({ method: "none" });
  });

  it("falls back too when the simulation fails for another reason (raw SDK error)", async () => {
    const world = healthyWorld(target);
    const acct = world.account(target.account);
    acct.failures.set("simulatePrincipalPolicy", awsException("ServiceFailureException", "iam:SimulatePrincipalPolicy"));
    acct.inline.set("deployer", { deploy: allowPass(target.taskRole) });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("pass");
    expect(r.evidence).toMatchObject({ method: "local-evaluation", simulateError: "ServiceFailureException" });
  });

  it("local evaluation: an unsupported condition operator makes it unverified, never pass", async () => {
    const world = simulationDenied();
    world.account(target.account).inline.set("deployer", {
      deploy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }],
      },
    });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("unverified");
    expect(r.evidence).toMatchObject({ unsupported: ["IpAddress"] });
  });

  it("local evaluation: an explicit Deny fails even when another statement uses an operator deployer does not evaluate", async () => {
    const world = simulationDenied();
    world.account(target.account).inline.set("deployer", {
      deploy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }],
      },
      guard: {
        Version: "2012-10-17",
        Statement: [{ Sid: "NoTaskRole", Effect: "Deny", Action: "iam:PassRole", Resource: target.taskRole }],
      },
    });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({ code: "PASSROLE_DENIED" });
    expect(r.evidence).toMatchObject({
      method: "local-evaluation",
      decision: "explicitDeny",
      matchedStatements: ["inline:guard#NoTaskRole"],
    });
  });

  it("reads the deploy role's policies once for both roles", async () => {
    const world = simulationDenied();
    world.account(target.account).inline.set("deployer", { deploy: allowPass("*") });
    const ctx = await checkContext(world, target);
    const [a, b] = await Promise.all([checkPassRole(ctx, "taskRole"), checkPassRole(ctx, "executionRole")]);
    expect([a.verdict, b.verdict]).toEqual(["pass", "pass"]);
    expect(world.calls.filter((c) => c.method === "listInlinePolicies")).toHaveLength(1);
  });

  it("names the check after the role; says who may pass what when IAM allows", async () => {
    const r = await checkPassRole(await checkContext(healthyWorld(target), target), "executionRole");
    expect([r.id, r.title]).toEqual(["pass-role:executionRole", "deploy role can pass the execution role to ecs-tasks.amazonaws.com"]);
    expect(passRoleCheckId("taskRole")).toBe("pass-role:taskRole");
    expect(r.message).toBe(`${target.deployRole} may pass ${target.executionRole} to ecs-tasks.amazonaws.com`);
    expect(r.evidence).toEqual({
      method: "iam:SimulatePrincipalPolicy",
      decision: "allowed",
      matchedStatements: [],
      roleArn: target.executionRole,
    });
  });

  it("the statement to add is a PassRole of exactly that role to ECS tasks", () => {
    expect(passRoleStatement("arn:aws:iam::222222222222:role/x")).toEqual({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: "arn:aws:iam::222222222222:role/x",
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
  });

  it("IAM's explicit Deny fails, with a hint to narrow the Deny, not to add an Allow", async () => {
    const world = healthyWorld(target);
    world.account(target.account).simulation.set(target.taskRole, "explicitDeny");
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(
      `${target.deployRole} may not iam:PassRole ${target.taskRole} to ecs-tasks.amazonaws.com: a Deny statement forbids ${target.deployRole} iam:PassRole on ${target.taskRole}`,
    );
    expect(r.hint).toBe(
      `Narrow the Deny so it no longer covers this request; ${target.deployRole} needs: ${JSON.stringify(passRoleStatement(target.taskRole))}`,
    );
    expect(r.evidence).toEqual({
      method: "iam:SimulatePrincipalPolicy",
      decision: "explicitDeny",
      deniedBy: "explicit-deny",
      matchedStatements: [],
      roleArn: target.taskRole,
    });
  });

  it("IAM's implicit deny: the hint is the statement to add, and where the role is configured", async () => {
    const world = healthyWorld(target);
    world.account(target.account).simulation.set(target.taskRole, "implicitDeny");
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.message).toBe(
      `${target.deployRole} may not iam:PassRole ${target.taskRole} to ecs-tasks.amazonaws.com: no policy of ${target.deployRole} allows iam:PassRole on ${target.taskRole}`,
    );
    expect(r.evidence).toMatchObject({ method: "iam:SimulatePrincipalPolicy", decision: "implicitDeny", deniedBy: "no-allow" });
    expect(r.hint).toMatch(
      new RegExp(
        `^Add to a policy of ${target.deployRole}: ${JSON.stringify(passRoleStatement(target.taskRole)).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(or fix \`taskRole\` in `,
      ),
    );
  });

  it("an answer from IAM it does not know is not trusted: the role's policies decide", async () => {
    const world = healthyWorld(target);
    world.account(target.account).simulation.set(target.taskRole, "maybe");
    world.account(target.account).inline.set("deployer", { deploy: allowPass(target.taskRole) });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("pass");
    expect(r.evidence).toMatchObject({ method: "local-evaluation" });
    expect(r.message).toBe(
      `${target.deployRole} may pass ${target.taskRole} to ecs-tasks.amazonaws.com (evaluated locally: inline:deploy#PassToEcs)`,
    );
  });

  it("local evaluation: the evidence says what was read and what local evaluation cannot see", async () => {
    const world = simulationDenied();
    world.account(target.account).inline.set("deployer", { deploy: allowPass(target.taskRole) });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.evidence).toEqual({
      method: "local-evaluation",
      decision: "allowed",
      matchedStatements: ["inline:deploy#PassToEcs"],
      policiesRead: ["inline:deploy"],
      boundary: null,
      simulateError: "AccessDenied",
      note: "local evaluation reads the role's identity policies and boundary; SCPs and session policies are not visible to it",
      roleArn: target.taskRole,
    });
  });

  it("local evaluation of an unsupported operator and of an unreadable boundary: messages and hints", async () => {
    const world = simulationDenied();
    world.account(target.account).inline.set("deployer", {
      deploy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }],
      },
    });
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.message).toBe(
      `could not decide whether ${target.deployRole} may pass ${target.taskRole}: the role's policies use condition operators deployer does not evaluate (IpAddress)`,
    );
    expect(r.hint).toBe(
      `Allow deployer's role iam:SimulatePrincipalPolicy on ${target.deployRole} so IAM can answer, or check the policies by hand.`,
    );

    const w2 = simulationDenied();
    const acct = w2.account(target.account);
    acct.canReadManagedPolicies = false;
    acct.inline.set("deployer", { deploy: allowPass("*") });
    acct.roles.get("deployer")!.permissionsBoundaryArn = "arn:aws:iam::222222222222:policy/boundary";
    const b = await checkPassRole(await checkContext(w2, target), "taskRole");
    expect(b.verdict).toBe("unverified");
    // Why the boundary could not be read is in the message (it was in evidence.boundaryError before issue 13).
    expect(b.message).toBe(
      `could not decide whether ${target.deployRole} may pass ${target.taskRole}: the role's policies allow it, but its permissions boundary arn:aws:iam::222222222222:policy/boundary could not be read (no way to read managed policies)`,
    );
    expect(b.hint).toBe(
      `Allow deployer's role iam:SimulatePrincipalPolicy on ${target.deployRole} so IAM can answer, or check the policies by hand.`,
    );
    expect(b.evidence).toMatchObject({
      method: "local-evaluation",
      decision: "unverified",
      boundary: "arn:aws:iam::222222222222:policy/boundary",
    });
  });

  it("neither simulation nor reading works: the message names both failures", async () => {
    const world = simulationDenied();
    world.account(target.account).failures.set("listInlinePolicies", accessDenied("iam:ListRolePolicies", target.deployRole));
    const r = await checkPassRole(await checkContext(world, target), "taskRole");
    expect(r.message).toBe(
      `could not verify that ${target.deployRole} may pass ${target.taskRole}: iam:SimulatePrincipalPolicy failed (AccessDenied) and reading the role's policies failed (iam:ListRolePolicies: AccessDenied)`,
    );
    expect(r.error).toMatchObject({ action: "iam:PassRole", resource: target.taskRole, field: "taskRole" });
    expect(r.evidence).toMatchObject({
      method: "none",
      roleArn: target.taskRole,
      simulateError: expect.any(String),
      readError: expect.any(String),
    });
  });

  it('IAM\'s answer for the resource "*" counts when it is its only answer for the action; no answer for the role is not a pass', async () => {
    const answer = (results: Array<{ action: string; resource: string; decision: string }>) => async () => {
      const ctx = await checkContext(healthyWorld(target), target);
      Object.assign(ctx.session.iam, {
        simulatePrincipalPolicy: async () => results.map((r) => ({ ...r, matchedStatements: [], missingContextValues: [] })),
      });
      return checkPassRole(ctx, "taskRole");
    };
    // A simulation answered for "*" only (no per-resource results): that answer covers every resource.
    const wildcard = await answer([
      { action: "IAM:PassRole", resource: "*", decision: "allowed" },
      { action: "iam:GetRole", resource: "arn:aws:iam::222222222222:role/other", decision: "implicitDeny" },
    ])();
    expect(wildcard).toMatchObject({ verdict: "pass", evidence: { method: "iam:SimulatePrincipalPolicy" } });
    // Per-resource answers, none for the role: the "*" one is not about it, so IAM did not answer for the
    // role and the role's policies decide (the healthy world's deploy role has none: no Allow).
    const otherResource = await answer([
      { action: "iam:PassRole", resource: "arn:aws:iam::222222222222:role/other", decision: "allowed" },
      { action: "iam:PassRole", resource: "*", decision: "allowed" },
    ])();
    expect(otherResource).toMatchObject({ verdict: "fail", evidence: { method: "local-evaluation", decision: "implicitDeny" } });
    const exactFirst = await answer([
      { action: "iam:PassRole", resource: "*", decision: "allowed" },
      { action: "iam:PassRole", resource: target.taskRole, decision: "explicitDeny" },
    ])();
    expect(exactFirst).toMatchObject({ verdict: "fail", evidence: { decision: "explicitDeny" } });
    const otherAction = await answer([{ action: "iam:GetRole", resource: "*", decision: "allowed" }])();
    // No answer for PassRole: the role's policies are read (the healthy world's deploy role has none).
    expect(otherAction.verdict).not.toBe("pass");
    expect(otherAction.evidence).toMatchObject({ method: "local-evaluation" });
  });
});
