// Issue 17, "Preflight per service and per task": a unit that runs one-off tasks checks that the
// subnets and security groups of its service's awsvpc network exist (check task-network), and the
// deploy role's simulation asks the one-off task calls (RunTask, DescribeTasks, StopTask).
import { describe, expect, it } from "vitest";
import { checkTaskNetwork } from "../../../src/checks/task-network.js";
import { checkDeployRolePermissions, deployRoleQuestion } from "../../../src/checks/deploy-role.js";
import type { CheckContext } from "../../../src/checks/context.js";
import type { Target } from "../../../src/config/types.js";
import { checkContext } from "./check-context.js";
import { accessDenied, awsException, healthyWorld, type FakeWorld } from "../../helpers/fake-aws.js";
import { toDeployerError } from "../../../src/aws/aws-error.js";
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

/** An SDK-shaped failure as the EC2 port rejects with it. */
function toError(e: Error, action: string) {
  return toDeployerError(e, { action, resource: "*" });
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

describe("check task-network: verdicts, messages and hints", () => {
  const SERVICE = "shop-dev/api";

  it("passes naming the subnets and groups it found, with the tasks in the evidence", async () => {
    const target = makeTarget();
    const w = world(target);
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.message).toBe(`subnets subnet-0aaa, subnet-0bbb and security groups sg-0ccc exist in ${A}/eu-west-1`);
    expect(r.evidence).toEqual({
      subnets: SUBNETS,
      securityGroups: GROUPS,
      tasks: ["migrate"],
      missingSubnets: [],
      missingSecurityGroups: [],
    });
    expect(w.calls.filter((c) => c.method.startsWith("describe") && c.method !== "describeServices")).toEqual([
      { account: A, method: "describeSubnets", args: [SUBNETS] },
      { account: A, method: "describeSecurityGroups", args: [GROUPS] },
    ]);
  });

  it("a network configuration without security groups: only the subnets are named", async () => {
    const target = makeTarget();
    const w = world(target);
    const svc = w.account(A).services.get(SERVICE)!;
    svc.launch = { launchType: "FARGATE", networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0aaa"] } } };
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.verdict).toBe("pass");
    expect(r.message).toBe(`subnets subnet-0aaa exist in ${A}/eu-west-1`);
    expect(r.evidence).toMatchObject({ securityGroups: [] });
  });

  it("one missing subnet: 'does not exist', ec2:DescribeSubnets, the id as resource, the fix in the hint", async () => {
    const target = makeTarget();
    const w = world(target);
    w.account(A).subnets.delete("subnet-0aaa");
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(
      `subnet subnet-0aaa of ${SERVICE}'s network configuration does not exist in ${A}/eu-west-1: RunTask of migrate would fail after the task definition is registered`,
    );
    expect(r.error).toMatchObject({ code: "NETWORK_NOT_FOUND", action: "ec2:DescribeSubnets", resource: "subnet-0aaa", target: "dev" });
    expect(r.hint).toBe(
      `Update the service's network configuration to subnets and security groups of ${A}/eu-west-1 (aws ecs update-service --network-configuration …), or roll out with --skip-tasks if the task already ran.`,
    );
  });

  it("several missing: 'do not exist', every id in the resource", async () => {
    const target = makeTarget();
    const w = world(target);
    w.account(A).subnets.clear();
    w.account(A).securityGroups.clear();
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.message).toContain(
      "subnet subnet-0aaa, subnet subnet-0bbb, security group sg-0ccc of shop-dev/api's network configuration do not exist",
    );
    expect(r.error).toMatchObject({ action: "ec2:DescribeSubnets", resource: "subnet-0aaa,subnet-0bbb,sg-0ccc" });
  });

  it("only a security group missing: the error names ec2:DescribeSecurityGroups", async () => {
    const target = makeTarget();
    const w = world(target);
    w.account(A).securityGroups.clear();
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.error).toMatchObject({ action: "ec2:DescribeSecurityGroups", resource: "sg-0ccc" });
    expect(r.evidence).toMatchObject({ missingSubnets: [], missingSecurityGroups: ["sg-0ccc"] });
  });

  it("a missing security group fails even when the subnets could not be read, and the error names the group's read", async () => {
    const target = makeTarget();
    const w = world(target);
    w.account(A).securityGroups.clear();
    w.account(A).ec2Failures.set("describeSubnets", accessDenied("ec2:DescribeSubnets", "*"));
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.verdict).toBe("fail");
    expect(r.message).toMatch(/^security group sg-0ccc of shop-dev\/api's network configuration does not exist/);
    expect(r.error).toMatchObject({ action: "ec2:DescribeSecurityGroups", resource: "sg-0ccc" });
    expect(r.evidence).not.toHaveProperty("missingSubnets");
  });

  it("both reads denied: unverified naming both actions and the deploy role (no viewer)", async () => {
    const target = makeTarget();
    const w = world(target);
    w.account(A).ec2Failures.set("describeSubnets", accessDenied("ec2:DescribeSubnets", "*"));
    w.account(A).ec2Failures.set("describeSecurityGroups", accessDenied("ec2:DescribeSecurityGroups", "*"));
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(
      `could not read with ec2:DescribeSubnets as ${target.deployRole}: AccessDenied; could not read with ec2:DescribeSecurityGroups as ${target.deployRole}: AccessDenied`,
    );
    expect(r.hint).toBe(
      `Allow ${target.deployRole} ec2:DescribeSubnets and ec2:DescribeSecurityGroups (resource "*"). --strict turns this warning into an error.`,
    );
    expect(r.error).toMatchObject({ action: "ec2:DescribeSubnets" });
    expect(r.evidence).not.toHaveProperty("missingSubnets");
    expect(r.evidence).not.toHaveProperty("missingSecurityGroups");
  });

  it("only the security groups unreadable (denied): unverified, the subnets' result kept", async () => {
    const target = makeTarget();
    const w = world(target);
    w.account(A).ec2Failures.set("describeSecurityGroups", accessDenied("ec2:DescribeSecurityGroups", "*"));
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.verdict).toBe("unverified");
    expect(r.hint).toBe(`Allow ${target.deployRole} ec2:DescribeSecurityGroups (resource "*"). --strict turns this warning into an error.`);
    expect(r.error).toMatchObject({ action: "ec2:DescribeSecurityGroups" });
    expect(r.evidence).toMatchObject({ missingSubnets: [] });
  });

  it("a read failing for another reason: unverified, with the error's own hint, or 'run again'", async () => {
    const target = makeTarget();
    const server = Object.assign(awsException("InternalError", "EC2 is unwell"), { $fault: "server" });
    const w = world(target);
    w.account(A).ec2Failures.set("describeSubnets", toError(server, "ec2:DescribeSubnets"));
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(`could not read with ec2:DescribeSubnets as ${target.deployRole}: InternalError`);
    expect(r.hint).toBe(
      "AWS reported a server-side error after the SDK's retries; re-running usually works. --strict turns this warning into an error.",
    );

    // An SDK error as the port rejects with it: the ids asked are the error's resource.
    const w2 = world(target);
    w2.account(A).ec2Failures.set("describeSubnets", awsException("InvalidParameterValue", "bad") as never);
    const r2 = await checkTaskNetwork(await ctxFor(w2, target));
    expect(r2.hint).toBe("Run the check again. --strict turns this warning into an error.");
    expect(r2.error).toMatchObject({ action: "ec2:DescribeSubnets", resource: "subnet-0aaa,subnet-0bbb", target: "dev" });
  });

  it("no EC2 client: unverified, the network named in the evidence", async () => {
    const target = makeTarget();
    const ctx = await ctxFor(world(target), target);
    delete ctx.session.ec2;
    const r = await checkTaskNetwork(ctx);
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe("no EC2 client for this target: the network was not read");
    expect(r.evidence).toEqual({ subnets: SUBNETS, securityGroups: GROUPS, tasks: ["migrate"] });
  });

  it("two security groups: the pass message names both", async () => {
    const target = makeTarget();
    const w = world(target);
    const key = `${target.cluster}/${target.service}`;
    const svc = w.account(A).services.get(key)!;
    w.account(A).services.set(key, {
      ...svc,
      launch: {
        ...svc.launch,
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [...SUBNETS], securityGroups: ["sg-0ccc", "sg-0ddd"], assignPublicIp: "DISABLED" },
        },
      },
    });
    w.account(A).securityGroups.add("sg-0ddd");
    const r = await checkTaskNetwork(await ctxFor(w, target));
    expect(r.message).toBe(`subnets subnet-0aaa, subnet-0bbb and security groups sg-0ccc, sg-0ddd exist in ${A}/eu-west-1`);
  });

  it("skip messages name the service and the tasks", async () => {
    const target = makeTarget();
    const gone = world(target);
    gone.account(A).services.delete(SERVICE);
    expect((await checkTaskNetwork(await ctxFor(gone, target))).message).toBe(`not run: the service ${SERVICE} does not exist`);

    const unreadable = world(target);
    unreadable.account(A).failures.set("describeServices", accessDenied("ecs:DescribeServices", SERVICE));
    const u = await checkTaskNetwork(await ctxFor(unreadable, target));
    expect([u.verdict, u.message]).toEqual(["skip", `not run: the service ${SERVICE} could not be read`]);

    const bridge = world(target);
    bridge.account(A).services.set(SERVICE, { ...bridge.account(A).services.get(SERVICE)!, launch: { launchType: "EC2" } });
    const b = await checkTaskNetwork(await ctxFor(bridge, target));
    expect(b.message).toBe(`${SERVICE} has no awsvpc network configuration: its one-off tasks (migrate) run without one`);
    const two = await ctxFor(bridge, target);
    two.project.config.services = two.project.config.services.map((x) => ({
      ...x,
      tasks: [...(x.tasks ?? []), { name: "seed", command: ["bin/seed"], container: "app", timeoutSeconds: 60 }],
    }));
    expect((await checkTaskNetwork(two)).message).toBe(
      `${SERVICE} has no awsvpc network configuration: its one-off tasks (migrate, seed) run without one`,
    );
    expect(bridge.calls.some((c) => c.method === "describeSubnets")).toBe(false);
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
