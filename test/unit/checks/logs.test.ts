// Check `logs` (src/checks/logs.ts): every awslogs group exists (or the task creates it, and may), and
// the execution role may create streams and put events in it; otherwise the tasks stop with
// ResourceInitializationError (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html).
import { describe, expect, it } from "vitest";
import { checkLogs } from "../../../src/checks/logs.js";
import type { CheckResult } from "../../../src/checks/check-result.js";
import { DeployerError } from "../../../src/errors.js";
import { accessDenied, type FakeWorld } from "../../helpers/fake-aws.js";
import { EXEC, GROUP, GROUP_ARN, STREAM_ARN, awslogs, callsTo, launchContext, launchWorld, target } from "./launch-fixtures.js";

const STRICT = "--strict turns this warning into an error.";
const STREAM_STATEMENT = `{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"${GROUP_ARN}:*"}`;
const CREATE_STATEMENT = `{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"${GROUP_ARN}"}`;
const STOPS = "ECS would stop the tasks with ResourceInitializationError";

async function run(world: FakeWorld, options: Record<string, string> = {}): Promise<CheckResult> {
  return checkLogs(await launchContext(world, awslogs(options)));
}

async function one(world: FakeWorld, options: Record<string, string> = {}): Promise<CheckResult> {
  const r = await run(world, options);
  expect(r.children).toHaveLength(1);
  return r.children![0]!;
}

function set(world: FakeWorld, action: string, resource: string, decision: string, details: Record<string, unknown> = {}): FakeWorld {
  world.account(target.account).simulation.set(`${action} ${resource}`, decision);
  world.account(target.account).simulationDetails.set(`${action} ${resource}`, details);
  return world;
}

function noGroup(): FakeWorld {
  const world = launchWorld();
  world.account(target.account).logGroups.clear();
  return world;
}

describe("check: logs", () => {
  it("passes when no container uses the awslogs driver", async () => {
    const r = await checkLogs(await launchContext(launchWorld()));
    expect(r).toMatchObject({ id: "logs", verdict: "pass", message: "no container uses the awslogs driver" });
    expect(r.children).toBeUndefined();
  });

  it("passes an existing group the execution role may write, with the evidence of each action", async () => {
    const world = launchWorld();
    const r = await run(world);
    expect(r).toMatchObject({ id: "logs", verdict: "pass", message: `${GROUP}: ready for ${EXEC}` });
    const c = r.children![0]!;
    expect(c).toMatchObject({
      id: "logs:app",
      title: `log group ${GROUP} (eu-west-1) of container app`,
      verdict: "pass",
      message: `${GROUP} exists; ${EXEC} may write it`,
    });
    expect(c.evidence).toEqual({
      group: GROUP,
      region: "eu-west-1",
      createGroup: false,
      exists: true,
      "logs:CreateLogStream": { method: "iam:SimulatePrincipalPolicy", decision: "allowed", matchedStatements: [] },
      "logs:PutLogEvents": { method: "iam:SimulatePrincipalPolicy", decision: "allowed", matchedStatements: [] },
    });
    expect(callsTo(world, "describeLogGroup")).toEqual([["eu-west-1", GROUP]]);
  });

  it("fails LOG_GROUP_NOT_FOUND for a missing group the task does not create, with both fixes", async () => {
    const c = await one(noGroup());
    expect(c.verdict).toBe("fail");
    expect(c.message).toBe(`log group ${GROUP} does not exist in 222222222222/eu-west-1: ${STOPS}`);
    expect(c.hint).toBe(
      `Create it (aws logs create-log-group --region eu-west-1 --log-group-name ${GROUP}), or set "awslogs-create-group": "true" in the container's logConfiguration.options and allow ${EXEC}: ${CREATE_STATEMENT}`,
    );
    expect(c.error).toMatchObject({ code: "LOG_GROUP_NOT_FOUND", action: "logs:DescribeLogGroups", resource: GROUP_ARN, target: "dev" });
    expect(c.evidence).toMatchObject({ exists: false, createGroup: false });
  });

  it("passes a missing group the task creates when the execution role may create it", async () => {
    const c = await one(noGroup(), { "awslogs-create-group": "true" });
    expect(c.verdict).toBe("pass");
    expect(c.message).toBe(`${GROUP} is created by the task; ${EXEC} may write it`);
    expect(c.evidence).toMatchObject({ createGroup: true, exists: false, "logs:CreateLogGroup": { decision: "allowed" } });
  });

  it("fails when awslogs-create-group is set and logs:CreateLogGroup is denied, even if the group exists", async () => {
    const c = await one(set(launchWorld(), "logs:CreateLogGroup", GROUP_ARN, "implicitDeny"), { "awslogs-create-group": "true" });
    expect(c.verdict).toBe("fail");
    expect(c.message).toBe(`no policy of ${EXEC} allows logs:CreateLogGroup on ${GROUP_ARN}: ${STOPS}`);
    expect(c.hint).toBe(`Add to a policy of ${EXEC}: ${CREATE_STATEMENT}`);
    expect(c.error).toMatchObject({ code: "EXECUTION_ROLE_DENIED", action: "logs:CreateLogGroup", resource: GROUP_ARN });
  });

  it("fails when the execution role may not create log streams, with the statement to add", async () => {
    const c = await one(set(launchWorld(), "logs:CreateLogStream", STREAM_ARN, "implicitDeny"));
    expect(c.verdict).toBe("fail");
    expect(c.message).toBe(`no policy of ${EXEC} allows logs:CreateLogStream on ${STREAM_ARN}: ${STOPS}`);
    expect(c.hint).toBe(`Add to a policy of ${EXEC}: ${STREAM_STATEMENT}`);
    expect(c.error).toMatchObject({ code: "EXECUTION_ROLE_DENIED", action: "logs:CreateLogStream", resource: STREAM_ARN, hint: c.hint });
    expect(c.evidence).toMatchObject({ "logs:CreateLogStream": { decision: "denied", deniedBy: "no-allow" } });
  });

  it("names the Deny statement that forbids putting events", async () => {
    const c = await one(set(launchWorld(), "logs:PutLogEvents", STREAM_ARN, "explicitDeny", { matchedStatements: ["inline:no-logs"] }));
    expect(c.message).toBe(`a Deny statement (inline:no-logs) forbids ${EXEC} logs:PutLogEvents on ${STREAM_ARN}: ${STOPS}`);
    expect(c.hint).toBe(`Narrow the Deny (inline:no-logs) so it no longer covers this request; ${EXEC} needs: ${STREAM_STATEMENT}`);
  });

  it("is unverified when IAM's answer depends on context deployer cannot know", async () => {
    const c = await one(set(launchWorld(), "logs:PutLogEvents", STREAM_ARN, "implicitDeny", { missingContextValues: ["aws:SourceVpc"] }));
    expect(c.verdict).toBe("unverified");
    expect(c.message).toMatch(new RegExp(`^could not verify logs:PutLogEvents for ${EXEC}: IAM's answer .*aws:SourceVpc`));
    expect(c.hint).toBe(`Check by hand that ${EXEC} may: ${STREAM_STATEMENT}. ${STRICT}`);
    // No error: nothing failed (the CheckResult carries an error only when one caused the verdict).
    expect("error" in c).toBe(false);
  });

  it("joins every unverified action when nothing fails", async () => {
    const world = set(launchWorld(), "logs:PutLogEvents", STREAM_ARN, "implicitDeny", { missingContextValues: ["aws:SourceVpc"] });
    set(world, "logs:CreateLogStream", STREAM_ARN, "implicitDeny", { missingContextValues: ["aws:SourceVpc"] });
    const c = await one(world);
    expect(c.verdict).toBe("unverified");
    expect(c.message).toMatch(/^could not verify logs:CreateLogStream .*; could not verify logs:PutLogEvents /);
    expect(c.hint).toBe(
      `Check by hand that ${EXEC} may: ${STREAM_STATEMENT}. ${STRICT} Check by hand that ${EXEC} may: ${STREAM_STATEMENT}. ${STRICT}`,
    );
  });

  it("shows only the failures (the first one's error) when some actions are merely unverified", async () => {
    const world = noGroup();
    set(world, "logs:CreateLogStream", STREAM_ARN, "implicitDeny");
    set(world, "logs:PutLogEvents", STREAM_ARN, "implicitDeny", { missingContextValues: ["aws:SourceVpc"] });
    const c = await one(world);
    expect(c.verdict).toBe("fail");
    expect(c.message).toBe(
      `log group ${GROUP} does not exist in 222222222222/eu-west-1: ${STOPS}; no policy of ${EXEC} allows logs:CreateLogStream on ${STREAM_ARN}: ${STOPS}`,
    );
    expect(c.hint).toMatch(/^Create it \(aws logs create-log-group .* Add to a policy of /);
    expect(c.hint).not.toContain("Check by hand");
    expect(c.error).toMatchObject({ code: "LOG_GROUP_NOT_FOUND" });
  });

  it("is unverified when the group cannot be read, asking to allow the deploy role logs:DescribeLogGroups", async () => {
    const world = launchWorld();
    world.account(target.account).failures.set("describeLogGroup", accessDenied("logs:DescribeLogGroups", GROUP));
    const c = await one(world);
    expect(c.verdict).toBe("unverified");
    expect(c.message).toBe(`could not read the log group ${GROUP} (logs:DescribeLogGroups: AccessDenied)`);
    expect(c.hint).toBe(`Allow ${target.deployRole} logs:DescribeLogGroups in eu-west-1. ${STRICT}`);
    expect(c.error).toMatchObject({ awsCode: "AccessDenied" });
    expect(c.evidence).toEqual({ group: GROUP, region: "eu-west-1", createGroup: false });
  });

  it("passes on the hint of a read failure that is not a refusal", async () => {
    const world = launchWorld();
    const err = new DeployerError({ code: "AWS_ERROR", message: "slow down", awsCode: "ThrottlingException", hint: "Retry later." });
    world.account(target.account).failures.set("describeLogGroup", err);
    const c = await one(world);
    expect(c).toMatchObject({
      verdict: "unverified",
      message: `could not read the log group ${GROUP} (logs:DescribeLogGroups: ThrottlingException)`,
      hint: "Retry later.",
    });
    const bare = launchWorld();
    bare.account(target.account).failures.set("describeLogGroup", new DeployerError({ code: "AWS_ERROR", message: "boom" }));
    const b = await one(bare);
    expect(b.message).toBe(`could not read the log group ${GROUP} (logs:DescribeLogGroups: AWS_ERROR)`);
  });

  it("reads and asks about the group in awslogs-region", async () => {
    const world = launchWorld();
    world.account(target.account).logGroups.add(`us-east-1 ${GROUP}`);
    const usGroup = `arn:aws:logs:us-east-1:222222222222:log-group:${GROUP}`;
    set(world, "logs:CreateLogStream", `${usGroup}:log-stream:ecs/app/00000000000000000000000000000000`, "implicitDeny");
    const c = await one(world, { "awslogs-region": "us-east-1" });
    expect(c.title).toBe(`log group ${GROUP} (us-east-1) of container app`);
    expect(c.verdict).toBe("fail");
    expect(c.hint).toContain(`"Resource":"${usGroup}:*"`);
    expect(callsTo(world, "describeLogGroup")).toEqual([["us-east-1", GROUP]]);
  });

  it("names every group in its pass message and takes the worst container's verdict", async () => {
    const world = launchWorld();
    const ctx = await launchContext(world, awslogs());
    ctx.desired.taskDefinition.containerDefinitions.push({
      name: "worker",
      image: ctx.desired.imageRef,
      logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/worker" } },
    });
    const missing = await checkLogs(ctx);
    expect(missing.children!.map((c) => [c.id, c.verdict])).toEqual([
      ["logs:app", "pass"],
      ["logs:worker", "fail"],
    ]);
    expect(missing).toMatchObject({ verdict: "fail", error: { code: "LOG_GROUP_NOT_FOUND" } });

    world.account(target.account).logGroups.add("eu-west-1 /ecs/worker");
    const ok = await checkLogs(await launchContext(world, awslogs()).then((c) => ((c.desired = ctx.desired), c)));
    expect(ok).toMatchObject({ verdict: "pass", message: `${GROUP}, /ecs/worker: ready for ${EXEC}` });
  });
});
