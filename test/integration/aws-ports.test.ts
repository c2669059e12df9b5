// The SDK-backed ports and sessions over real HTTP against the local sandbox (demo fleet).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { createSessionFactory, type ClosableSessionFactory } from "../../src/aws/session.js";
import type { TargetSession } from "../../src/aws/ports.js";
import type { DeployerError } from "../../src/errors.js";
import { parseRepositoryUri, repositoryArn } from "../../src/config/aws-names.js";

const DEV = {
  roleArn: "arn:aws:iam::222222222222:role/deployer",
  externalId: "shop-deployer-dev",
  region: "eu-west-1",
  sessionName: "deployer-api-itest",
  target: "dev",
};
const CENTRAL = parseRepositoryUri("111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api");

let sandbox: Sandbox;
let factory: ClosableSessionFactory;
let dev: TargetSession;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  const creds = sandbox.credentials;
  factory = createSessionFactory({
    endpointUrl: sandbox.endpoint,
    baseCredentials: async () => ({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }),
  });
  dev = await factory.target(DEV);
});

afterAll(async () => {
  await factory?.close();
  await sandbox?.stop();
});

describe("sessions against the sandbox", () => {
  it("assumes the dev deploy role", () => {
    expect(dev.identity.account).toBe("222222222222");
    expect(dev.identity.arn).toBe("arn:aws:sts::222222222222:assumed-role/deployer/deployer-api-itest");
  });

  it("a wrong ExternalId is ASSUME_ROLE_DENIED naming the role and the id sent", async () => {
    const err = (await factory.target({ ...DEV, externalId: "wrong" }).catch((e: unknown) => e)) as DeployerError;
    expect(err.code).toBe("ASSUME_ROLE_DENIED");
    expect(err.resource).toBe(DEV.roleArn);
    expect(err.message).toContain('"wrong"');
    expect(err.message).toContain("arn:aws:iam::111111111111:user/ci");
  });

  it("base(): the CI user", async () => {
    const base = await factory.base("eu-west-1");
    expect(base.identity.arn).toBe("arn:aws:iam::111111111111:user/ci");
  });
});

describe("ECS port against the sandbox", () => {
  it("describes the cluster, the service and its task definition", async () => {
    expect((await dev.ecs.describeCluster("shop-dev"))?.status).toBe("ACTIVE");
    expect(await dev.ecs.describeCluster("nope")).toBeUndefined();
    const services = await dev.ecs.describeServices("shop-dev", ["api", "missing"]);
    const api = services.get("api");
    expect(api?.status).toBe("ACTIVE");
    expect(api?.deploymentController).toBe("ECS");
    expect(services.has("missing")).toBe(true);
    expect(services.get("missing")).toBeUndefined();
    const td = await dev.ecs.describeTaskDefinition(api?.taskDefinition ?? "");
    expect(td?.family).toBe("shop-api-dev");
    expect(JSON.parse(JSON.stringify(td?.raw))).toEqual(td?.raw);
    expect(await dev.ecs.describeTaskDefinition("shop-api-dev:999")).toBeUndefined();
  });

  it("ClusterNotFound on DescribeServices is CLUSTER_NOT_FOUND", async () => {
    await expect(dev.ecs.describeServices("no-such-cluster", ["api"])).rejects.toMatchObject({
      code: "CLUSTER_NOT_FOUND",
      resource: "no-such-cluster",
    });
  });

  it("registers a task definition with tags and reads it back", async () => {
    const current = (await dev.ecs.describeServices("shop-dev", ["api"])).get("api");
    const live = await dev.ecs.describeTaskDefinition(current?.taskDefinition ?? "");
    const raw = live?.raw as Record<string, unknown>;
    const input = {
      family: live?.family ?? "",
      containerDefinitions: raw.containerDefinitions as never,
      taskRoleArn: raw.taskRoleArn as string,
      executionRoleArn: raw.executionRoleArn as string,
      networkMode: raw.networkMode as string,
      requiresCompatibilities: raw.requiresCompatibilities as string[],
      cpu: raw.cpu as string,
      memory: raw.memory as string,
    };
    const registered = await dev.ecs.registerTaskDefinition(input, { "deployer:run-id": "itest" });
    expect(registered.revision).toBe((live?.revision ?? 0) + 1);
    const again = await dev.ecs.describeTaskDefinition(registered.arn);
    expect(again?.tags["deployer:run-id"]).toBe("itest");
  });
});

describe("IAM port against the sandbox", () => {
  it("reads the deploy role's URL-encoded trust policy and its policies", async () => {
    const role = await dev.iam.getRole("deployer");
    expect(role?.arn).toBe(DEV.roleArn);
    expect(JSON.stringify(role?.trustPolicy)).toContain("111111111111");
    expect(await dev.iam.getRole("no-such-role")).toBeUndefined();
    const inline = await dev.iam.listInlinePolicies("deployer");
    const attached = await dev.iam.listAttachedPolicies("deployer");
    expect(Object.keys(inline).length + Object.keys(attached).length).toBeGreaterThan(0);
  });

  it("simulates PassRole for the task role", async () => {
    const results = await dev.iam.simulatePrincipalPolicy(
      DEV.roleArn,
      ["iam:PassRole"],
      ["arn:aws:iam::222222222222:role/shop-api-task"],
      [{ key: "iam:PassedToService", type: "string", values: ["ecs-tasks.amazonaws.com"] }],
    );
    expect(results).toHaveLength(1);
    expect(results[0]?.action).toBe("iam:PassRole");
    expect(["allowed", "implicitDeny", "explicitDeny"]).toContain(results[0]?.decision);
  });
});

describe("ECR port against the sandbox", () => {
  it("finds the central image by tag and digest, and reads the repository policy", async () => {
    const base = await factory.base("eu-west-1");
    const byTag = await base.ecr.findImage(CENTRAL, { tag: "c0ffee1" });
    expect(byTag?.digest).toBe("sha256:5292a8330c8b749e883e7108ad7fa9062f4d6796ebef1f6ff4d5d29bf120d901");
    expect((await base.ecr.findImage(CENTRAL, { digest: byTag?.digest ?? "" }))?.tags).toContain("c0ffee1");
    expect(await base.ecr.findImage(CENTRAL, { tag: "no-such-tag" })).toBeUndefined();
    const policy = await base.ecr.getRepositoryPolicy(CENTRAL);
    expect(JSON.stringify(policy)).toContain("arn:aws:iam::222222222222:root");
    const missing = parseRepositoryUri("111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/nope");
    // IAM is evaluated before existence: the CI user may only read shop/api, so this is a denial naming it.
    const err = (await base.ecr.findImage(missing, { tag: "x" }).catch((e: unknown) => e)) as DeployerError;
    expect(err).toMatchObject({
      code: "ACCESS_DENIED",
      action: "ecr:DescribeImages",
      resource: repositoryArn(missing),
      account: "111111111111",
    });
    expect(err.hint).toContain("arn:aws:ecr:eu-west-1:111111111111:repository/shop/nope");
  });
});

describe("retries and refresh against the sandbox", () => {
  it("rides out throttling of DescribeServices (SDK retries, standard mode)", async () => {
    sandbox.admin.setFaults({ throttleRate: 0.4, actions: ["DescribeServices"], seed: 7 });
    try {
      for (let i = 0; i < 3; i++) expect((await dev.ecs.describeServices("shop-dev", ["api"])).get("api")?.name).toBe("api");
      const throttled = sandbox.admin.log({ action: "DescribeServices" }).filter((e) => e.fault === "throttle");
      expect(throttled.length).toBeGreaterThan(0);
    } finally {
      sandbox.admin.setFaults({});
    }
  });

  it("keeps working past the expiry of short assumed-role sessions", async () => {
    const short = await startSandbox({ port: 0, maxSessionSeconds: 1 });
    const f = createSessionFactory({
      endpointUrl: short.endpoint,
      baseCredentials: async () => ({ accessKeyId: short.credentials.accessKeyId, secretAccessKey: short.credentials.secretAccessKey }),
    });
    try {
      const s = await f.target(DEV);
      expect((await s.ecs.describeServices("shop-dev", ["api"])).get("api")).toBeDefined();
      await new Promise((r) => setTimeout(r, 1_500)); // the first session has expired by now
      expect((await s.ecs.describeServices("shop-dev", ["api"])).get("api")).toBeDefined();
      const assumes = short.admin.log({ action: "AssumeRole" });
      expect(assumes.filter((e) => e.status === 200).length).toBeGreaterThanOrEqual(2);
      expect(short.admin.log({ service: "ecs" }).every((e) => e.status === 200)).toBe(true);
    } finally {
      await f.close();
      await short.stop();
    }
  });

  it("the broken target's deploy role may not pass its task role", async () => {
    const broken = await factory.target({
      ...DEV,
      roleArn: "arn:aws:iam::666666666666:role/deployer",
      externalId: "shop-deployer-broken",
      target: "broken",
    });
    const [r] = await broken.iam.simulatePrincipalPolicy(
      "arn:aws:iam::666666666666:role/deployer",
      ["iam:PassRole"],
      ["arn:aws:iam::666666666666:role/shop-api-task"],
      [{ key: "iam:PassedToService", type: "string", values: ["ecs-tasks.amazonaws.com"] }],
    );
    expect(r?.decision).not.toBe("allowed");
    const task = await broken.iam.getRole("shop-api-task");
    expect(JSON.stringify(task?.trustPolicy)).toContain("ec2.amazonaws.com");
  });
});
