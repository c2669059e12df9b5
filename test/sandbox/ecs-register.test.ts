// RegisterTaskDefinition as ECS enforces it: IAM on the action, iam:PassRole on both roles,
// "Role is not valid" for missing/foreign/untrusting roles; DescribeTaskDefinition with TAGS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { assumeDeployer, rejection } from "./clients.js";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.stop();
});

const IMAGE =
  "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f";

function taskDef(
  account: string,
  family: string,
  over: Partial<RegisterTaskDefinitionCommandInput> = {},
): RegisterTaskDefinitionCommandInput {
  return {
    family,
    taskRoleArn: `arn:aws:iam::${account}:role/shop-api-task`,
    executionRoleArn: `arn:aws:iam::${account}:role/shop-api-exec`,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [
      {
        name: "app",
        image: IMAGE,
        portMappings: [{ containerPort: 8080 }],
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": "/ecs/x", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "app" },
        },
      },
    ],
    ...over,
  };
}

describe("sandbox: RegisterTaskDefinition", () => {
  it("registers the next revision with ECS's defaults filled in, and returns tags with include TAGS", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const out = await dev.ecs.send(
      new RegisterTaskDefinitionCommand({
        ...taskDef("222222222222", "shop-api-dev"),
        tags: [{ key: "deployer:git-sha", value: "8d1e4b7" }],
      }),
    );
    const td = out.taskDefinition!;
    expect(td.taskDefinitionArn).toBe("arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:2");
    expect(td.revision).toBe(2);
    expect(td.status).toBe("ACTIVE");
    expect(td.compatibilities).toEqual(["EC2", "FARGATE"]);
    expect(td.registeredBy).toBe("arn:aws:sts::222222222222:assumed-role/deployer/deployer-test");
    const c = td.containerDefinitions![0]!;
    expect(c).toMatchObject({ cpu: 0, essential: true, environment: [], mountPoints: [], volumesFrom: [] });
    expect(c.portMappings).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }]);

    const described = await dev.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "shop-api-dev", include: ["TAGS"] }));
    expect(described.taskDefinition?.revision).toBe(2);
    expect(described.tags).toEqual([{ key: "deployer:git-sha", value: "8d1e4b7" }]);
    const noTags = await dev.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "shop-api-dev:1" }));
    expect(noTags.tags).toBeUndefined();
    expect(noTags.taskDefinition?.containerDefinitions?.[0]?.image).toContain("@sha256:6e123955");
    const listed = await dev.ecs.send(new ListTagsForResourceCommand({ resourceArn: td.taskDefinitionArn! }));
    expect(listed.tags).toEqual([{ key: "deployer:git-sha", value: "8d1e4b7" }]);
  });

  it("denies a family outside the deploy role's policy with AWS's message", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const err = await rejection(dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef("222222222222", "someone-elses-app"))));
    expect(err.name).toBe("AccessDeniedException");
    expect(err.message).toBe(
      "User: arn:aws:sts::222222222222:assumed-role/deployer/deployer-test is not authorized to perform: ecs:RegisterTaskDefinition on resource: " +
        "arn:aws:ecs:eu-west-1:222222222222:task-definition/someone-elses-app:1 because no identity-based policy allows the ecs:RegisterTaskDefinition action",
    );
  });

  it("denies UpdateService on a service the role may not touch", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const err = await rejection(
      dev.ecs.send(new UpdateServiceCommand({ cluster: "shop-dev", service: "billing", taskDefinition: "shop-api-dev:1" })),
    );
    expect(err.name).toBe("AccessDeniedException");
    expect(err.message).toContain("ecs:UpdateService on resource: arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/billing");
  });

  it("requires iam:PassRole on the task role (broken target: its deploy role has none)", async () => {
    const broken = await assumeDeployer(sb, "666666666666");
    const err = await rejection(broken.ecs.send(new RegisterTaskDefinitionCommand(taskDef("666666666666", "shop-api-broken"))));
    expect(err.name).toBe("AccessDeniedException");
    expect(err.message).toBe(
      "User: arn:aws:sts::666666666666:assumed-role/deployer/deployer-test is not authorized to perform: iam:PassRole on resource: " +
        "arn:aws:iam::666666666666:role/shop-api-task because no identity-based policy allows the iam:PassRole action",
    );
    expect(sb.admin.log({ account: "666666666666", action: "RegisterTaskDefinition" }).map((e) => e.status)).toEqual([400]);
  });

  it("denies passing another account's role (PassRole is granted on the target's own roles only)", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const err = await rejection(
      dev.ecs.send(
        new RegisterTaskDefinitionCommand(
          taskDef("222222222222", "shop-api-dev", { taskRoleArn: "arn:aws:iam::333333333333:role/shop-api-task" }),
        ),
      ),
    );
    expect(err.name).toBe("AccessDeniedException");
    expect(err.message).toContain("iam:PassRole on resource: arn:aws:iam::333333333333:role/shop-api-task");
  });
});

describe("sandbox: roles ECS cannot use", () => {
  let sb2: Sandbox;
  beforeAll(async () => {
    // A target whose deploy role may pass any role, and whose task role trusts ec2 instead of ecs-tasks.
    sb2 = await startSandbox({
      port: 0,
      fixture: {
        accounts: [
          {
            id: "111111111111",
            users: [
              {
                name: "ci",
                accessKeys: [{ id: "AKIATESTCI0000000001", secret: "test-secret" }],
                inlinePolicies: { p: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] } },
              },
            ],
          },
          {
            id: "777777777777",
            roles: [
              {
                name: "deployer",
                trustPolicy: {
                  Version: "2012-10-17",
                  Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "sts:AssumeRole" }],
                },
                inlinePolicies: {
                  all: {
                    Version: "2012-10-17",
                    Statement: [
                      { Effect: "Allow", Action: ["ecs:*"], Resource: "*" },
                      {
                        Effect: "Allow",
                        Action: "iam:PassRole",
                        Resource: "*",
                        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
                      },
                    ],
                  },
                },
              },
              {
                name: "ec2-only",
                trustPolicy: {
                  Version: "2012-10-17",
                  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
                },
              },
              {
                name: "task",
                trustPolicy: {
                  Version: "2012-10-17",
                  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
                },
              },
            ],
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await sb2.stop();
  });

  async function deployer() {
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const { ECSClient } = await import("@aws-sdk/client-ecs");
    const base = { endpoint: sb2.endpoint, region: "eu-west-1", maxAttempts: 1 };
    const out = await new STSClient({ ...base, credentials: sb2.credentials }).send(
      new AssumeRoleCommand({ RoleArn: "arn:aws:iam::777777777777:role/deployer", RoleSessionName: "tester" }),
    );
    const c = out.Credentials!;
    return new ECSClient({
      ...base,
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    });
  }

  const input = (taskRoleArn: string): RegisterTaskDefinitionCommandInput => ({
    family: "app",
    taskRoleArn,
    executionRoleArn: "arn:aws:iam::777777777777:role/task",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app", image: "public.ecr.aws/nginx/nginx:stable" }],
  });

  it.each([
    ["trusts ec2.amazonaws.com, not ecs-tasks", "arn:aws:iam::777777777777:role/ec2-only"],
    ["does not exist", "arn:aws:iam::777777777777:role/missing"],
    ["lives in another account", "arn:aws:iam::111111111111:role/task"],
  ])("rejects a task role that %s with ClientException 'Role is not valid'", async (_what, role) => {
    const ecs = await deployer();
    const err = await rejection(ecs.send(new RegisterTaskDefinitionCommand(input(role))));
    expect(err.name).toBe("ClientException");
    expect(err.message).toBe("Role is not valid");
  });

  it("accepts a task role that trusts ecs-tasks.amazonaws.com", async () => {
    const ecs = await deployer();
    const out = await ecs.send(new RegisterTaskDefinitionCommand(input("arn:aws:iam::777777777777:role/task")));
    expect(out.taskDefinition?.taskDefinitionArn).toBe("arn:aws:ecs:eu-west-1:777777777777:task-definition/app:1");
  });

  it("DescribeServices: ClusterNotFoundException for an unknown cluster", async () => {
    const ecs = await deployer();
    const err = await rejection(ecs.send(new DescribeServicesCommand({ cluster: "nope", services: ["api"] })));
    expect(err.name).toBe("ClusterNotFoundException");
  });
});
