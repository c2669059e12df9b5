import { describe, expect, it } from "vitest";
import { parseImageRef, resolveImage } from "../../../src/observe/resolve-image.js";
import { DeployerError } from "../../../src/errors.js";
import { accessDenied, FakeWorld, healthyWorld } from "../../helpers/fake-aws.js";
import { CENTRAL, DIGEST, makeProject, makeTarget } from "../../helpers/factories.js";
import { parseRepositoryUri } from "../../../src/config/aws-names.js";

const config = makeProject([]).config;

async function rejection(p: Promise<unknown>): Promise<DeployerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DeployerError) return e;
    throw e;
  }
  throw new Error("expected a rejection");
}

describe("resolveImage", () => {
  it("pins a tag to its digest in the central repository with the base credentials", async () => {
    const world = healthyWorld(makeTarget());
    const image = await resolveImage(config, world.sessions(), "3f2a9c1");
    expect(image).toEqual({ repository: CENTRAL, tag: "3f2a9c1", digest: DIGEST });
    expect(world.baseCalls).toBe(1);
    expect(world.calls).toEqual([{ account: "111111111111", method: "findImage", args: [CENTRAL, { tag: "3f2a9c1" }] }]);
  });

  it("accepts a digest, and REPOSITORY@digest / REPOSITORY:tag of the configured repository", async () => {
    const world = healthyWorld(makeTarget());
    expect(await resolveImage(config, world.sessions(), DIGEST)).toEqual({ repository: CENTRAL, digest: DIGEST });
    expect(await resolveImage(config, world.sessions(), `${CENTRAL}@${DIGEST}`)).toEqual({ repository: CENTRAL, digest: DIGEST });
    expect(await resolveImage(config, world.sessions(), `${CENTRAL}:latest`)).toEqual({
      repository: CENTRAL,
      tag: "latest",
      digest: DIGEST,
    });
  });

  it("fails IMAGE_NOT_FOUND naming the repository and the tag, with how to push and check", async () => {
    const world = healthyWorld(makeTarget());
    const e = await rejection(resolveImage(config, world.sessions(), "deadbee"));
    expect(e.code).toBe("IMAGE_NOT_FOUND");
    expect(e.message).toBe(`tag deadbee is not in ${CENTRAL}`);
    expect(e).toMatchObject({ action: "ecr:DescribeImages", resource: CENTRAL });
    expect(e.hint).toContain(`docker push ${CENTRAL}:deadbee`);
    expect(e.hint).toContain(
      "aws ecr describe-images --registry-id 111111111111 --region eu-west-1 --repository-name shop/api --image-ids imageTag=deadbee",
    );
  });

  it("fails IMAGE_NOT_FOUND for an unknown digest", async () => {
    const world = healthyWorld(makeTarget());
    const e = await rejection(resolveImage(config, world.sessions(), `sha256:${"cd".repeat(32)}`));
    expect(e.code).toBe("IMAGE_NOT_FOUND");
    expect(e.hint).toContain(`imageDigest=sha256:${"cd".repeat(32)}`);
  });

  it("fails IMAGE_NOT_FOUND when the repository does not exist", async () => {
    const world = new FakeWorld();
    const e = await rejection(resolveImage(config, world.sessions(), "3f2a9c1"));
    expect(e).toMatchObject({ code: "IMAGE_NOT_FOUND", field: "image.repository", awsCode: "RepositoryNotFoundException" });
    expect(e.message).toContain("does not exist");
  });

  it("reads through image.registryRole when set, with its ExternalId", async () => {
    const world = healthyWorld(makeTarget());
    const withRole = {
      ...config,
      image: { ...config.image, registryRole: "arn:aws:iam::111111111111:role/registry-read", registryExternalId: "reg-x" },
    };
    const image = await resolveImage(withRole, world.sessions(), "3f2a9c1");
    expect(image.digest).toBe(DIGEST);
    expect(world.baseCalls).toBe(0);
    expect(world.assumed[0]).toMatchObject({
      roleArn: "arn:aws:iam::111111111111:role/registry-read",
      externalId: "reg-x",
      region: "eu-west-1",
    });
    expect(world.assumed[0]!.sessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
  });

  it("names the registry role when it cannot be assumed", async () => {
    const world = healthyWorld(makeTarget());
    const role = "arn:aws:iam::111111111111:role/registry-read";
    world.assumeFailures.set(
      role,
      new DeployerError({
        code: "ASSUME_ROLE_DENIED",
        message: `cannot assume ${role}`,
        action: "sts:AssumeRole",
        resource: role,
        awsCode: "AccessDenied",
      }),
    );
    const e = await rejection(resolveImage({ ...config, image: { ...config.image, registryRole: role } }, world.sessions(), "3f2a9c1"));
    expect(e).toMatchObject({
      code: "ASSUME_ROLE_DENIED",
      field: "image.registryRole",
      action: "sts:AssumeRole",
      resource: role,
      awsCode: "AccessDenied",
    });
  });

  it("keeps ACCESS_DENIED from DescribeImages, with a hint naming the permission", async () => {
    const world = healthyWorld(makeTarget());
    world.account("111111111111").failures.set("findImage", accessDenied("ecr:DescribeImages", CENTRAL));
    const e = await rejection(resolveImage(config, world.sessions(), "3f2a9c1"));
    expect(e).toMatchObject({ code: "ACCESS_DENIED", action: "ecr:DescribeImages", awsCode: "AccessDenied" });
    expect(e.hint).toContain("ecr:DescribeImages");
  });
});

describe("parseImageRef", () => {
  const repo = parseRepositoryUri(CENTRAL);
  it.each([
    ["3f2a9c1", { tag: "3f2a9c1" }],
    ["v1.2.3_rc-1", { tag: "v1.2.3_rc-1" }],
    [DIGEST, { digest: DIGEST }],
    [`${CENTRAL}@${DIGEST}`, { digest: DIGEST }],
    [`${CENTRAL}:main`, { tag: "main" }],
  ])("%s", (ref, expected) => {
    expect(parseImageRef(ref, repo)).toEqual(expected);
  });

  it.each([
    ["", "empty"],
    ["sha256:abc", "64 lower-case hex"],
    ["-bad", "not a valid image tag"],
    [`999999999999.dkr.ecr.eu-west-1.amazonaws.com/other@${DIGEST}`, "names repository"],
    [CENTRAL, "no tag or digest"],
  ])("refuses %j", (ref, why) => {
    let err: unknown;
    try {
      parseImageRef(ref, repo);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeployerError);
    expect((err as DeployerError).code).toBe("IMAGE_NOT_FOUND");
    expect((err as DeployerError).message).toContain(why);
  });
});

describe("withSharedPolicyReads", () => {
  it("reads a repository policy once for many targets, and retries after a failure", async () => {
    const { withSharedPolicyReads } = await import("../../../src/observe/resolve-image.js");
    let calls = 0;
    let fail = true;
    const repo = {
      registryId: "111111111111",
      region: "eu-west-1",
      name: "shop/api",
      uri: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api",
    };
    const shared = withSharedPolicyReads({
      findImage: async () => undefined,
      getRepositoryPolicy: async () => {
        calls++;
        if (fail) throw new Error("throttled");
        return { Statement: [] };
      },
    });
    await expect(shared.getRepositoryPolicy(repo)).rejects.toThrow("throttled");
    fail = false;
    await Promise.all(Array.from({ length: 20 }, () => shared.getRepositoryPolicy(repo)));
    expect(calls).toBe(2);
  });
});
