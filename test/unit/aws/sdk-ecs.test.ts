import { beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  ClientException,
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  UpdateServiceCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { createEcsPort } from "../../../src/aws/sdk-ecs.js";
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
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
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
    expect(err).toMatchObject({ code: "CLUSTER_NOT_FOUND", resource: "shop-dev", target: "dev", account: "222222222222", action: "ecs:DescribeServices", awsCode: "ClusterNotFoundException" });
  });

  it("reports failures other than MISSING instead of hiding them", async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: "arn:x/api", reason: "ACCESS_DENIED", detail: "nope" }] });
    await expect(port.describeServices("shop-dev", ["api"])).rejects.toMatchObject({ code: "AWS_ERROR", awsCode: "ACCESS_DENIED", awsMessage: "nope" });
  });

  it("maps AccessDeniedException to ACCESS_DENIED with the action and resource", async () => {
    ecsMock.on(DescribeServicesCommand).rejects(
      Object.assign(new Error("User: arn:aws:sts::222222222222:assumed-role/deployer/x is not authorized to perform: ecs:DescribeServices"), {
        name: "AccessDeniedException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      }),
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
    ecsMock.on(DescribeClustersCommand, { clusters: ["nope"] }).resolves({ clusters: [], failures: [{ arn: "arn:aws:ecs:eu-west-1:222222222222:cluster/nope", reason: "MISSING" }] });
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
      tags: [{ key: "deployer:image-digest", value: "sha256:abc" }, { key: "team", value: "shop" }],
    });
    const td = await port.describeTaskDefinition("shop-api");
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({ taskDefinition: "shop-api", include: ["TAGS"] });
    expect(td).toMatchObject({ arn: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api:7", family: "shop-api", revision: 7, status: "ACTIVE" });
    expect(td?.tags).toEqual({ "deployer:image-digest": "sha256:abc", team: "shop" });
    expect(td?.raw.registeredAt).toBe("2024-05-01T09:59:00.000Z");
    expect(JSON.parse(JSON.stringify(td?.raw))).toEqual(td?.raw);
  });

  it("returns undefined for a task definition that does not exist", async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: "Unable to describe task definition.", $metadata: {} }));
    expect(await port.describeTaskDefinition("shop-api:99")).toBeUndefined();
  });

  it("does not hide other ClientExceptions", async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: "Something else.", $metadata: { httpStatusCode: 400 } }));
    await expect(port.describeTaskDefinition("shop-api:1")).rejects.toMatchObject({ code: "AWS_ERROR", awsCode: "ClientException", action: "ecs:DescribeTaskDefinition", resource: "shop-api:1" });
  });
});

describe("registerTaskDefinition", () => {
  it("passes the input with tags as key/value pairs", async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api:8", family: "shop-api", revision: 8, status: "ACTIVE", registeredAt: new Date(0) },
      tags: [{ key: "deployer:run-id", value: "r1" }],
    });
    const td = await port.registerTaskDefinition(
      { family: "shop-api", containerDefinitions: [{ name: "api", image: "repo@sha256:abc" }], cpu: "256", memory: "512" },
      { "deployer:run-id": "r1", "deployer:git-sha": "abc123" },
    );
    const input = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ family: "shop-api", cpu: "256", memory: "512", containerDefinitions: [{ name: "api", image: "repo@sha256:abc" }] });
    expect(input?.tags).toEqual([{ key: "deployer:run-id", value: "r1" }, { key: "deployer:git-sha", value: "abc123" }]);
    expect(td).toMatchObject({ revision: 8, tags: { "deployer:run-id": "r1" } });
    expect(td.raw.registeredAt).toBe("1970-01-01T00:00:00.000Z");
  });

  it("explains 'Role is not valid'", async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(new ClientException({ message: "Role is not valid", $metadata: { httpStatusCode: 400 } }));
    const err = (await port.registerTaskDefinition({ family: "shop-api", containerDefinitions: [] }, {}).catch((e: unknown) => e)) as DeployerError;
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
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({ cluster: "shop-dev", service: "api", taskDefinition: "td:8" });
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
