import { describe, expect, it } from "vitest";
import { checkRoleTrust, ecsTrustStatement } from "../../../src/checks/role-trust.js";
import { checkContext } from "./check-context.js";
import { accessDenied, healthyWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const target = makeTarget();

describe("check: role trust", () => {
  it("passes when the trust policy admits ecs-tasks for this account", async () => {
    const r = await checkRoleTrust(await checkContext(healthyWorld(target), target), "taskRole");
    expect(r).toMatchObject({ id: "trust:taskRole", verdict: "pass" });
    expect(r.evidence).toMatchObject({ decision: "allowed", requestContext: { "aws:SourceAccount": "222222222222" } });
    expect((r.evidence as { requestContext: Record<string, string> }).requestContext["aws:SourceArn"]).toMatch(
      /^arn:aws:ecs:eu-west-1:222222222222:task\/shop-dev\//,
    );
  });

  it("fails ROLE_NOT_FOUND at the role's line when GetRole finds nothing", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.delete("shop-api-exec");
    const r = await checkRoleTrust(await checkContext(world, target), "executionRole");
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({
      code: "ROLE_NOT_FOUND",
      action: "iam:GetRole",
      resource: target.executionRole,
      awsCode: "NoSuchEntity",
      field: "executionRole",
      location: { line: 9 },
    });
  });

  it("fails ROLE_NOT_FOUND when the role exists under another path", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.get("shop-api-task")!.arn = "arn:aws:iam::222222222222:role/ecs/shop-api-task";
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.error?.code).toBe("ROLE_NOT_FOUND");
    expect(r.hint).toContain("arn:aws:iam::222222222222:role/ecs/shop-api-task");
  });

  it("fails without calling AWS when the role is in another account", async () => {
    const t = makeTarget({ taskRole: "arn:aws:iam::999999999999:role/shop-api-task" });
    const world = healthyWorld(t);
    const r = await checkRoleTrust(await checkContext(world, t), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({ code: "CONFIG_INVALID", field: "taskRole", location: { line: 8 } });
    expect(world.calls.some((c) => c.method === "getRole")).toBe(false);
  });

  it("fails ROLE_NOT_TRUSTED with the statement to add when the role trusts another service", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.get("shop-api-task")!.trustPolicy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({
      code: "ROLE_NOT_TRUSTED",
      action: "sts:AssumeRole",
      resource: target.taskRole,
      field: "taskRole",
      location: { line: 8 },
    });
    expect(r.hint).toContain(JSON.stringify(ecsTrustStatement("222222222222", "eu-west-1")));
  });

  it("fails ROLE_NOT_TRUSTED when aws:SourceAccount admits another account only", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.get("shop-api-task")!.trustPolicy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "999999999999" } },
        },
      ],
    };
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.error?.code).toBe("ROLE_NOT_TRUSTED");
  });

  it("passes with an ArnLike aws:SourceArn condition on this account's ECS", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.get("shop-api-task")!.trustPolicy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:*" } },
        },
      ],
    };
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("pass");
  });

  it("is unverified when GetRole is denied", async () => {
    const world = healthyWorld(target);
    world.account(target.account).failures.set("getRole", accessDenied("iam:GetRole", target.taskRole));
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("unverified");
    expect(r.error).toMatchObject({ code: "ACCESS_DENIED", action: "iam:GetRole" });
    expect(r.hint).toContain("iam:GetRole");
  });
});
