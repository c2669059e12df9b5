import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPassRole } from "../../../src/checks/pass-role.js";
import { checkContext } from "./check-context.js";
import { accessDenied, awsException, healthyWorld } from "../../helpers/fake-aws.js";
import { makeTarget, ROOT } from "../../helpers/factories.js";

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
    const call = world.calls.find((c) => c.method === "simulatePrincipalPolicy")!;
    expect(call.args).toEqual([
      target.deployRole,
      ["iam:PassRole"],
      [target.taskRole, target.executionRole],
      [{ key: "iam:PassedToService", type: "string", values: ["ecs-tasks.amazonaws.com"] }],
    ]);
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
      location: { file: path.join(ROOT, "environments", "dev.yaml"), line: 9 },
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
});
