// Issue 17, "Preflight per service and per task": a unit that runs one-off tasks checks that the
// subnets and security groups of its service's awsvpc network exist (check task-network), and the
// deploy role's simulation asks the one-off task calls (RunTask, DescribeTasks, StopTask).
import { describe, expect, it } from "vitest";
import { checkTaskNetwork } from "../../../src/checks/task-network.js";
import { checkDeployRolePermissions, deployRoleQuestion } from "../../../src/checks/deploy-role.js";
import type { CheckContext } from "../../../src/checks/context.js";
import type { Target } from "../../../src/config/types.js";
import { checkContext } from "./check-context.js";
import { accessDenied, healthyWorld, type FakeWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const A = "222222222222";
const SUBNETS = ["subnet-0aaa", "subnet-0bbb"];
const GROUPS = ["sg-0ccc"];

function world(target: Target): FakeWorld {
  const w = healthyWorld(target);
  const acct = w.account(A);
  const key = `${target.cluster}/${target.service}`;
  acct.services.set(key, {
    ...acct.services.get(key)!,
    launch: {
      networkConfiguration: { awsvpcConfiguration: { subnets: [...SUBNETS], securityGroups: [...GROUPS], assignPublicIp: "DISABLED" } },
      launchType: "FARGATE",
    },
  });
  for (const s of SUBNETS) acct.subnets.add(s);
  for (const g of GROUPS) acct.securityGroups.add(g);
  return w;
}

/** The unit's service runs a migrate task (unless `tasks` is false, or skipTasks). */
async function ctxFor(w: FakeWorld, target: Target, opts: { tasks?: boolean; skipTasks?: boolean } = {}): Promise<CheckContext> {
  const ctx = await checkContext(w, target);
  if (opts.tasks !== false)
    ctx.project.config.services = ctx.project.config.services.map((s) => ({
      ...s,
      tasks: [{ name: "migrate", command: ["bin/migrate"], container: "app", timeoutSeconds: 600 }],
    }));
  if (opts.skipTasks) ctx.options = { ...ctx.options, skipTasks: true };
  return ctx;
}

describe("check task-network", () => {
  it("passes when every subnet and security group exists", async () => {
    const target = makeTarget();
    const r = await checkTaskNetwork(await ctxFor(world(target), target));
    expect(r.verdict, r.message).toBe("pass");
    expect(r.message).toContain("subnet-0aaa, subnet-0bbb");
  });

  it("fails naming each missing subnet and security group, and only those", async () => {
    const target = makeTarget();
    const w = world(target);
    w.account(A).subnets.delete("subnet-0bbb");
    w.account(A).securityGroups.delete("sg-0ccc");
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.verdict).toBe("fail");
    expect(r.error?.code).toBe("NETWORK_NOT_FOUND");
    expect(r.message).toContain("subnet subnet-0bbb");
    expect(r.message).toContain("security group sg-0ccc");
    expect(r.message).not.toContain("subnet-0aaa");
    expect(r.message).toContain("migrate");
    expect(r.evidence).toMatchObject({ missingSubnets: ["subnet-0bbb"], missingSecurityGroups: ["sg-0ccc"] });
  });

  it("AccessDenied: unverified, naming the action and the reading role (the viewer's when the target has one)", async () => {
    const target = makeTarget({ viewRole: `arn:aws:iam::${A}:role/deployer-viewer` });
    const w = world(target);
    w.account(A).ec2Failures.set("describeSubnets", accessDenied("ec2:DescribeSubnets", "*"));
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toContain("ec2:DescribeSubnets");
    expect(r.message).toContain("deployer-viewer");
    expect(r.hint).toContain("Allow arn:aws:iam::222222222222:role/deployer-viewer ec2:DescribeSubnets");
    expect(r.error?.code).toBe("ACCESS_DENIED");
  });

  it("skips with the reason: no task planned, --skip-tasks, no service, no awsvpc configuration", async () => {
    const target = makeTarget();
    const noTasks = await checkTaskNetwork(await ctxFor(world(target), target, { tasks: false }));
    expect([noTasks.verdict, noTasks.message]).toEqual(["skip", "no one-off task planned"]);
    const skipped = await checkTaskNetwork(await ctxFor(world(target), target, { skipTasks: true }));
    expect(skipped.verdict).toBe("skip");

    const gone = world(target);
    gone.account(A).services.delete(`${target.cluster}/${target.service}`);
    const r = await checkTaskNetwork(await ctxFor(gone, target));
    expect(r.verdict).toBe("skip");
    expect(r.message).toContain("does not exist");

    const bridge = world(target);
    const key = `${target.cluster}/${target.service}`;
    bridge.account(A).services.set(key, { ...bridge.account(A).services.get(key)!, launch: { launchType: "EC2" } });
    const b = await checkTaskNetwork(await ctxFor(bridge, target));
    expect(b.verdict).toBe("skip");
    expect(b.message).toContain("no awsvpc network configuration");
  });
});

describe("deploy-role simulation of the one-off task calls", () => {
  it("a unit with tasks asks RunTask on the task definition (with ecs:cluster), DescribeTasks and StopTask on the cluster's tasks", async () => {
    const target = makeTarget();
    const { question, resources } = await deployRoleQuestion(await ctxFor(world(target), target));
    expect(question.actions).toEqual(expect.arrayContaining(["ecs:RunTask", "ecs:DescribeTasks", "ecs:StopTask"]));
    expect(resources.task).toMatch(new RegExp(`^arn:aws:ecs:${target.region}:${A}:task/${target.cluster}/[0-9a-f]{32}$`));
    expect(question.resources).toContain(resources.task);
    expect(question.context).toEqual(expect.arrayContaining([{ key: "ecs:cluster", type: "string", values: [resources.cluster] }]));
  });

  it("without tasks (or with --skip-tasks) they are not asked", async () => {
    const target = makeTarget();
    for (const opts of [{ tasks: false }, { skipTasks: true }]) {
      const { question } = await deployRoleQuestion(await ctxFor(world(target), target, opts));
      expect(question.actions).not.toContain("ecs:RunTask");
      expect(question.actions).not.toContain("ecs:StopTask");
    }
  });

  it("a denied RunTask / StopTask is NG naming the action, with the statement to add (target's partition)", async () => {
    const target = makeTarget();
    const w = world(target);
    const ctx = await ctxFor(w, target);
    const { resources } = await deployRoleQuestion(ctx);
    w.account(A).simulation.set(`ecs:RunTask ${resources.taskDefinition}`, "implicitDeny");
    w.account(A).simulation.set(`ecs:StopTask ${resources.task}`, "explicitDeny");
    const r = await checkDeployRolePermissions(await ctxFor(w, target));
    expect(r.verdict).toBe("fail");
    expect(r.message).toContain("ecs:RunTask");
    expect(r.message).toContain("ecs:StopTask");
    const run = r.children!.find((c) => c.id === "deploy-role-permissions:ecs:RunTask")!;
    expect(run.verdict).toBe("fail");
    expect(run.error?.code).toBe("ACCESS_DENIED");
    expect(run.hint).toContain(`task-definition/`);
    expect(run.hint).toContain(`"ecs:cluster":"${resources.cluster}"`);
    expect(r.children!.find((c) => c.id === "deploy-role-permissions:ecs:DescribeTasks")!.verdict).toBe("pass");
  });
});
