import { beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  ClientException,
  ClusterNotFoundException,
  ConflictException,
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  UpdateServiceCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createEcsPort } from "../../../src/aws/sdk-ecs.js";
import { projectRoot } from "../../fixtures/config/repo.js";
import { DeployerError } from "../../../src/errors.js";

const ecsMock = mockClient(ECSClient);
const client = new ECSClient({ region: "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } });
const port = createEcsPort(client, { target: "dev", account: "222222222222" });

const clusterArn = "arn:aws:ecs:eu-west-1:222222222222:cluster/shop-dev";

function service(name: string, extra: Partial<Service> = {}): Service {
  return {
    serviceArn: `arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/${name}`,
    serviceName: name,
    clusterArn,
    status: "ACTIVE",
    taskDefinition: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api:7",
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deploymentController: { type: "ECS" },
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    deployments: [
      {
        id: "ecs-svc/1234567890",
        status: "PRIMARY",
        taskDefinition: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api:7",
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: "COMPLETED",
        rolloutStateReason: "ECS deployment ecs-svc/1234567890 completed.",
        createdAt: new Date("2024-05-01T10:00:00.000Z"),
        updatedAt: new Date("2024-05-01T10:05:00.000Z"),
      },
    ],
    events: [{ id: "e2", createdAt: new Date("2024-05-01T10:05:00.000Z"), message: "(service api) has reached a steady state." }],
    ...extra,
  };
}

beforeEach(() => ecsMock.reset());

describe("describeServices", () => {
  it("asks for at most 10 services per call and maps every name", async () => {
    const names = Array.from({ length: 23 }, (_, i) => `svc-${i}`);
    ecsMock.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services.map((n) => service(n)),
      failures: [],
    }));
    const result = await port.describeServices("shop-dev", names);
    const calls = ecsMock.commandCalls(DescribeServicesCommand);
    expect(calls.map((c) => c.args[0].input.services?.length)).toEqual([10, 10, 3]);
    expect(calls.every((c) => c.args[0].input.cluster === "shop-dev")).toBe(true);
    expect([...result.keys()]).toEqual(names);
    expect(result.get("svc-22")?.name).toBe("svc-22");
  });

  it("maps MISSING failures to undefined and converts the service", async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [service("api")],
      failures: [{ arn: "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/gone", reason: "MISSING" }],
    });
    const result = await port.describeServices("shop-dev", ["api", "gone"]);
    expect(result.has("gone")).toBe(true);
    expect(result.get("gone")).toBeUndefined();
    const api = result.get("api");
    expect(api).toMatchObject({
      name: "api",
      status: "ACTIVE",
      deploymentController: "ECS",
      circuitBreaker: { enable: true, rollback: true },
      deployments: [{ id: "ecs-svc/1234567890", rolloutState: "COMPLETED", createdAt: "2024-05-01T10:00:00.000Z", failedTasks: 0 }],
      events: [{ id: "e2", createdAt: "2024-05-01T10:05:00.000Z" }],
    });
  });

  it("matches services requested by ARN", async () => {
    const arn = "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api";
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service("api")] });
    const result = await port.describeServices("shop-dev", [arn]);
    expect(result.get(arn)?.name).toBe("api");
  });

  it("does not call AWS for an empty list", async () => {
    const result = await port.describeServices("shop-dev", []);
    expect(result.size).toBe(0);
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(0);
  });

  it("turns ClusterNotFoundException into CLUSTER_NOT_FOUND naming the cluster", async () => {
    ecsMock.on(DescribeServicesCommand).rejects(new ClusterNotFoundException({ message: "Cluster not found.", $metadata: {} }));
    const err = await port.describeServices("shop-dev", ["api"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployerError);
    expect(err).toMatchObject({
      code: "CLUSTER_NOT_FOUND",
      resource: "shop-dev",
      target: "dev",
      account: "222222222222",
      action: "ecs:DescribeServices",
      awsCode: "ClusterNotFoundException",
    });
  });

  it("reports failures other than MISSING instead of hiding them", async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [], failures: [{ arn: "arn:x/api", reason: "ACCESS_DENIED", detail: "nope" }] });
    await expect(port.describeServices("shop-dev", ["api"])).rejects.toMatchObject({
      code: "AWS_ERROR",
      awsCode: "ACCESS_DENIED",
      awsMessage: "nope",
    });
  });

  it("maps AccessDeniedException to ACCESS_DENIED with the action and resource", async () => {
    ecsMock.on(DescribeServicesCommand).rejects(
      Object.assign(
        new Error("User: arn:aws:sts::222222222222:assumed-role/deployer/x is not authorized to perform: ecs:DescribeServices"),
        {
          name: "AccessDeniedException",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
        },
      ),
    );
    const err = (await port.describeServices("shop-dev", ["api"]).catch((e: unknown) => e)) as DeployerError;
    expect(err.code).toBe("ACCESS_DENIED");
    expect(err.action).toBe("ecs:DescribeServices");
    expect(err.resource).toBe("shop-dev/api");
    expect(err.hint).toContain("ecs:DescribeServices");
    expect(err.hint).toContain("222222222222");
  });
});

describe("describeCluster", () => {
  it("returns the cluster, or undefined when MISSING", async () => {
    ecsMock.on(DescribeClustersCommand, { clusters: ["shop-dev"] }).resolves({ clusters: [{ clusterArn, status: "ACTIVE" }] });
    ecsMock
      .on(DescribeClustersCommand, { clusters: ["nope"] })
      .resolves({ clusters: [], failures: [{ arn: "arn:aws:ecs:eu-west-1:222222222222:cluster/nope", reason: "MISSING" }] });
    expect(await port.describeCluster("shop-dev")).toEqual({ arn: clusterArn, status: "ACTIVE" });
    expect(await port.describeCluster("nope")).toBeUndefined();
  });
});

describe("describeTaskDefinition", () => {
  it("asks for tags and returns a JSON-safe raw definition", async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api:7",
        family: "shop-api",
        revision: 7,
        status: "ACTIVE",
        containerDefinitions: [{ name: "api", image: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:abc", essential: true }],
        registeredAt: new Date("2024-05-01T09:59:00.000Z"),
        registeredBy: "arn:aws:sts::222222222222:assumed-role/deployer/run",
        cpu: "256",
        memory: "512",
      },
      tags: [
        { key: "deployer:image-digest", value: "sha256:abc" },
        { key: "team", value: "shop" },
      ],
    });
    const td = await port.describeTaskDefinition("shop-api");
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({
      taskDefinition: "shop-api",
      include: ["TAGS"],
    });
    expect(td).toMatchObject({
      arn: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api:7",
      family: "shop-api",
      revision: 7,
      status: "ACTIVE",
    });
    expect(td?.tags).toEqual({ "deployer:image-digest": "sha256:abc", team: "shop" });
    expect(td?.raw.registeredAt).toBe("2024-05-01T09:59:00.000Z");
    expect(JSON.parse(JSON.stringify(td?.raw))).toEqual(td?.raw);
  });

  it("returns undefined for a task definition that does not exist", async () => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .rejects(new ClientException({ message: "Unable to describe task definition.", $metadata: {} }));
    expect(await port.describeTaskDefinition("shop-api:99")).toBeUndefined();
  });

  it("does not hide other ClientExceptions", async () => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .rejects(new ClientException({ message: "Something else.", $metadata: { httpStatusCode: 400 } }));
    await expect(port.describeTaskDefinition("shop-api:1")).rejects.toMatchObject({
      code: "AWS_ERROR",
      awsCode: "ClientException",
      action: "ecs:DescribeTaskDefinition",
      resource: "shop-api:1",
    });
  });
});

describe("registerTaskDefinition", () => {
  it("passes the input with tags as key/value pairs", async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api:8",
        family: "shop-api",
        revision: 8,
        status: "ACTIVE",
        registeredAt: new Date(0),
      },
      tags: [{ key: "deployer:run-id", value: "r1" }],
    });
    const td = await port.registerTaskDefinition(
      { family: "shop-api", containerDefinitions: [{ name: "api", image: "repo@sha256:abc" }], cpu: "256", memory: "512" },
      { "deployer:run-id": "r1", "deployer:git-sha": "abc123" },
    );
    const input = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      family: "shop-api",
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "api", image: "repo@sha256:abc" }],
    });
    expect(input?.tags).toEqual([
      { key: "deployer:run-id", value: "r1" },
      { key: "deployer:git-sha", value: "abc123" },
    ]);
    expect(td).toMatchObject({ revision: 8, tags: { "deployer:run-id": "r1" } });
    expect(td.raw.registeredAt).toBe("1970-01-01T00:00:00.000Z");
  });

  it("explains 'Role is not valid'", async () => {
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .rejects(new ClientException({ message: "Role is not valid", $metadata: { httpStatusCode: 400 } }));
    const err = (await port
      .registerTaskDefinition({ family: "shop-api", containerDefinitions: [] }, {})
      .catch((e: unknown) => e)) as DeployerError;
    expect(err.code).toBe("AWS_ERROR");
    expect(err.awsMessage).toBe("Role is not valid");
    expect(err.hint).toContain("ecs-tasks.amazonaws.com");
    expect(err.target).toBe("dev");
  });
});

describe("updateService", () => {
  it("updates to the given task definition and returns the service", async () => {
    ecsMock.on(UpdateServiceCommand).resolves({ service: service("api", { taskDefinition: "td:8" }) });
    const svc = await port.updateService("shop-dev", "api", "td:8");
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({
      cluster: "shop-dev",
      service: "api",
      taskDefinition: "td:8",
    });
    expect(svc.taskDefinition).toBe("td:8");
  });

  it.each([
    [new ServiceNotFoundException({ message: "Service not found.", $metadata: {} }), "SERVICE_NOT_FOUND"],
    [new ServiceNotActiveException({ message: "Service was not ACTIVE.", $metadata: {} }), "SERVICE_INACTIVE"],
    [new ClusterNotFoundException({ message: "Cluster not found.", $metadata: {} }), "CLUSTER_NOT_FOUND"],
  ])("maps %s", async (error, code) => {
    ecsMock.on(UpdateServiceCommand).rejects(error);
    await expect(port.updateService("shop-dev", "api", "td:8")).rejects.toMatchObject({ code, target: "dev", account: "222222222222" });
  });
});

// ---------- the service-deployment API, against the AWS CLI's documented example outputs ----------

const FIXTURES = path.join(projectRoot, "test/fixtures/aws");
/** A fixture as the SDK returns it: the CLI prints timestamps as strings, the SDK gives Dates. */
function sdkShaped<T>(file: string): T {
  const dates = new Set(["createdAt", "startedAt", "finishedAt", "stoppedAt", "updatedAt"]);
  return JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8"), (k, v) =>
    dates.has(k) && typeof v === "string" ? new Date(v) : v,
  ) as T;
}

describe("service deployments", () => {
  it("listServiceDeployments maps the briefs (aws ecs list-service-deployments example)", async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves(sdkShaped("list-service-deployments.aws-cli-example.json"));
    const list = await port.listServiceDeployments!("example-cluster", "example-service", { maxResults: 50 });
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)[0]?.args[0].input).toEqual({
      cluster: "example-cluster",
      service: "example-service",
      maxResults: 50,
    });
    expect(list).toEqual([
      {
        arn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/example-cluster/example-service/ejGvqq2ilnbKT9qj0vLJe",
        status: "SUCCESSFUL",
        targetRevisionArn: "arn:aws:ecs:us-east-1:123456789012:service-revision/example-cluster/example-service/1485800978477494678",
        createdAt: "2024-10-31T12:03:30.917Z",
        startedAt: "2024-10-31T12:03:32.510Z",
        finishedAt: "2024-10-31T12:05:04.527Z",
        detailed: false,
      },
    ]);
  });

  it("listServiceDeployments returns newest first whatever order ECS answers in", async () => {
    const brief = (id: string, createdAt: string) => ({
      serviceDeploymentArn: id,
      status: "SUCCESSFUL" as const,
      createdAt: new Date(createdAt),
    });
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [brief("old", "2025-01-01T00:00:00Z"), brief("new", "2025-02-01T00:00:00Z")] });
    expect((await port.listServiceDeployments!("c", "s")).map((d) => d.arn)).toEqual(["new", "old"]);
  });

  it("describeServiceDeployments maps status, revisions and the failure monitors (aws ecs describe-service-deployments example)", async () => {
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves(sdkShaped("describe-service-deployments.aws-cli-example.json"));
    const [d] = await port.describeServiceDeployments!([
      "arn:aws:ecs:us-east-1:123456789012:service-deployment/example-cluster/example-service/ejGvqq2ilnbKT9qj0vLJe",
    ]);
    expect(d).toMatchObject({
      status: "SUCCESSFUL",
      detailed: true,
      sourceRevisionArns: [],
      targetRevisionArn: "arn:aws:ecs:us-east-1:123456789012:service-revision/example-cluster/example-service/1485800978477494678",
      target: { requested: 1, running: 1, pending: 0 },
      circuitBreakerStatus: "MONITORING_COMPLETE",
      alarmsStatus: "DISABLED",
    });
    expect(d!.triggeredAlarmNames).toBeUndefined();
  });

  it("describeServiceDeployments asks at most 20 ARNs a call", async () => {
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    await port.describeServiceDeployments!(Array.from({ length: 45 }, (_, i) => `arn:${i}`));
    expect(ecsMock.commandCalls(DescribeServiceDeploymentsCommand).map((c) => c.args[0].input.serviceDeploymentArns!.length)).toEqual([
      20, 20, 5,
    ]);
  });

  it("reads the alarms that triggered a failure and the revision ECS rolled back to", async () => {
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: "sd",
          status: "ROLLBACK_SUCCESSFUL",
          alarms: { status: "TRIGGERED", alarmNames: ["api-5xx", "api-latency"], triggeredAlarmNames: ["api-5xx"] },
          deploymentCircuitBreaker: { status: "MONITORING_COMPLETE", failureCount: 0, threshold: 3 },
          rollback: { reason: "alarm", startedAt: new Date("2025-01-01T00:00:00Z"), serviceRevisionArn: "rev-1" },
        },
      ],
    });
    const [d] = await port.describeServiceDeployments!(["sd"]);
    expect(d).toMatchObject({
      alarmsStatus: "TRIGGERED",
      triggeredAlarmNames: ["api-5xx"],
      rollback: { reason: "alarm", serviceRevisionArn: "rev-1", startedAt: "2025-01-01T00:00:00.000Z" },
    });
  });

  it("describeServiceRevisions maps each revision to its task definition (aws ecs describe-service-revisions example)", async () => {
    ecsMock.on(DescribeServiceRevisionsCommand).resolves(sdkShaped("describe-service-revisions.aws-cli-example.json"));
    expect(
      await port.describeServiceRevisions!([
        "arn:aws:ecs:us-east-1:123456789012:service-revision/example-cluster/example-service/1485800978477494678",
      ]),
    ).toEqual([
      {
        arn: "arn:aws:ecs:us-east-1:123456789012:service-revision/example-cluster/example-service/1485800978477494678",
        taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:5",
        createdAt: "2024-10-31T12:03:29.302Z",
      },
    ]);
  });

  it("stopServiceDeployment asks for a ROLLBACK and names the deployment when refused", async () => {
    ecsMock.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: "sd" });
    await port.stopServiceDeployment!("sd");
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand)[0]?.args[0].input).toEqual({
      serviceDeploymentArn: "sd",
      stopType: "ROLLBACK",
    });
    ecsMock
      .on(StopServiceDeploymentCommand)
      .rejects(new ConflictException({ message: "The service deployment is SUCCESSFUL and cannot be stopped.", $metadata: {} }));
    await expect(port.stopServiceDeployment!("sd")).rejects.toMatchObject({
      action: "ecs:StopServiceDeployment",
      resource: "sd",
      awsCode: "ConflictException",
    });
  });

  it("updateService passes forceNewDeployment when asked", async () => {
    ecsMock.on(UpdateServiceCommand).resolves({ service: service("api") });
    await port.updateService("shop-dev", "api", "td:8", { forceNewDeployment: true });
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({
      cluster: "shop-dev",
      service: "api",
      taskDefinition: "td:8",
      forceNewDeployment: true,
    });
  });

  it("reads the deployment strategy, bake time, alarms and current service deployment of a service", async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        service("api", {
          deploymentConfiguration: {
            strategy: "LINEAR",
            bakeTimeInMinutes: 5,
            linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 },
            alarms: { alarmNames: ["api-5xx"], enable: true, rollback: true },
            lifecycleHooks: [
              { hookTargetArn: "arn:aws:lambda:eu-west-1:1:function:f", lifecycleStages: ["POST_SCALE_UP", "TEST_TRAFFIC_SHIFT"] },
            ],
          },
          currentServiceDeployment: "sd-1",
        }),
      ],
    });
    const svc = (await port.describeServices("shop-dev", ["api"])).get("api")!;
    expect(svc).toMatchObject({
      strategy: "LINEAR",
      bakeTimeInMinutes: 5,
      linear: { stepPercent: 25, stepBakeTimeInMinutes: 2 },
      alarms: { enable: true, rollback: true, alarmNames: ["api-5xx"] },
      lifecycleHookStages: ["POST_SCALE_UP", "TEST_TRAFFIC_SHIFT"],
      currentServiceDeployment: "sd-1",
    });
  });
});
