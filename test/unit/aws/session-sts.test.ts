// Where and how the session factory calls STS: in the caller's region whatever the target's, with
// session tags unless the role's trust policy refuses sts:TagSession (then once without, and never
// again for that role), and what happens when the base credentials run out.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSessionFactory, sessionTagsOf, type ClosableSessionFactory } from "../../../src/aws/session.js";
import type { BaseCredentials } from "../../../src/aws/base-credentials.js";
import type { DeployerError } from "../../../src/errors.js";
import { assumeRoleOk, callerIdentityOk, ecsJson, startFakeAws, stsError, type FakeAwsServer } from "./fake-aws-server.js";

const BASE_KEY = "AKIABASEKEY000000001";
const ROLE = "arn:aws:iam::222222222222:role/deployer";
const req = { roleArn: ROLE, externalId: "shop-deployer-dev", region: "ap-southeast-3", sessionName: "deployer-shop-r1", target: "dev" };

let aws: FakeAwsServer;
let factory: ClosableSessionFactory | undefined;
let assumed = 0;
let expiresInMs = 3_600_000;

beforeEach(async () => {
  aws = await startFakeAws();
  assumed = 0;
  expiresInMs = 3_600_000;
  aws.handle((r) => {
    if (r.action === "AssumeRole")
      return assumeRoleOk(r.params.RoleArn ?? "", r.params.RoleSessionName ?? "", new Date(Date.now() + expiresInMs), ++assumed);
    if (r.action === "GetCallerIdentity") return callerIdentityOk("arn:aws:iam::111111111111:user/ci", "111111111111", "AIDACI");
    if (r.action === "DescribeServices") return ecsJson({ services: [], failures: [] });
    return undefined;
  });
});
afterEach(async () => {
  await factory?.close();
  factory = undefined;
  await aws.close();
});

const make = (o: Partial<Parameters<typeof createSessionFactory>[0]> = {}) =>
  (factory = createSessionFactory({
    endpointUrl: aws.endpoint,
    baseCredentials: async () => ({ accessKeyId: BASE_KEY, secretAccessKey: "s" }),
    maxAttempts: 2,
    stsRegion: "eu-west-1",
    sessionTags: { "deployer:run-id": "r1", "deployer:service": "shop-api" },
    ...o,
  }));

describe("STS in the caller's region", () => {
  it("signs AssumeRole and GetCallerIdentity for the caller's region; the target's clients act in the target's region", async () => {
    const f = make();
    const s = await f.target(req);
    await f.base("eu-central-1");
    await s.ecs.describeServices("shop-dev", ["api"]);
    expect(aws.requests.filter((r) => r.service === "sts").map((r) => [r.action, r.region])).toEqual([
      ["AssumeRole", "eu-west-1"],
      ["GetCallerIdentity", "eu-west-1"],
    ]);
    expect(aws.requests.find((r) => r.service === "ecs")?.region).toBe("ap-southeast-3");
  });
});

describe("session tags", () => {
  it("sends the run id and service as session tags", async () => {
    await make().target(req);
    expect(aws.requests.find((r) => r.action === "AssumeRole")?.params).toMatchObject({
      "Tags.member.1.Key": "deployer:run-id",
      "Tags.member.1.Value": "r1",
      "Tags.member.2.Key": "deployer:service",
      "Tags.member.2.Value": "shop-api",
    });
  });

  it("a trust policy without sts:TagSession: assumed again without tags, and never tagged again for that role", async () => {
    aws.handle((r) =>
      r.action === "AssumeRole" && r.params["Tags.member.1.Key"]
        ? stsError(
            "AccessDenied",
            `User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:TagSession on resource: ${ROLE}`,
          )
        : undefined,
    );
    expiresInMs = -1_000; // every session is already expired: each use re-assumes
    const f = make();
    const s = await f.target(req);
    await s.ecs.describeServices("shop-dev", ["api"]);
    const assumes = aws.requests.filter((r) => r.action === "AssumeRole");
    const tagged = assumes.map((r) => Boolean(r.params["Tags.member.1.Key"]));
    expect(tagged.length).toBeGreaterThanOrEqual(3);
    expect(tagged).toEqual([true, ...Array(tagged.length - 1).fill(false)]);
  });

  it("a denial that is not about sts:TagSession is not retried: ASSUME_ROLE_DENIED", async () => {
    aws.handle((r) =>
      r.action === "AssumeRole"
        ? stsError(
            "AccessDenied",
            `User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
          )
        : undefined,
    );
    const err = (await make()
      .target(req)
      .catch((e: unknown) => e)) as DeployerError;
    expect(err.code).toBe("ASSUME_ROLE_DENIED");
    expect(aws.requests.filter((r) => r.action === "AssumeRole")).toHaveLength(1);
  });

  it("keeps only the characters STS accepts in tags", () => {
    expect(sessionTagsOf({ "deployer:service": "shop api/v2 (eu)", "": "x" })).toEqual([
      { Key: "deployer:service", Value: "shop api/v2 _eu_" },
    ]);
  });
});

describe("base credentials that run out", () => {
  it("STS refusing them as expired on a re-assume is CREDENTIALS_EXPIRED, on the next call of any port, with the source's fix", async () => {
    const base: BaseCredentials = {
      provider: async () => ({ accessKeyId: BASE_KEY, secretAccessKey: "s" }),
      source: "the job's environment",
      refreshable: false,
      fix: "Use `role-to-assume`.",
    };
    expiresInMs = 50; // deploy-role sessions that must be re-assumed almost at once
    const f = make({ baseCredentials: base });
    const s = await f.target(req);
    aws.handle((r) =>
      r.action === "AssumeRole" ? stsError("ExpiredToken", "The security token included in the request is expired") : undefined,
    );
    await new Promise((r) => setTimeout(r, 100));
    const err = (await s.ecs.describeServices("shop-dev", ["api"]).catch((e: unknown) => e)) as DeployerError;
    expect(err).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      target: "dev",
      action: "sts:AssumeRole",
      resource: ROLE,
      awsCode: "ExpiredToken",
      hint: "Use `role-to-assume`.",
    });
    expect(err.message).toContain("the job's environment");
    expect(aws.requests.filter((r) => r.service === "ecs")).toHaveLength(0);
  });

  it("credentials a provider hands back already expired are CREDENTIALS_EXPIRED without a call to AWS", async () => {
    const f = make({
      baseCredentials: {
        provider: async () => ({ accessKeyId: BASE_KEY, secretAccessKey: "s", expiration: new Date(Date.now() - 1_000) }),
        source: "env",
        refreshable: false,
        fix: "fix it",
      },
    });
    const err = (await f.target(req).catch((e: unknown) => e)) as DeployerError;
    expect(err).toMatchObject({ code: "CREDENTIALS_EXPIRED", hint: "fix it", target: "dev" });
    expect(aws.requests).toHaveLength(0);
  });

  it("baseLifetime(): expiry and whether they refresh, as the provider says", async () => {
    const expiration = new Date(Date.now() + 600_000);
    const envLike = Object.assign({ accessKeyId: BASE_KEY, secretAccessKey: "s", expiration }, { $source: { CREDENTIALS_ENV_VARS: "g" } });
    const f = make({ baseCredentials: { provider: async () => envLike, source: "the default chain", refreshable: "detect", fix: "x" } });
    expect(await f.baseLifetime()).toEqual({
      expiresAt: expiration,
      refreshable: false,
      source: "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN",
      fix: "x",
    });
    await f.close();
    const sso = Object.assign({ accessKeyId: BASE_KEY, secretAccessKey: "s", expiration }, { $source: { CREDENTIALS_PROFILE_SSO: "r" } });
    const g = make({ baseCredentials: { provider: async () => sso, source: "the default chain", refreshable: "detect", fix: "x" } });
    expect(await g.baseLifetime()).toMatchObject({ refreshable: true, source: "the default chain" });
  });
});
