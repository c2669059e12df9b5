// Task start as ECS does it (sandbox/task-start.ts): the execution role's registry auth, secrets
// (SSM, Secrets Manager, KMS), the image pull (identity policy AND, across accounts, the repository
// policy; a replica's own policy) and the awslogs log group. Each launch-time cause makes the tasks
// fail to start with the stop reason real outputs show, and the deployment fails through the circuit
// breaker. Real SDK v3 clients over HTTP; the planted failures go through the admin API.
import { afterEach, describe, expect, it } from "vitest";
import {
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { DEMO_FIXTURE, startSandbox, type Sandbox, type StartSandboxOptions } from "../../sandbox/index.js";
import { loadFixtureFile } from "../../sandbox/fixture.js";
import { assumeDeployer } from "./clients.js";

const CENTRAL = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api";
const DIGEST = "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f"; // 8d1e4b7
const EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

async function start(opts: StartSandboxOptions = {}): Promise<Sandbox> {
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.3, ...opts });
  return sb;
}

/** The example template as rendered for `name` (account, region): secret from SSM, awslogs, health check. */
function taskDef(account: string, name: string, region = "eu-west-1", over: Partial<RegisterTaskDefinitionCommandInput> = {}) {
  const input: RegisterTaskDefinitionCommandInput = {
    family: `shop-api-${name}`,
    taskRoleArn: `arn:aws:iam::${account}:role/shop-api-task`,
    executionRoleArn: `arn:aws:iam::${account}:role/shop-api-exec`,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [
      {
        name: "app",
        image: `${CENTRAL}@${DIGEST}`,
        essential: true,
        portMappings: [{ name: "http", containerPort: 8080, protocol: "tcp", appProtocol: "http" }],
        secrets: [{ name: "DATABASE_URL", valueFrom: `arn:aws:ssm:${region}:${account}:parameter/shop-api/database-url` }],
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": `/ecs/shop-api/${name}`, "awslogs-region": region, "awslogs-stream-prefix": "app" },
        },
      },
    ],
    ...over,
  };
  return input;
}

/** Registers and deploys `input` to ACCOUNT's service; waits until the deployment settles. */
async function deploy(s: Sandbox, account: string, name: string, input: RegisterTaskDefinitionCommandInput, region = "eu-west-1") {
  const c = await assumeDeployer(s, account, region);
  const td = await c.ecs.send(new RegisterTaskDefinitionCommand(input));
  await c.ecs.send(
    new UpdateServiceCommand({ cluster: `shop-${name}`, service: "api", taskDefinition: td.taskDefinition!.taskDefinitionArn! }),
  );
  const deadline = Date.now() + 15_000;
  for (;;) {
    const svc = (await c.ecs.send(new DescribeServicesCommand({ cluster: `shop-${name}`, services: ["api"] }))).services![0]!;
    const mine = svc.deployments!.find((d) => d.taskDefinition === td.taskDefinition!.taskDefinitionArn);
    if (mine && mine.rolloutState !== "IN_PROGRESS") {
      const stopped = svc
        .events!.filter((e) => e.createdAt! >= mine.createdAt!)
        .map((e) => e.message ?? "")
        .find((m) => m.includes("has stopped 1 running tasks") && m.includes("Reason: "));
      return { state: mine.rolloutState!, reason: stopped?.split("Reason: ")[1], service: svc, clients: c };
    }
    if (Date.now() > deadline) throw new Error(`deployment of ${td.taskDefinition!.taskDefinitionArn} did not settle`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const SESSION = /arn:aws:sts::222222222222:assumed-role\/shop-api-exec\/[0-9a-f]{32}/;

describe("sandbox: task start (execution role, secrets, logs)", () => {
  it("the example fleet's definition starts: registry auth, SSM secret (AWS managed key), pull, log group all pass", async () => {
    const s = await start();
    const out = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(out.reason).toBeUndefined();
    expect(out.state).toBe("COMPLETED");
  });

  it("an execution role without ecr:GetAuthorizationToken: ResourceInitializationError (registry auth), the circuit breaker fails and rolls back", async () => {
    const s = await start();
    s.admin.detachRolePolicy({ account: "222222222222", role: "shop-api-exec", policyArn: EXEC_POLICY });
    s.admin.putRolePolicy({
      account: "222222222222",
      role: "shop-api-exec",
      name: "logs",
      document: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
      },
    });
    const out = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(out.state).toBe("FAILED");
    expect(out.reason).toMatch(
      /^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 1 time\(s\): AccessDeniedException: User: arn:aws:sts::222222222222:assumed-role\/shop-api-exec\/[0-9a-f]{32} is not authorized to perform: ecr:GetAuthorizationToken on resource: \* because no identity-based policy allows the ecr:GetAuthorizationToken action status code: 400, request id: /,
    );
    expect(out.service.events!.some((e) => e.message?.includes("deployment failed: tasks failed to start"))).toBe(true);
    expect(out.service.events!.some((e) => e.message?.includes("rolling back to deployment"))).toBe(true);
  });

  it("an execution role allowed the token but not ecr:BatchGetImage: CannotPullContainerError 403 on the manifest", async () => {
    const s = await start();
    s.admin.detachRolePolicy({ account: "222222222222", role: "shop-api-exec", policyArn: EXEC_POLICY });
    s.admin.putRolePolicy({
      account: "222222222222",
      role: "shop-api-exec",
      name: "token-and-logs",
      document: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
      },
    });
    const out = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(out.state).toBe("FAILED");
    expect(out.reason).toBe(
      `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${CENTRAL}@${DIGEST}: pulling from host 111111111111.dkr.ecr.eu-west-1.amazonaws.com failed with status code [manifests ${DIGEST}]: 403 Forbidden`,
    );
  });

  it("allowed BatchGetImage but not GetDownloadUrlForLayer: 403 on the first layer's HEAD request", async () => {
    const s = await start();
    s.admin.detachRolePolicy({ account: "222222222222", role: "shop-api-exec", policyArn: EXEC_POLICY });
    s.admin.putRolePolicy({
      account: "222222222222",
      role: "shop-api-exec",
      name: "no-layers",
      document: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: "*",
          },
        ],
      },
    });
    const out = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(out.reason).toMatch(
      /^CannotPullContainerError: pull image manifest has been retried 1 time\(s\): failed to resolve ref .*: unexpected status from HEAD request to https:\/\/111111111111\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/v2\/shop\/api\/blobs\/sha256:[0-9a-f]{64}: 403 Forbidden$/,
    );
  });

  it("across accounts the repository policy must grant too: the identity policy alone is not enough", async () => {
    const s = await start();
    // The central repository's policy without 222222222222 (staging and prod-us still granted).
    s.admin.setRepositoryPolicy({
      repositoryUri: CENTRAL,
      policy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: ["arn:aws:iam::333333333333:root"] },
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
          },
        ],
      },
    });
    const out = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(out.state).toBe("FAILED");
    expect(out.reason).toContain("403 Forbidden");
  });

  it("a replica in the central account (the target's region) is pulled under the replica's own policy, not the source's", async () => {
    // prod-us (555555555555, us-east-1) pulls from a replica of shop/api in the central account's us-east-1
    // registry. "Repository policies ... are not replicated": the replica starts without one.
    const fixture = loadFixtureFile(DEMO_FIXTURE);
    const central = fixture.accounts!.find((a) => a.id === "111111111111")!;
    const source = central.repositories!.find((r) => r.name === "shop/api")!;
    central.repositories!.push({ region: "us-east-1", name: "shop/api", images: source.images });
    const s = await start({ fixture });
    const replica = "111111111111.dkr.ecr.us-east-1.amazonaws.com/shop/api";
    const input = taskDef("555555555555", "prod-us", "us-east-1");
    input.containerDefinitions![0]!.image = `${replica}@${DIGEST}`;
    const denied = await deploy(s, "555555555555", "prod-us", input, "us-east-1");
    expect(denied.reason).toBe(
      `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${replica}@${DIGEST}: pulling from host 111111111111.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests ${DIGEST}]: 403 Forbidden`,
    );
    s.admin.setRepositoryPolicy({ repositoryUri: replica, policy: source.policy! });
    const granted = await deploy(s, "555555555555", "prod-us", input, "us-east-1");
    expect(granted.reason).toBeUndefined();
    expect(granted.state).toBe("COMPLETED");
  });

  it("a missing SSM parameter: 'invalid ssm parameters: NAME' (a real Fargate stop reason for GetParameters' InvalidParameters)", async () => {
    const s = await start();
    s.admin.deleteParameter({ account: "222222222222", region: "eu-west-1", name: "/shop-api/database-url" });
    const out = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(out.state).toBe("FAILED");
    expect(out.reason).toBe(
      "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: " +
        "service call has been retried 1 time(s): invalid ssm parameters: arn:aws:ssm:eu-west-1:222222222222:parameter/shop-api/database-url",
    );
  });

  it("an execution role without ssm:GetParameters: the AccessDeniedException real outputs show", async () => {
    const s = await start();
    s.admin.deleteRolePolicy({ account: "222222222222", role: "shop-api-exec", name: "secrets" });
    const out = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(out.reason).toMatch(
      new RegExp(
        "^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time\\(s\\): AccessDeniedException: User: " +
          SESSION.source +
          " is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:222222222222:parameter/shop-api/database-url because no identity-based policy allows the ssm:GetParameters action status code: 400, request id: [0-9a-f-]{36}$",
      ),
    );
  });

  it("a SecureString under a customer managed key needs kms:Decrypt for the execution role", async () => {
    const fixture = loadFixtureFile(DEMO_FIXTURE);
    fixture.targets = fixture.targets!.map((t) => (t.name === "dev" ? { ...t, databaseUrlParameter: "customer-key" as const } : t));
    const s = await start({ fixture });
    const denied = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(denied.state).toBe("FAILED");
    expect(denied.reason).toMatch(
      /unable to retrieve secrets from ssm: service call has been retried 1 time\(s\): AccessDeniedException: User: arn:aws:sts::222222222222:assumed-role\/shop-api-exec\/[0-9a-f]{32} is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:222222222222:key\/[0-9a-f-]{36} because no identity-based policy allows the kms:Decrypt action/,
    );
    s.admin.putRolePolicy({
      account: "222222222222",
      role: "shop-api-exec",
      name: "decrypt",
      document: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:eu-west-1:222222222222:key/*" }],
      },
    });
    expect((await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"))).state).toBe("COMPLETED");
  });

  it("Secrets Manager: a missing secret, one the role may not read, and one under a key it may not use", async () => {
    const s = await start();
    const arn = s.admin.putSecret({ account: "222222222222", region: "eu-west-1", name: "shop-api/db" });
    expect(arn).toMatch(/^arn:aws:secretsmanager:eu-west-1:222222222222:secret:shop-api\/db-[A-Za-z]{6}$/);
    const withSecret = (valueFrom: string) => {
      const input = taskDef("222222222222", "dev");
      input.containerDefinitions![0]!.secrets = [{ name: "DB_PASSWORD", valueFrom }];
      return input;
    };
    const prefix =
      "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret";

    const readable = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:shop-api/*",
        },
      ],
    };
    const unreadable = await deploy(s, "222222222222", "dev", withSecret(arn));
    expect(unreadable.reason).toMatch(/because no identity-based policy allows the secretsmanager:GetSecretValue action/);
    s.admin.putRolePolicy({ account: "222222222222", role: "shop-api-exec", name: "asm", document: readable });
    const gone = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:shop-api/gone-AbCdEf";
    const notFound = await deploy(s, "222222222222", "dev", withSecret(gone));
    expect(notFound.reason).toMatch(
      new RegExp(
        `^${prefix.replace(/[()]/g, "\\$&")} ${gone} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret\\. status code: 400, request id: `,
      ),
    );
    expect((await deploy(s, "222222222222", "dev", withSecret(`${arn}:password::`))).state).toBe("COMPLETED");

    const key = s.admin.createKmsKey({ account: "222222222222", region: "eu-west-1", alias: "alias/db", description: "db" });
    s.admin.putSecret({ account: "222222222222", region: "eu-west-1", name: "shop-api/db", kmsKeyId: key.arn });
    const kms = await deploy(s, "222222222222", "dev", withSecret(arn));
    expect(kms.reason).toMatch(/ from secrets manager: AccessDeniedException: Access to KMS is not allowed status code: 400, request id: /);
  });

  it("a missing log group: ResourceInitializationError: failed to validate logger args … The specified log group does not exist.", async () => {
    const s = await start();
    s.admin.deleteLogGroup({ account: "222222222222", region: "eu-west-1", name: "/ecs/shop-api/dev" });
    const out = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(out.state).toBe("FAILED");
    expect(out.reason).toBe(
      "ResourceInitializationError: failed to validate logger args: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.",
    );
  });

  it('awslogs-create-group "true" needs logs:CreateLogGroup; with it, the task creates the group', async () => {
    const s = await start();
    const input = taskDef("222222222222", "dev");
    input.containerDefinitions![0]!.logConfiguration!.options = {
      "awslogs-group": "/ecs/shop-api/dev-new",
      "awslogs-region": "eu-west-1",
      "awslogs-stream-prefix": "app",
      "awslogs-create-group": "true",
    };
    const denied = await deploy(s, "222222222222", "dev", input);
    expect(denied.reason).toMatch(
      /^ResourceInitializationError: failed to validate logger args: failed to create Cloudwatch log group: AccessDeniedException: User: .* is not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:eu-west-1:222222222222:log-group:\/ecs\/shop-api\/dev-new because no identity-based policy allows the logs:CreateLogGroup action/,
    );
    s.admin.putRolePolicy({
      account: "222222222222",
      role: "shop-api-exec",
      name: "create-group",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "logs:CreateLogGroup", Resource: "*" }] },
    });
    const ok = await deploy(s, "222222222222", "dev", input);
    expect(ok.state).toBe("COMPLETED");
    // The group exists now: without logs:CreateLogGroup the next tasks still start.
    s.admin.deleteRolePolicy({ account: "222222222222", role: "shop-api-exec", name: "create-group" });
    expect((await deploy(s, "222222222222", "dev", input)).state).toBe("COMPLETED");
  });

  it("an SCP of the target's account denying ssm:GetParameters stops the task (explicit deny in a service control policy)", async () => {
    const s = await start();
    s.admin.setServiceControlPolicies({
      account: "222222222222",
      organization: {
        serviceControlPolicies: [
          {
            name: "DenySsmReads",
            document: { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "ssm:GetParameters", Resource: "*" }] },
          },
        ],
      },
    });
    const out = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(out.reason).toMatch(
      /ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:222222222222:parameter\/shop-api\/database-url with an explicit deny in a service control policy status code: 400/,
    );
  });

  it("a permissions boundary on the execution role without logs: the stream cannot be created", async () => {
    const s = await start();
    s.admin.setPermissionsBoundary({
      account: "222222222222",
      role: "shop-api-exec",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ecr:*", "ssm:GetParameters"], Resource: "*" }] },
    });
    const out = await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"));
    expect(out.reason).toMatch(
      /^ResourceInitializationError: failed to validate logger args: failed to create Cloudwatch log stream: AccessDeniedException: User: .* is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:eu-west-1:222222222222:log-group:\/ecs\/shop-api\/dev:log-stream:app\/app\/[0-9a-f]{32} because no permissions boundary allows the logs:CreateLogStream action/,
    );
  });

  it("the fixture's target options plant the same failures (executionRoleEcrPull, logGroup, databaseUrlParameter)", async () => {
    const fixture = loadFixtureFile(DEMO_FIXTURE);
    fixture.targets = fixture.targets!.map((t) =>
      t.name === "dev"
        ? { ...t, executionRoleEcrPull: false }
        : t.name === "staging"
          ? { ...t, logGroup: false }
          : t.name === "prod-us"
            ? { ...t, databaseUrlParameter: "missing" as const }
            : t,
    );
    const s = await start({ fixture });
    expect((await deploy(s, "222222222222", "dev", taskDef("222222222222", "dev"))).reason).toContain(
      "unable to retrieve ecr registry auth",
    );
    expect((await deploy(s, "333333333333", "staging", taskDef("333333333333", "staging"))).reason).toContain(
      "The specified log group does not exist.",
    );
    const prodUs = await deploy(s, "555555555555", "prod-us", taskDef("555555555555", "prod-us", "us-east-1"), "us-east-1");
    expect(prodUs.reason).toContain("invalid ssm parameters: arn:aws:ssm:us-east-1:555555555555:parameter/shop-api/database-url");
  });
});
