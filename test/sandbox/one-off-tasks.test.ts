// One-off tasks (issue 17): RunTask / DescribeTasks / StopTask / ListTasks over time, exit codes and
// stop reasons, command overrides, the fa11ed1 image whose one-off tasks exit 1, task-start failures,
// the network check (subnets and security groups must exist), the per-target worker service and the
// EC2 Describe* calls preflight uses. Real SDK v3 clients (@aws-sdk/client-ecs, @aws-sdk/client-ec2)
// over HTTP against the sandbox; behaviours and their sources are in sandbox/tasks.ts,
// sandbox/services/ecs-tasks.ts, sandbox/network.ts and sandbox/services/ec2.ts.
import { afterEach, describe, expect, it } from "vitest";
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type RunTaskCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { DEMO_FIXTURE, startSandbox, type Sandbox } from "../../sandbox/index.js";
import { loadFixtureFile } from "../../sandbox/fixture.js";
import { assumeDeployer, clients, rejection } from "./clients.js";
import { assumeAs } from "./mesh-clients.js";

const DEV = "222222222222";
const STAGING = "333333333333";
const BROKEN = "666666666666";
const CLUSTER = "shop-dev";
const SUBNETS = ["subnet-022222222a1", "subnet-022222222b2"];
const TASKS_SG = "sg-022222222c3";
const DEFAULT_SG = "sg-022222222d4";
const VPC = "vpc-022222222f6";
const CENTRAL = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api";
const FA11ED1 = "sha256:197cf9873291fdf5c56aa8cca24b73e69a8ae6043537f18c175da89368c077ae";
const NETWORK = { awsvpcConfiguration: { subnets: SUBNETS, securityGroups: [TASKS_SG], assignPublicIp: "DISABLED" as const } };

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

async function start(): Promise<Sandbox> {
  // One task unit = 0.3 s: a task runs for about 0.1 s and is STOPPED about 0.25 s after RunTask.
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
  return sb;
}

function migrate(over: Partial<RunTaskCommandInput> = {}): RunTaskCommandInput {
  return {
    cluster: CLUSTER,
    taskDefinition: "shop-api-dev:1",
    launchType: "FARGATE",
    networkConfiguration: NETWORK,
    startedBy: "deployer",
    overrides: { containerOverrides: [{ name: "app", command: ["bin/migrate", "--up"] }] },
    ...over,
  };
}

type Ecs = Awaited<ReturnType<typeof assumeDeployer>>["ecs"];

/** Polls DescribeTasks until the task is STOPPED; returns every lastStatus seen (in order, deduplicated) and the last Task. */
async function untilStopped(ecs: Ecs, taskArn: string, cluster = CLUSTER): Promise<{ seen: string[]; task: Task }> {
  const seen: string[] = [];
  for (let i = 0; i < 400; i++) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    const task = out.tasks![0]!;
    if (seen.at(-1) !== task.lastStatus) seen.push(task.lastStatus!);
    if (task.lastStatus === "STOPPED") return { seen, task };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`task ${taskArn} did not stop; seen ${seen.join(" → ")}`);
}

describe("RunTask over time", () => {
  it("a one-off task starts PROVISIONING, runs, and stops with its essential container's exit code 0", async () => {
    const { ecs } = await assumeDeployer(await start(), DEV);
    const out = await ecs.send(new RunTaskCommand(migrate()));
    expect(out.failures).toEqual([]);
    const fresh = out.tasks![0]!;
    expect(fresh).toMatchObject({ lastStatus: "PROVISIONING", desiredStatus: "RUNNING", launchType: "FARGATE", platformVersion: "1.4.0" });
    expect(fresh.taskArn).toMatch(new RegExp(`^arn:aws:ecs:eu-west-1:${DEV}:task/${CLUSTER}/[0-9a-f]{32}$`));
    expect(fresh.attachments![0]).toMatchObject({ type: "ElasticNetworkInterface", status: "PRECREATED" });
    expect(fresh.attachments![0]!.details).toContainEqual({ name: "subnetId", value: SUBNETS[0] });
    expect(fresh.group).toBe("family:shop-api-dev");
    expect(fresh.startedBy).toBe("deployer");
    expect(fresh.containers![0]!.exitCode).toBeUndefined();

    const { seen, task } = await untilStopped(ecs, fresh.taskArn!);
    // What polling saw follows the lifecycle's order (how much of it depends on the machine's load).
    const order = ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"];
    expect(seen.map((x) => order.indexOf(x))).toEqual(seen.map((x) => order.indexOf(x)).sort((a, b) => a - b));
    expect(seen.every((x) => order.includes(x))).toBe(true);
    // It ran: pulled, started, then stopped.
    expect(task.pullStartedAt!.getTime()).toBeLessThanOrEqual(task.pullStoppedAt!.getTime());
    expect(task.pullStoppedAt!.getTime()).toBeLessThanOrEqual(task.startedAt!.getTime());
    expect(task).toMatchObject({
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
    });
    expect(task.containers![0]).toMatchObject({ name: "app", lastStatus: "STOPPED", exitCode: 0 });
    expect(task.overrides!.containerOverrides).toEqual([{ name: "app", command: ["bin/migrate", "--up"] }]);
    expect(task.startedAt!.getTime()).toBeLessThanOrEqual(task.stoppedAt!.getTime());
    expect(task.attachments![0]!.status).toBe("DELETED");
  });

  it("the image tagged fa11ed1 runs one-off tasks that exit 1 (named by tag or by digest)", async () => {
    const { ecs } = await assumeDeployer(await start(), DEV);
    for (const image of [`${CENTRAL}:fa11ed1`, `${CENTRAL}@${FA11ED1}`]) {
      const def = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "shop-api-dev",
          taskRoleArn: `arn:aws:iam::${DEV}:role/shop-api-task`,
          executionRoleArn: `arn:aws:iam::${DEV}:role/shop-api-exec`,
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu: "256",
          memory: "512",
          containerDefinitions: [{ name: "app", image, essential: true }],
        }),
      );
      const out = await ecs.send(new RunTaskCommand(migrate({ taskDefinition: def.taskDefinition!.taskDefinitionArn! })));
      const { task } = await untilStopped(ecs, out.tasks![0]!.taskArn!);
      // The stop code is the same as for a success: only the exit code tells (tasks.ts).
      expect(task).toMatchObject({ stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" });
      expect(task.containers![0]).toMatchObject({ exitCode: 1, imageDigest: FA11ED1 });
    }
  });

  it("exit rules set through the admin API: by a word of the overridden command, by account", async () => {
    const s = await start();
    const { ecs } = await assumeDeployer(s, DEV);
    s.admin.markCommandTaskExit("migrate", 3);
    const failing = await ecs.send(new RunTaskCommand(migrate()));
    const other = await ecs.send(
      new RunTaskCommand(migrate({ overrides: { containerOverrides: [{ name: "app", command: ["bin/seed"] }] } })),
    );
    expect((await untilStopped(ecs, failing.tasks![0]!.taskArn!)).task.containers![0]!.exitCode).toBe(3);
    expect((await untilStopped(ecs, other.tasks![0]!.taskArn!)).task.containers![0]!.exitCode).toBe(0);

    s.admin.clearTaskExits();
    s.admin.setTaskExit({ account: STAGING, exitCode: 2 });
    const again = await ecs.send(new RunTaskCommand(migrate()));
    expect((await untilStopped(ecs, again.tasks![0]!.taskArn!)).task.containers![0]!.exitCode).toBe(0);
  });

  it("StopTask: desired STOPPED at once with UserInitiated and the reason; the container is killed (137)", async () => {
    const s = await start();
    const { ecs } = await assumeDeployer(s, DEV);
    s.admin.setTaskExit({ commandContains: "migrate", exitCode: 0, runSeconds: null });
    const out = await ecs.send(new RunTaskCommand(migrate()));
    const arn = out.tasks![0]!.taskArn!;
    for (;;) {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!;
      if (t.lastStatus === "RUNNING") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const listed = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: "deployer" }));
    expect(listed.taskArns).toEqual([arn]);

    const stopped = await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn, reason: "deploy cancelled" }));
    expect(stopped.task).toMatchObject({
      desiredStatus: "STOPPED",
      lastStatus: "RUNNING",
      stopCode: "UserInitiated",
      stoppedReason: "deploy cancelled",
    });
    expect(stopped.task!.stoppingAt).toBeInstanceOf(Date);

    const { task } = await untilStopped(ecs, arn);
    expect(task.containers![0]!.exitCode).toBe(137);
    expect(task.stopCode).toBe("UserInitiated");
    expect((await ecs.send(new ListTasksCommand({ cluster: CLUSTER }))).taskArns).toEqual([]);
    expect((await ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: "STOPPED" }))).taskArns).toEqual([arn]);
  });

  it("clientToken: the same request again returns the same task; another request with it is a ConflictException", async () => {
    const { ecs } = await assumeDeployer(await start(), DEV);
    const first = await ecs.send(new RunTaskCommand(migrate({ clientToken: "migrate-3f2a9c1-dev" })));
    const again = await ecs.send(new RunTaskCommand(migrate({ clientToken: "migrate-3f2a9c1-dev" })));
    expect(again.tasks!.map((t) => t.taskArn)).toEqual(first.tasks!.map((t) => t.taskArn));
    const err = await rejection(ecs.send(new RunTaskCommand(migrate({ clientToken: "migrate-3f2a9c1-dev", startedBy: "someone-else" }))));
    expect(err.name).toBe("ConflictException");
    expect((err as unknown as { resourceIds?: string[] }).resourceIds).toEqual([first.tasks![0]!.taskArn]);
  });

  it("DescribeTasks lists unknown tasks in failures[] as MISSING; StopTask of one is refused", async () => {
    const { ecs } = await assumeDeployer(await start(), DEV);
    const out = await ecs.send(new RunTaskCommand(migrate()));
    const known = out.tasks![0]!.taskArn!;
    const unknown = `arn:aws:ecs:eu-west-1:${DEV}:task/${CLUSTER}/0123456789abcdef0123456789abcdef`;
    const d = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [known, unknown] }));
    expect(d.tasks!.map((t) => t.taskArn)).toEqual([known]);
    expect(d.failures).toEqual([{ arn: unknown, reason: "MISSING" }]);
    const err = await rejection(ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: unknown })));
    expect(err.name).toBe("InvalidParameterException");
    expect(err.message).toBe("The referenced task was not found");
  });
});

describe("RunTask: what a task needs at launch", () => {
  it("a secret that cannot be read, a log group that does not exist: TaskFailedToStart with ECS's reason, no exit code", async () => {
    const s = await start();
    const { ecs } = await assumeDeployer(s, DEV);
    // The migration's definition reads the database URL from SSM; the parameter is gone.
    s.admin.deleteParameter({ account: DEV, region: "eu-west-1", name: "/shop-api/database-url" });
    const def = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "shop-api-dev",
        executionRoleArn: `arn:aws:iam::${DEV}:role/shop-api-exec`,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [
          {
            name: "app",
            image: `${CENTRAL}:3f2a9c1`,
            essential: true,
            secrets: [{ name: "DATABASE_URL", valueFrom: `arn:aws:ssm:eu-west-1:${DEV}:parameter/shop-api/database-url` }],
          },
        ],
      }),
    );
    const out = await ecs.send(new RunTaskCommand(migrate({ taskDefinition: def.taskDefinition!.taskDefinitionArn! })));
    const { seen, task } = await untilStopped(ecs, out.tasks![0]!.taskArn!);
    expect(seen).not.toContain("RUNNING");
    expect(task.stopCode).toBe("TaskFailedToStart");
    expect(task.stoppedReason).toMatch(/^ResourceInitializationError: unable to pull secrets or registry auth: /);
    expect(task.containers![0]!.exitCode).toBeUndefined();
    expect(task.startedAt).toBeUndefined();

    // The seeded definition logs to /ecs/shop-api/dev with awslogs.
    s.admin.deleteLogGroup({ account: DEV, region: "eu-west-1", name: "/ecs/shop-api/dev" });
    const logs = await ecs.send(new RunTaskCommand(migrate()));
    const failed = (await untilStopped(ecs, logs.tasks![0]!.taskArn!)).task;
    expect(failed.stopCode).toBe("TaskFailedToStart");
    expect(failed.stoppedReason).toContain("ResourceNotFoundException: The specified log group does not exist.");
    expect(failed.containers![0]!.exitCode).toBeUndefined();
  });

  it("the broken target's deployer may not pass the task's roles: AccessDenied on iam:PassRole", async () => {
    const { ecs } = await assumeDeployer(await start(), BROKEN);
    const err = await rejection(
      ecs.send(
        new RunTaskCommand(
          migrate({
            cluster: "shop-broken",
            taskDefinition: "shop-api-broken:1",
            networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-066666666a1"], securityGroups: ["sg-066666666c3"] } },
          }),
        ),
      ),
    );
    expect(err.name).toBe("AccessDeniedException");
    expect(err.message).toContain("iam:PassRole");
  });

  it("no Fargate capacity: RunTask answers with failures[], not an error", async () => {
    const s = await start();
    const { ecs } = await assumeDeployer(s, DEV);
    s.admin.setTaskCapacity({ account: DEV, available: false });
    const out = await ecs.send(new RunTaskCommand(migrate()));
    expect(out.tasks).toEqual([]);
    expect(out.failures).toEqual([
      { reason: "Capacity is unavailable at this time. Please try again later or in a different availability zone" },
    ]);
  });
});

describe("the network of a task", () => {
  it("subnets and security groups must exist in the account and the VPC (InvalidParameterException as ECS words it)", async () => {
    const s = await start();
    const { ecs } = await assumeDeployer(s, DEV);
    const cases: [RunTaskCommandInput["networkConfiguration"], string][] = [
      [
        { awsvpcConfiguration: { subnets: ["subnet-0nothere"], securityGroups: [TASKS_SG] } },
        "Error retrieving subnet information for [subnet-0nothere]: The subnet ID 'subnet-0nothere' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
      ],
      [
        // Another account's subnet does not exist here.
        { awsvpcConfiguration: { subnets: ["subnet-033333333a1"], securityGroups: [TASKS_SG] } },
        "Error retrieving subnet information for [subnet-033333333a1]: The subnet ID 'subnet-033333333a1' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
      ],
      [
        { awsvpcConfiguration: { subnets: SUBNETS, securityGroups: ["sg-0nothere"] } },
        "Error retrieving security group information for [sg-0nothere]: The security group 'sg-0nothere' does not exist (ErrorCode: InvalidGroup.NotFound)",
      ],
      [{ awsvpcConfiguration: { subnets: [] } }, "subnets can not be empty."],
      [undefined, "Network Configuration must be provided when networkMode 'awsvpc' is specified."],
    ];
    for (const [networkConfiguration, message] of cases) {
      const input = migrate();
      if (networkConfiguration) input.networkConfiguration = networkConfiguration;
      else delete input.networkConfiguration;
      const err = await rejection(ecs.send(new RunTaskCommand(input)));
      expect(err.name).toBe("InvalidParameterException");
      expect(err.message).toBe(message);
    }
    // A subnet deleted through the admin API fails the task's network (and nothing was started).
    s.admin.deleteSubnet({ account: DEV, region: "eu-west-1", subnetId: SUBNETS[0]! });
    const err = await rejection(ecs.send(new RunTaskCommand(migrate())));
    expect(err.message).toContain(`The subnet ID '${SUBNETS[0]}' does not exist`);
    expect(s.admin.listTasks({ account: DEV, region: "eu-west-1" })).toEqual([]);
  });

  it("a security group or a subnet of another VPC of the same account is refused", async () => {
    // A second VPC in dev (fixture key `vpcs`), with its own subnet and group.
    const fixture = loadFixtureFile(DEMO_FIXTURE);
    fixture.accounts = [
      ...(fixture.accounts ?? []),
      {
        id: DEV,
        vpcs: [
          {
            region: "eu-west-1",
            id: "vpc-0other",
            cidrBlock: "10.1.0.0/16",
            subnets: [{ id: "subnet-0other", cidrBlock: "10.1.1.0/24" }],
            securityGroups: [{ id: "sg-0other", name: "other" }],
          },
        ],
      },
    ];
    sb = await startSandbox({ port: 0, deploymentSeconds: 0.3, fixture });
    const { ecs, ec2 } = await assumeDeployer(sb, DEV);
    const other = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: ["vpc-0other"] }] }));
    expect(other.SecurityGroups!.map((g) => g.GroupName).sort()).toEqual(["default", "other"]);

    const sg = await rejection(
      ecs.send(
        new RunTaskCommand(migrate({ networkConfiguration: { awsvpcConfiguration: { subnets: SUBNETS, securityGroups: ["sg-0other"] } } })),
      ),
    );
    expect(sg.name).toBe("InvalidParameterException");
    expect(sg.message).toBe("Security group sg-0other does not appear to belong to the same VPC as the input subnets.");
    const subnets = await rejection(
      ecs.send(new RunTaskCommand(migrate({ networkConfiguration: { awsvpcConfiguration: { subnets: [SUBNETS[0]!, "subnet-0other"] } } }))),
    );
    expect(subnets.name).toBe("InvalidParameterException");
    expect(subnets.message).toBe("All specified subnets must be from the same VPC.");
  });

  it("without security groups the VPC's default group is used", async () => {
    const { ecs } = await assumeDeployer(await start(), DEV);
    const out = await ecs.send(new RunTaskCommand(migrate({ networkConfiguration: { awsvpcConfiguration: { subnets: [SUBNETS[1]!] } } })));
    expect(out.tasks![0]!.attachments![0]!.details).toContainEqual({ name: "subnetId", value: SUBNETS[1] });
    expect(out.tasks![0]!.availabilityZone).toBe("eu-west-1b");
  });
});

describe("EC2 Describe* (real @aws-sdk/client-ec2)", () => {
  it("DescribeSubnets and DescribeSecurityGroups answer the target's network; unknown ids are NotFound errors", async () => {
    const { ec2 } = await assumeDeployer(await start(), DEV);
    const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: SUBNETS }));
    expect(subnets.Subnets!.map((x) => [x.SubnetId, x.VpcId, x.AvailabilityZone, x.OwnerId])).toEqual([
      [SUBNETS[0], VPC, "eu-west-1a", DEV],
      [SUBNETS[1], VPC, "eu-west-1b", DEV],
    ]);
    const byVpc = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [VPC] }] }));
    expect(byVpc.Subnets!.map((x) => x.SubnetId).sort()).toEqual([...SUBNETS].sort());

    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [TASKS_SG, DEFAULT_SG] }));
    expect(groups.SecurityGroups!.map((g) => [g.GroupId, g.GroupName, g.VpcId])).toEqual([
      [TASKS_SG, "shop-dev-tasks", VPC],
      [DEFAULT_SG, "default", VPC],
    ]);

    const noSubnet = await rejection(ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNETS[0]!, "subnet-0nothere"] })));
    expect(noSubnet.name).toBe("InvalidSubnetID.NotFound");
    expect(noSubnet.message).toBe("The subnet ID 'subnet-0nothere' does not exist");
    expect(noSubnet.$metadata?.httpStatusCode).toBe(400);
    const noGroup = await rejection(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0nothere"] })));
    expect(noGroup.name).toBe("InvalidGroup.NotFound");
    expect(noGroup.message).toBe("The security group 'sg-0nothere' does not exist");
  });

  it("another account's subnet does not exist in this one (and the request log shows EC2 calls)", async () => {
    const s = await start();
    const { ec2 } = await assumeDeployer(s, STAGING);
    const err = await rejection(ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNETS[0]!] })));
    expect(err.name).toBe("InvalidSubnetID.NotFound");
    const log = s.admin.log({ service: "ec2", account: STAGING });
    expect(log.map((e) => [e.action, e.status, e.errorCode])).toEqual([["DescribeSubnets", 400, "InvalidSubnetID.NotFound"]]);
  });

  it("the read-only viewer role may describe the network and the tasks, but not run or stop them", async () => {
    const s = await start();
    const arn = (await (await assumeDeployer(s, DEV)).ecs.send(new RunTaskCommand(migrate()))).tasks![0]!.taskArn!;
    const viewer = clients(s, await assumeAs(s, DEV));
    const subnets = await viewer.ec2.send(new DescribeSubnetsCommand({ SubnetIds: SUBNETS }));
    expect(subnets.Subnets).toHaveLength(2);
    const groups = await viewer.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [TASKS_SG] }));
    expect(groups.SecurityGroups).toHaveLength(1);
    const d = await viewer.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }));
    expect(d.tasks!.map((t) => t.taskArn)).toEqual([arn]);
    expect((await rejection(viewer.ecs.send(new RunTaskCommand(migrate())))).name).toBe("AccessDeniedException");
    expect((await rejection(viewer.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn })))).name).toBe("AccessDeniedException");
  });
});

describe("several services per cluster", () => {
  it("every target's cluster runs api and worker in the same network; the deployer may update both", async () => {
    const { ecs } = await assumeDeployer(await start(), DEV);
    const out = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["api", "worker"] }));
    expect(out.failures).toEqual([]);
    expect(out.services!.map((x) => [x.serviceName, x.status, x.taskDefinition])).toEqual([
      ["api", "ACTIVE", `arn:aws:ecs:eu-west-1:${DEV}:task-definition/shop-api-dev:1`],
      ["worker", "ACTIVE", `arn:aws:ecs:eu-west-1:${DEV}:task-definition/shop-worker-dev:1`],
    ]);
    for (const x of out.services!) expect(x.networkConfiguration).toEqual(NETWORK);
    const updated = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "worker", desiredCount: 2 }));
    expect(updated.service!.desiredCount).toBe(2);
    // A network naming a security group that does not exist fails UpdateService before any change.
    const err = await rejection(
      ecs.send(
        new UpdateServiceCommand({
          cluster: CLUSTER,
          service: "worker",
          desiredCount: 3,
          networkConfiguration: { awsvpcConfiguration: { subnets: SUBNETS, securityGroups: ["sg-0nothere"] } },
        }),
      ),
    );
    expect(err.name).toBe("InvalidParameterException");
    const after = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["worker"] }));
    expect(after.services![0]!.desiredCount).toBe(2);
    // The worker's one-off task runs in the same cluster with the worker's definition.
    const run = await ecs.send(new RunTaskCommand(migrate({ taskDefinition: "shop-worker-dev:1", overrides: {} })));
    const { task } = await untilStopped(ecs, run.tasks![0]!.taskArn!);
    expect(task.containers![0]).toMatchObject({ name: "app", exitCode: 0 });
  });
});

describe("the task admin API over HTTP", () => {
  it("sets exit rules, lists the tasks started and deletes a security group", async () => {
    const s = await start();
    const post = (path: string, body: unknown) =>
      fetch(`${s.endpoint}/_sandbox/${path}`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
    expect((await post("tasks/command-exit", { word: "migrate", exitCode: 4 })).status).toBe(200);
    expect((await post("tasks/exit", { exitCode: 300 })).status).toBe(400);
    const { ecs } = await assumeDeployer(s, DEV);
    const arn = (await ecs.send(new RunTaskCommand(migrate()))).tasks![0]!.taskArn!;
    expect((await untilStopped(ecs, arn)).task.containers![0]!.exitCode).toBe(4);
    const listed = (await (await fetch(`${s.endpoint}/_sandbox/tasks?account=${DEV}&region=eu-west-1`)).json()) as { taskArn: string }[];
    expect(listed.map((t) => t.taskArn)).toEqual([arn]);
    expect((await post("network/security-groups/delete", { account: DEV, region: "eu-west-1", groupId: TASKS_SG })).status).toBe(200);
    const err = await rejection(ecs.send(new RunTaskCommand(migrate())));
    expect(err.message).toContain(`The security group '${TASKS_SG}' does not exist`);
  });
});
