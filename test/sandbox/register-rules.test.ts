// RegisterTaskDefinition's rules as ECS enforces them (each with the real error) and the defaults
// ECS fills in, as DescribeTaskDefinition returns them (sandbox/task-definitions.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { DEMO_FIXTURE, startSandbox, type Sandbox } from "../../sandbox/index.js";
import { loadFixtureFile } from "../../sandbox/fixture.js";
import { assumeDeployer, rejection } from "./clients.js";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.stop();
});

const DEV = "222222222222";
function taskDef(
  over: Partial<RegisterTaskDefinitionCommandInput> = {},
  container: Partial<ContainerDefinition> = {},
): RegisterTaskDefinitionCommandInput {
  return {
    family: "shop-api-dev",
    taskRoleArn: `arn:aws:iam::${DEV}:role/shop-api-task`,
    executionRoleArn: `arn:aws:iam::${DEV}:role/shop-api-exec`,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [
      { name: "app", image: "public.ecr.aws/docker/library/nginx:stable", portMappings: [{ containerPort: 8080 }], ...container },
    ],
    ...over,
  };
}

async function refused(input: RegisterTaskDefinitionCommandInput) {
  const dev = await assumeDeployer(sb, DEV);
  const err = await rejection(dev.ecs.send(new RegisterTaskDefinitionCommand(input)));
  return { name: err.name, message: err.message };
}

describe("sandbox: RegisterTaskDefinition rules", () => {
  it("awsvpc: hostPort must be absent or equal to containerPort; a mapping needs containerPort", async () => {
    expect(await refused(taskDef({}, { portMappings: [{ containerPort: 8080, hostPort: 80 }] }))).toEqual({
      name: "ClientException",
      message: "When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
    });
    expect(await refused(taskDef({}, { portMappings: [{ hostPort: 80 }] }))).toEqual({
      name: "ClientException",
      message: "Invalid 'containerPort' setting for container 'app'.",
    });
    const dev = await assumeDeployer(sb, DEV);
    await dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef({}, { portMappings: [{ containerPort: 8080, hostPort: 8080 }] })));
  });

  it("container memory against the task's: greater is refused, equal is accepted (ECS's own errors), sums count reservations", async () => {
    expect(await refused(taskDef({}, { memory: 1024 }))).toEqual({
      name: "ClientException",
      message: "The 'memory' setting for container 'app' is greater than for the task.",
    });
    const two = taskDef();
    two.containerDefinitions = [
      { name: "app", image: "nginx", memoryReservation: 300 },
      { name: "sidecar", image: "nginx", memoryReservation: 300 },
    ];
    expect(await refused(two)).toEqual({
      name: "ClientException",
      message: "The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'.",
    });
    const dev = await assumeDeployer(sb, DEV);
    await dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef({}, { memory: 512 })));
    const ec2: RegisterTaskDefinitionCommandInput = { family: "shop-api-dev", containerDefinitions: [{ name: "app", image: "nginx" }] };
    expect(await refused(ec2)).toEqual({
      name: "ClientException",
      message: "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' must be specified.",
    });
  });

  it("Fargate sizes: an invalid pair, and 8 / 16 vCPU on Windows, are 'No Fargate configuration exists for given values'", async () => {
    expect(await refused(taskDef({ cpu: "512", memory: "512" }))).toEqual({
      name: "ClientException",
      message:
        "No Fargate configuration exists for given values: 512 CPU, 512 memory. See the Amazon ECS documentation for the valid values.",
    });
    const windows = { runtimePlatform: { operatingSystemFamily: "WINDOWS_SERVER_2022_CORE" as const, cpuArchitecture: "X86_64" as const } };
    expect((await refused(taskDef({ cpu: "8192", memory: "16384", ...windows }))).message).toBe(
      "No Fargate configuration exists for given values: 8192 CPU, 16384 memory. See the Amazon ECS documentation for the valid values.",
    );
    expect((await refused(taskDef({ cpu: "256", memory: "512", ...windows }))).name).toBe("ClientException");
    const dev = await assumeDeployer(sb, DEV);
    await dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef({ cpu: "8192", memory: "16384" }))); // Linux may
    await dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef({ cpu: "1024", memory: "2048", ...windows })));
    await dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef({ cpu: "1 vCPU", memory: "3 GB" })));
  });

  it("a request over 65536 bytes is refused with ECS's size error", async () => {
    const big = taskDef({}, { environment: Array.from({ length: 700 }, (_, i) => ({ name: `VAR_${i}`, value: "x".repeat(80) })) });
    const r = await refused(big);
    expect(r.name).toBe("ClientException");
    expect(r.message).toMatch(/^Actual length: '\d{5,}'\. Max allowed length is '65536' bytes\.$/);
  });

  it("tags: at most 50, key 1..128 and value ..256 characters of the allowed set, no aws: prefix", async () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: "v" }));
    expect(await refused(taskDef({ tags: tags(51) }))).toEqual({
      name: "InvalidParameterException",
      message:
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    });
    expect((await refused(taskDef({ tags: [{ key: "k".repeat(129), value: "v" }] }))).message).toMatch(
      /at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128$/,
    );
    expect((await refused(taskDef({ tags: [{ key: "k", value: "v".repeat(257) }] }))).message).toMatch(
      /at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256$/,
    );
    expect(
      (
        await refused(
          taskDef({
            tags: [
              { key: "a", value: "b" },
              { key: "bad#key", value: "v" },
            ],
          }),
        )
      ).message,
    ).toMatch(/at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    expect(await refused(taskDef({ tags: [{ key: "AWS:team", value: "v" }] }))).toEqual({
      name: "InvalidParameterException",
      message: "Tag key must not start with aws:",
    });
    expect((await refused(taskDef({ tags: [{ key: "team", value: "aws:shop" }] }))).name).toBe("InvalidParameterException");
    const dev = await assumeDeployer(sb, DEV);
    await dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef({ tags: [{ key: "deployer:service", value: "shop-api" }, ...tags(49)] })));
  });

  it("tags at creation need ecs:TagResource (condition key ecs:CreateAction); without tags it is not asked", async () => {
    const fixture = loadFixtureFile(DEMO_FIXTURE);
    fixture.targets = fixture.targets!.map((t) => (t.account === DEV ? { ...t, tagResource: false } : t));
    const s2 = await startSandbox({ port: 0, fixture });
    try {
      const dev = await assumeDeployer(s2, DEV);
      const err = await rejection(
        dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef({ tags: [{ key: "deployer:service", value: "shop-api" }] }))),
      );
      expect(err.name).toBe("AccessDeniedException");
      expect(err.message).toBe(
        `User: arn:aws:sts::${DEV}:assumed-role/deployer/deployer-test is not authorized to perform: ecs:TagResource on resource: arn:aws:ecs:eu-west-1:${DEV}:task-definition/shop-api-dev:2 because no identity-based policy allows the ecs:TagResource action`,
      );
      await dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef()));
      // Allowed only at creation of a task definition: the condition key is set for RegisterTaskDefinition.
      s2.admin.putRolePolicy({
        account: DEV,
        role: "deployer",
        name: "tag-on-create",
        document: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: "ecs:TagResource",
              Resource: "*",
              Condition: { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } },
            },
          ],
        },
      });
      await dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef({ tags: [{ key: "deployer:service", value: "shop-api" }] })));
    } finally {
      await s2.stop();
    }
  });
});

describe("sandbox: DescribeTaskDefinition defaults", () => {
  it("returns the defaults ECS adds (containers, volumes, task level)", async () => {
    const dev = await assumeDeployer(sb, DEV);
    const input = taskDef(
      {
        cpu: "0.25 vCPU",
        memory: "0.5 GB",
        volumes: [
          { name: "scratch" },
          { name: "data", efsVolumeConfiguration: { fileSystemId: "fs-0123456789abcdef0" } },
          { name: "ebs", configuredAtLaunch: true },
        ],
      },
      {
        healthCheck: { command: ["CMD-SHELL", "true"], startPeriod: 10 },
        environment: [{ name: "A", value: "1" }, { name: "NO_VALUE" }, { name: "EMPTY", value: "" }],
        secrets: [{ name: "DB", valueFrom: `arn:aws:ssm:eu-west-1:${DEV}:parameter/shop-api/database-url` }],
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": "/ecs/shop-api/dev", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "app" },
        },
      },
    );
    const registered = await dev.ecs.send(new RegisterTaskDefinitionCommand(input));
    const td = (await dev.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: registered.taskDefinition!.taskDefinitionArn! })))
      .taskDefinition!;
    expect(td).toEqual(registered.taskDefinition); // Register and Describe return the same object
    const c = td.containerDefinitions![0]!;
    expect(c).toMatchObject({
      cpu: 0,
      essential: true,
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
      environment: [
        { name: "A", value: "1" },
        { name: "EMPTY", value: "" },
      ],
      healthCheck: { command: ["CMD-SHELL", "true"], interval: 30, timeout: 5, retries: 3, startPeriod: 10 },
    });
    expect(c.logConfiguration!.secretOptions).toEqual([]);
    expect(td.volumes).toEqual([
      { name: "scratch", host: {}, configuredAtLaunch: false },
      { name: "data", efsVolumeConfiguration: { fileSystemId: "fs-0123456789abcdef0", rootDirectory: "/" }, configuredAtLaunch: false },
      { name: "ebs", configuredAtLaunch: true },
    ]);
    expect(td).toMatchObject({
      cpu: "256",
      memory: "512",
      enableFaultInjection: false,
      status: "ACTIVE",
      compatibilities: ["EC2", "FARGATE"],
      placementConstraints: [],
    });
    expect(td.registeredAt).toBeInstanceOf(Date);
    expect(td.registeredBy).toBe(`arn:aws:sts::${DEV}:assumed-role/deployer/deployer-test`);
    expect(td.requiresAttributes!.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        "ecs.capability.container-health-check",
        "ecs.capability.secrets.ssm.environment-variables",
        "ecs.capability.task-eni",
      ]),
    );
  });

  it("a default can be switched off for one sandbox (registrationDefaults)", async () => {
    const s2 = await startSandbox({ port: 0, registrationDefaults: { volumeConfiguredAtLaunch: false, healthCheckDefaults: false } });
    try {
      const dev = await assumeDeployer(s2, DEV);
      const out = await dev.ecs.send(
        new RegisterTaskDefinitionCommand(taskDef({ volumes: [{ name: "scratch" }] }, { healthCheck: { command: ["CMD-SHELL", "true"] } })),
      );
      expect(out.taskDefinition!.volumes).toEqual([{ name: "scratch", host: {} }]);
      expect(out.taskDefinition!.containerDefinitions![0]!.healthCheck).toEqual({ command: ["CMD-SHELL", "true"] });
      expect(out.taskDefinition!.enableFaultInjection).toBe(false);
    } finally {
      await s2.stop();
    }
  });
});
