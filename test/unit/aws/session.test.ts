import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSessionFactory, safeSessionName, type ClosableSessionFactory } from "../../../src/aws/session.js";
import { DeployerError } from "../../../src/errors.js";
import { VERSION } from "../../../src/version.js";
import { assumeRoleOk, callerIdentityOk, ecsJson, startFakeAws, stsError, type FakeAwsServer } from "./fake-aws-server.js";

const BASE_KEY = "AKIABASEKEY000000001";
const baseCredentials = async () => ({ accessKeyId: BASE_KEY, secretAccessKey: "base-secret" });
const ROLE = "arn:aws:iam::222222222222:role/deployer";
const req = { roleArn: ROLE, externalId: "shop-deployer-dev", region: "eu-west-1", sessionName: "deployer-shop-r1", target: "dev" };

let aws: FakeAwsServer;
let factory: ClosableSessionFactory;
let expiresInMs = 3_600_000;
let assumed = 0;

beforeEach(async () => {
  aws = await startFakeAws();
  assumed = 0;
  expiresInMs = 3_600_000;
  // Default behaviour: AssumeRole works; GetCallerIdentity answers for whoever signed.
  aws.handle((r) => {
    if (r.action === "AssumeRole") {
      assumed += 1;
      return assumeRoleOk(r.params.RoleArn ?? "", r.params.RoleSessionName ?? "", new Date(Date.now() + expiresInMs), assumed);
    }
    if (r.action === "GetCallerIdentity") {
      return r.keyId === BASE_KEY
        ? callerIdentityOk("arn:aws:iam::111111111111:user/ci", "111111111111", "AIDACI")
        : callerIdentityOk("arn:aws:sts::222222222222:assumed-role/deployer/deployer-shop-r1", "222222222222", "AROAFAKE:deployer-shop-r1");
    }
    if (r.service === "ecs" && r.action === "DescribeServices") {
      const b = r.body as { services: string[] };
      return ecsJson({
        services: [],
        failures: b.services.map((s) => ({ arn: `arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/${s}`, reason: "MISSING" })),
      });
    }
    return undefined;
  });
  factory = createSessionFactory({ endpointUrl: aws.endpoint, baseCredentials, maxAttempts: 3 });
});

afterEach(async () => {
  await factory.close();
  await aws.close();
});

describe("target sessions", () => {
  it("assumes the deploy role with the ExternalId and session name, then acts as it", async () => {
    const session = await factory.target(req);
    expect(session.identity).toEqual({
      account: "222222222222",
      arn: "arn:aws:sts::222222222222:assumed-role/deployer/deployer-shop-r1",
      userId: "deployer:deployer-shop-r1",
    });
    // The identity follows from the role and session name: no GetCallerIdentity with the assumed keys.
    expect(aws.requests.filter((r) => r.action === "GetCallerIdentity" && r.keyId !== BASE_KEY)).toEqual([]);
    const assume = aws.requests.find((r) => r.action === "AssumeRole");
    expect(assume?.params).toMatchObject({ RoleArn: ROLE, ExternalId: "shop-deployer-dev", RoleSessionName: "deployer-shop-r1" });
    expect(assume?.keyId).toBe(BASE_KEY);

    const services = await session.ecs.describeServices("shop-dev", ["api"]);
    expect(services.get("api")).toBeUndefined();
    const ecsCall = aws.requests.find((r) => r.service === "ecs");
    expect(ecsCall?.keyId).toBe("ASIAFAKE00000001");
    expect(ecsCall?.userAgent).toContain(`deployer/${VERSION}`);
    expect(assume?.userAgent).toContain(`deployer/${VERSION}`);
  });

  it("sends no ExternalId when none is configured and passes DurationSeconds", async () => {
    const f = createSessionFactory({ endpointUrl: aws.endpoint, baseCredentials, sessionDurationSeconds: 900 });
    try {
      await f.target({ ...req, externalId: undefined });
      const assume = aws.requests.find((r) => r.action === "AssumeRole");
      expect(assume?.params.ExternalId).toBeUndefined();
      expect(assume?.params.DurationSeconds).toBe("900");
    } finally {
      await f.close();
    }
  });

  it("turns a denied AssumeRole into ASSUME_ROLE_DENIED naming the role, the ExternalId and who was denied", async () => {
    aws.handle((r) =>
      r.action === "AssumeRole"
        ? stsError(
            "AccessDenied",
            `User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
          )
        : undefined,
    );
    const err = (await factory.target({ ...req, externalId: "wrong-id" }).catch((e: unknown) => e)) as DeployerError;
    expect(err).toBeInstanceOf(DeployerError);
    expect(err).toMatchObject({
      code: "ASSUME_ROLE_DENIED",
      target: "dev",
      account: "222222222222",
      action: "sts:AssumeRole",
      resource: ROLE,
      awsCode: "AccessDenied",
    });
    expect(err.message).toContain(ROLE);
    expect(err.message).toContain('ExternalId "wrong-id" was sent');
    expect(err.message).toContain("arn:aws:iam::111111111111:user/ci");
    expect(err.hint).toMatch(/trust policy/);
    expect(err.hint).toContain('"wrong-id"');
    expect(err.awsMessage).toContain("is not authorized");
    // Denied is not retried, and no client acting as the role was used.
    expect(aws.requests.filter((r) => r.action === "AssumeRole")).toHaveLength(1);
    expect(aws.requests.some((r) => r.service === "ecs")).toBe(false);
  });

  it("says that no ExternalId was sent when there was none", async () => {
    aws.handle((r) => (r.action === "AssumeRole" ? stsError("AccessDenied", "not authorized") : undefined));
    const err = (await factory.target({ ...req, externalId: undefined }).catch((e: unknown) => e)) as DeployerError;
    expect(err.code).toBe("ASSUME_ROLE_DENIED");
    expect(err.message).toContain("no ExternalId was sent");
    expect(err.hint).toMatch(/sts:ExternalId/);
  });

  it("retries throttled AssumeRole calls, then succeeds", async () => {
    let throttled = 0;
    aws.handle((r) => {
      if (r.action === "AssumeRole" && throttled < 2) {
        throttled += 1;
        return stsError("Throttling", "Rate exceeded", 400);
      }
      return undefined;
    });
    const session = await factory.target(req);
    expect(session.identity.account).toBe("222222222222");
    expect(aws.requests.filter((r) => r.action === "AssumeRole")).toHaveLength(3);
  });

  it("reports throttling that outlasts the retries as AWS_ERROR with a hint", async () => {
    aws.handle((r) => (r.action === "AssumeRole" ? stsError("Throttling", "Rate exceeded", 400) : undefined));
    const err = (await factory.target(req).catch((e: unknown) => e)) as DeployerError;
    expect(err).toMatchObject({ code: "AWS_ERROR", awsCode: "Throttling", action: "sts:AssumeRole", resource: ROLE, target: "dev" });
    expect(err.message).toContain("3 attempts");
    expect(err.hint).toContain("maxParallel");
  });

  it("shares one AssumeRole between the target's clients and keeps short sessions for most of their life", async () => {
    // Only Date is faked: the HTTP round trips to the fake server run on real timers.
    const t0 = Date.parse("2026-12-01T10:00:00Z");
    vi.useFakeTimers({ toFake: ["Date"], now: t0 });
    try {
      expiresInMs = 60_000; // the SDK alone would re-assume before every request (less than 5 min left)
      const session = await factory.target(req);
      const assumeRoles = () => aws.requests.filter((r) => r.action === "AssumeRole").length;
      const lastEcsKey = () => aws.requests.filter((r) => r.service === "ecs").at(-1)?.keyId;
      await session.ecs.describeServices("shop-dev", ["api"]);
      await session.ecs.describeCluster("shop-dev").catch(() => undefined);
      expect(assumeRoles()).toBe(1);
      const firstKey = lastEcsKey();

      // Two thirds of the session's life gone: the same session still serves every client.
      vi.setSystemTime(t0 + 40_000);
      await session.ecs.describeServices("shop-dev", ["api"]);
      expect(assumeRoles()).toBe(1);
      expect(lastEcsKey()).toBe(firstKey);

      // Past the refresh point (a quarter of the life left): one new AssumeRole, and its keys sign.
      vi.setSystemTime(t0 + 46_000);
      await session.ecs.describeServices("shop-dev", ["api"]);
      await session.ecs.describeCluster("shop-dev").catch(() => undefined);
      expect(assumeRoles()).toBe(2);
      expect(lastEcsKey()).not.toBe(firstKey);
    } finally {
      vi.useRealTimers();
    }
  });

  it("re-assumes the role when the credentials have expired, so long waits keep working", async () => {
    expiresInMs = -1_000; // every session the server hands out is already past its expiry
    const session = await factory.target(req);
    await session.ecs.describeServices("shop-dev", ["api"]);
    await session.ecs.describeServices("shop-dev", ["api"]);
    const ecsKeys = aws.requests.filter((r) => r.service === "ecs").map((r) => r.keyId);
    expect(new Set(ecsKeys).size).toBe(2);
    expect(aws.requests.filter((r) => r.action === "AssumeRole").length).toBeGreaterThanOrEqual(3);
  });

  it("maps a denied refresh mid-run to ASSUME_ROLE_DENIED, not to an ECS access error", async () => {
    expiresInMs = -1_000;
    const session = await factory.target(req);
    aws.handle((r) => (r.action === "AssumeRole" ? stsError("AccessDenied", "trust policy changed") : undefined));
    const err = (await session.ecs.describeServices("shop-dev", ["api"]).catch((e: unknown) => e)) as DeployerError;
    expect(err).toMatchObject({ code: "ASSUME_ROLE_DENIED", resource: ROLE, target: "dev" });
  });

  it("names the endpoint when nothing listens there", async () => {
    const port = new URL(aws.endpoint).port;
    await aws.close();
    const f = createSessionFactory({ endpointUrl: `http://127.0.0.1:${port}`, baseCredentials, maxAttempts: 1 });
    try {
      const err = (await f.target(req).catch((e: unknown) => e)) as DeployerError;
      expect(err).toMatchObject({ code: "ENDPOINT_UNREACHABLE", awsCode: "ECONNREFUSED", action: "sts:AssumeRole", target: "dev" });
      expect(err.message).toContain(`http://127.0.0.1:${port}`);
    } finally {
      await f.close();
    }
    aws = await startFakeAws(); // for afterEach
  });

  it("pools sockets across targets: many sessions, few connections", async () => {
    const f = createSessionFactory({ endpointUrl: aws.endpoint, baseCredentials, maxSockets: 4 });
    try {
      const sessions = await Promise.all(
        Array.from({ length: 30 }, (_, i) => f.target({ ...req, sessionName: `deployer-shop-${i}`, target: `t${i}` })),
      );
      await Promise.all(sessions.map((s) => s.ecs.describeServices("shop-dev", ["api"])));
      expect(aws.requests.filter((r) => r.service === "ecs")).toHaveLength(30);
      expect(aws.connections()).toBeLessThanOrEqual(4);
    } finally {
      await f.close();
    }
  });

  it("explains missing base credentials instead of failing obscurely", async () => {
    const noCredentials = async () => {
      throw Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
    };
    const f = createSessionFactory({ endpointUrl: aws.endpoint, baseCredentials: noCredentials, maxAttempts: 1 });
    try {
      const err = (await f.target(req).catch((e: unknown) => e)) as DeployerError;
      expect(err).toMatchObject({ code: "AWS_ERROR", action: "sts:AssumeRole", resource: ROLE, target: "dev" });
      expect(err.message).toContain("No AWS credentials");
      expect(err.hint).toContain("AWS_PROFILE");
      expect(aws.requests).toHaveLength(0);
    } finally {
      await f.close();
    }
  });

  it("refuses to be used after close()", async () => {
    await factory.close();
    await expect(factory.target(req)).rejects.toMatchObject({ code: "INTERNAL" });
  });
});

describe("base and registry sessions", () => {
  it("base(): identity and ECR port with the base credentials", async () => {
    const base = await factory.base("eu-west-1");
    expect(base.identity).toEqual({ account: "111111111111", arn: "arn:aws:iam::111111111111:user/ci", userId: "AIDACI" });
    expect(aws.requests.filter((r) => r.action === "AssumeRole")).toHaveLength(0);
    expect(await factory.base("eu-west-1")).toBe(base);
  });

  it("base(): reports rejected base credentials with a hint on providing them", async () => {
    aws.handle((r) =>
      r.action === "GetCallerIdentity"
        ? stsError("InvalidClientTokenId", "The security token included in the request is invalid.")
        : undefined,
    );
    const err = (await factory.base("eu-west-1").catch((e: unknown) => e)) as DeployerError;
    expect(err).toMatchObject({ code: "AWS_ERROR", awsCode: "InvalidClientTokenId", action: "sts:GetCallerIdentity" });
    expect(err.hint).toMatch(/AWS_PROFILE/);
  });

  it("registry(): assumes the registry role", async () => {
    const reg = await factory.registry({
      roleArn: "arn:aws:iam::111111111111:role/registry-reader",
      region: "eu-west-1",
      sessionName: "deployer-shop-r1",
    });
    expect(reg.identity).toMatchObject({
      account: "111111111111",
      arn: "arn:aws:sts::111111111111:assumed-role/registry-reader/deployer-shop-r1",
    });
    expect(aws.requests.find((r) => r.action === "AssumeRole")?.params.RoleArn).toBe("arn:aws:iam::111111111111:role/registry-reader");
  });
});

describe("safeSessionName", () => {
  it("keeps valid names and repairs invalid ones", () => {
    expect(safeSessionName("deployer-shop-r1")).toBe("deployer-shop-r1");
    expect(safeSessionName("deployer-my shop/api-r1")).toBe("deployer-my-shop-api-r1");
    expect(safeSessionName("x".repeat(80))).toHaveLength(64);
    expect(safeSessionName("a")).toBe("deployer-a");
  });
});
