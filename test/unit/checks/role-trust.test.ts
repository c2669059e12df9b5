import { describe, expect, it } from "vitest";
import { checkRoleTrust, ecsTrustStatement, representativeTaskArn, trustCheckId } from "../../../src/checks/role-trust.js";
import { checkContext } from "./check-context.js";
import { accessDenied, awsException, healthyWorld } from "../../helpers/fake-aws.js";
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

  it("names the check and the role in its title", async () => {
    const task = await checkRoleTrust(await checkContext(healthyWorld(target), target), "taskRole");
    const exec = await checkRoleTrust(await checkContext(healthyWorld(target), target), "executionRole");
    expect([task.id, task.title]).toEqual(["trust:taskRole", "task role trusts ecs-tasks.amazonaws.com"]);
    expect([exec.id, exec.title]).toEqual(["trust:executionRole", "execution role trusts ecs-tasks.amazonaws.com"]);
    expect(trustCheckId("executionRole")).toBe("trust:executionRole");
    expect(task.message).toBe(`${target.taskRole} trusts ecs-tasks.amazonaws.com for tasks of 222222222222`);
  });

  it("the statement to add and the task ARN asked about are exactly what ECS uses", () => {
    expect(ecsTrustStatement("222222222222", "eu-west-1")).toEqual({
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": "222222222222" },
        ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:*" },
      },
    });
    expect(representativeTaskArn({ target })).toBe("arn:aws:ecs:eu-west-1:222222222222:task/shop-dev/00000000000000000000000000000000");
  });

  it("a role that does not exist: the message and hint say to create it", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.delete("shop-api-task");
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.message).toBe(`role ${target.taskRole} does not exist`);
    expect(r.hint).toMatch(/^Create the role in 222222222222 \(trusting ecs-tasks\.amazonaws\.com\), or fix `taskRole` in /);
    expect(r.evidence).toMatchObject({ method: "iam:GetRole", roleArn: target.taskRole, found: null });
  });

  it("a role under another path: the message names the ARN found, no NoSuchEntity", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.get("shop-api-task")!.arn = "arn:aws:iam::222222222222:role/ecs/shop-api-task";
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(`no role ${target.taskRole}: the role named shop-api-task is arn:aws:iam::222222222222:role/ecs/shop-api-task`);
    expect(r.error?.awsCode).toBeUndefined();
    expect(r.evidence).toMatchObject({ found: "arn:aws:iam::222222222222:role/ecs/shop-api-task" });
  });

  it("a role of another account: the error says which account, with a hint, and names no AWS call", async () => {
    const t = makeTarget({ taskRole: "arn:aws:iam::999999999999:role/shop-api-task" });
    const r = await checkRoleTrust(await checkContext(healthyWorld(t), t), "taskRole");
    expect(r.message).toBe("taskRole arn:aws:iam::999999999999:role/shop-api-task is not a role of the target's account 222222222222");
    expect(r.error).toMatchObject({ resource: "arn:aws:iam::999999999999:role/shop-api-task" });
    expect(r.hint).toMatch(/^ECS only uses roles of the service's own account: point `taskRole` in .* at a role in 222222222222\.$/);
    expect(r.evidence).toEqual({ roleArn: "arn:aws:iam::999999999999:role/shop-api-task", roleAccount: "999999999999" });
  });

  it("a GetRole failure other than a denial fails the check (never a guessed pass)", async () => {
    const world = healthyWorld(target);
    world.account(target.account).failures.set("getRole", awsException("ServiceFailureException", "iam:GetRole"));
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.message).toMatch(new RegExp(`^could not read ${target.taskRole.replace(/[/.]/g, "\\$&")}: `));
    expect(r.evidence).toEqual({ roleArn: target.taskRole });
  });

  it("GetRole denied: unverified, with the permission to grant in the hint", async () => {
    const world = healthyWorld(target);
    world.account(target.account).failures.set("getRole", accessDenied("iam:GetRole", target.taskRole));
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.message).toBe(`could not read ${target.taskRole} (iam:GetRole denied): its trust policy is unverified`);
    expect(r.hint).toBe(
      `Allow ${target.deployRole} iam:GetRole on ${target.taskRole} so deployer can check the trust policy. --strict turns this warning into an error.`,
    );
    expect(r.evidence).toEqual({ method: "iam:GetRole", roleArn: target.taskRole });
  });

  it("an explicit Deny of ecs-tasks fails, naming the Deny to narrow", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.get("shop-api-task")!.trustPolicy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
        { Sid: "NoEcs", Effect: "Deny", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    };
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.error?.code).toBe("ROLE_NOT_TRUSTED");
    expect(r.message).toMatch(new RegExp(`trust policy denies ecs-tasks\\.amazonaws\\.com \\(.*NoEcs.*\\)$`));
    expect(r.hint).toMatch(/^Remove or narrow the Deny \(.*NoEcs.*\) in the trust policy of /);
    expect(r.evidence).toMatchObject({
      method: "local-evaluation",
      decision: "explicitDeny",
      matchedStatements: ["trust:shop-api-task#NoEcs"],
    });
  });

  it("an explicit Deny fails even when another trust statement uses an operator deployer does not evaluate", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.get("shop-api-task")!.trustPolicy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
        },
        { Sid: "NoEcs", Effect: "Deny", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    };
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.error?.code).toBe("ROLE_NOT_TRUSTED");
    expect(r.evidence).toMatchObject({ decision: "explicitDeny", matchedStatements: ["trust:shop-api-task#NoEcs"] });
  });

  it("a trust policy deployer cannot evaluate is unverified (never pass), naming the operator", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.get("shop-api-task")!.trustPolicy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
        },
      ],
    };
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(`${target.taskRole}'s trust policy uses condition operators deployer does not evaluate (IpAddress)`);
    expect(r.hint).toBe("Check by hand that it lets ecs-tasks.amazonaws.com assume it for account 222222222222.");
    expect(r.evidence).toMatchObject({ unsupported: ["IpAddress"], decision: "implicitDeny" });
  });

  it("not trusted: the message says for which account", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.get("shop-api-task")!.trustPolicy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
    const r = await checkRoleTrust(await checkContext(world, target), "taskRole");
    expect(r.message).toBe(`${target.taskRole}'s trust policy does not let ecs-tasks.amazonaws.com assume it for tasks of 222222222222`);
    expect(r.hint).toMatch(/^Add this statement to the trust policy of .* \(aws iam update-assume-role-policy\): \{/);
    expect(r.evidence).toMatchObject({
      method: "local-evaluation",
      roleArn: target.taskRole,
      decision: "implicitDeny",
      matchedStatements: [],
      requestContext: { "aws:SourceAccount": "222222222222", "aws:SourceArn": representativeTaskArn({ target }) },
    });
  });
});
