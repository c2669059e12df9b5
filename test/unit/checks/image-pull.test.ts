import { describe, expect, it } from "vitest";
import { checkImagePull } from "../../../src/checks/image-pull.js";
import { checkContext } from "./check-context.js";
import { accessDenied, healthyWorld } from "../../helpers/fake-aws.js";
import { CENTRAL, DIGEST, makeTarget } from "../../helpers/factories.js";

const target = makeTarget();
const REPLICA = "222222222222.dkr.ecr.eu-west-1.amazonaws.com/shop/api";

function withPolicy(statements: unknown[]) {
  const world = healthyWorld(target);
  world.account("111111111111").repositories.get(CENTRAL)!.policy = { Version: "2012-10-17", Statement: statements as never };
  return world;
}

describe("check: image-pull", () => {
  it("passes when the central repository policy grants the account both pull actions", async () => {
    const r = await checkImagePull(await checkContext(healthyWorld(target), target));
    expect(r).toMatchObject({ id: "image-pull", verdict: "pass" });
    expect(r.evidence).toMatchObject({
      method: "central-repository",
      principal: target.executionRole,
      decisions: { "ecr:BatchGetImage": "allowed", "ecr:GetDownloadUrlForLayer": "allowed" },
      matchedStatements: ["repository-policy#PullFromTargets"],
    });
  });

  it("passes without reading a policy when the central repository is in the target's account", async () => {
    const t = makeTarget({ account: "111111111111" });
    const world = healthyWorld(t);
    const r = await checkImagePull(await checkContext(world, t));
    expect(r.verdict).toBe("pass");
    expect(world.calls.some((c) => c.method === "getRepositoryPolicy")).toBe(false);
  });

  it("fails IMAGE_NOT_PULLABLE with the statement to add when the repository has no policy", async () => {
    const world = healthyWorld(target);
    delete world.account("111111111111").repositories.get(CENTRAL)!.policy;
    const r = await checkImagePull(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({ code: "IMAGE_NOT_PULLABLE", resource: CENTRAL, target: "dev" });
    expect(r.hint).toContain('"Principal":{"AWS":"arn:aws:iam::222222222222:root"}');
  });

  it("fails when the policy grants other accounts only", async () => {
    const world = withPolicy([
      {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::333333333333:root" },
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      },
    ]);
    const r = await checkImagePull(await checkContext(world, target));
    expect(r.error?.code).toBe("IMAGE_NOT_PULLABLE");
    expect(r.message).toContain("does not grant 222222222222 ecr:BatchGetImage and ecr:GetDownloadUrlForLayer");
  });

  it("fails when only one of the two pull actions is granted, naming the missing one", async () => {
    const world = withPolicy([{ Effect: "Allow", Principal: { AWS: "222222222222" }, Action: "ecr:BatchGetImage" }]);
    const r = await checkImagePull(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({ code: "IMAGE_NOT_PULLABLE", action: "ecr:GetDownloadUrlForLayer" });
  });

  it("fails on an explicit Deny for the account", async () => {
    const world = withPolicy([
      { Effect: "Allow", Principal: "*", Action: "ecr:*" },
      { Sid: "NoDev", Effect: "Deny", Principal: { AWS: "222222222222" }, Action: "ecr:BatchGetImage" },
    ]);
    const r = await checkImagePull(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.message).toContain("repository-policy#NoDev");
  });

  it("warns for a grant to the whole organisation (aws:PrincipalOrgID)", async () => {
    const world = withPolicy([
      {
        Sid: "Org",
        Effect: "Allow",
        Principal: "*",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
      },
    ]);
    const r = await checkImagePull(await checkContext(world, target));
    expect(r.verdict).toBe("warn");
    expect(r.message).toContain("every account of organisation o-a1b2c3d4e5");
    expect(r.evidence).toMatchObject({ grantedTo: "organisation o-a1b2c3d4e5 (aws:PrincipalOrgID)" });
  });

  it("warns for a grant to an organisation unit path (aws:PrincipalOrgPaths)", async () => {
    const world = withPolicy([
      {
        Effect: "Allow",
        Principal: "*",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Condition: { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-workloads/*"] } },
      },
    ]);
    const r = await checkImagePull(await checkContext(world, target));
    expect(r.verdict).toBe("warn");
    expect(r.message).toContain("organisation unit path o-a1b2c3d4e5/r-ab12/ou-ab12-workloads/*");
  });

  it("fails when an organisation grant names a condition the target cannot meet besides the org", async () => {
    const world = withPolicy([
      {
        Effect: "Allow",
        Principal: "*",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:PrincipalAccount": "999999999999" } },
      },
    ]);
    const r = await checkImagePull(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.error?.code).toBe("IMAGE_NOT_PULLABLE");
  });

  it("warns for a grant to Principal *: anyone can pull", async () => {
    const world = withPolicy([{ Effect: "Allow", Principal: { AWS: "*" }, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] }]);
    const r = await checkImagePull(await checkContext(world, target));
    expect(r.verdict).toBe("warn");
    expect(r.message).toContain("anyone");
  });

  it("is unverified when the repository policy cannot be read", async () => {
    const world = healthyWorld(target);
    world.account("111111111111").failures.set("getRepositoryPolicy", accessDenied("ecr:GetRepositoryPolicy", CENTRAL));
    const r = await checkImagePull(await checkContext(world, target));
    expect(r.verdict).toBe("unverified");
    expect(r.error).toMatchObject({ code: "ACCESS_DENIED", action: "ecr:GetRepositoryPolicy" });
  });

  describe("with a replica (imageRepository)", () => {
    const t = makeTarget({ imageRepository: REPLICA });

    it("passes when the digest is in the replica, without reading the central policy", async () => {
      const world = healthyWorld(t);
      world.account(t.account).repositories.set(REPLICA, { images: [{ digest: DIGEST, tags: [] }] });
      const r = await checkImagePull(await checkContext(world, t));
      expect(r).toMatchObject({ verdict: "pass", evidence: { method: "replica", repository: REPLICA } });
      expect(world.calls.some((c) => c.method === "getRepositoryPolicy")).toBe(false);
      expect(world.calls.find((c) => c.method === "findImage")).toMatchObject({ account: t.account, args: [REPLICA, { digest: DIGEST }] });
    });

    it("fails IMAGE_NOT_PULLABLE at the imageRepository line when the digest has not been replicated", async () => {
      const world = healthyWorld(t);
      world.account(t.account).repositories.set(REPLICA, { images: [] });
      const r = await checkImagePull(await checkContext(world, t));
      expect(r.verdict).toBe("fail");
      expect(r.error).toMatchObject({ code: "IMAGE_NOT_PULLABLE", resource: REPLICA, field: "imageRepository", location: { line: 10 } });
      expect(r.hint).toContain("replication");
    });

    it("fails IMAGE_NOT_PULLABLE when the replica repository does not exist", async () => {
      const world = healthyWorld(t);
      const r = await checkImagePull(await checkContext(world, t));
      expect(r.error).toMatchObject({ code: "IMAGE_NOT_PULLABLE", awsCode: "RepositoryNotFoundException" });
    });

    it("is unverified when DescribeImages is denied in the replica", async () => {
      const world = healthyWorld(t);
      world.account(t.account).failures.set("findImage", accessDenied("ecr:DescribeImages", REPLICA));
      const r = await checkImagePull(await checkContext(world, t));
      expect(r.verdict).toBe("unverified");
    });

    it("fails CONFIG_INVALID for a malformed replica URI", async () => {
      const bad = makeTarget({ imageRepository: "https://example.com/shop/api" });
      const r = await checkImagePull(await checkContext(healthyWorld(bad), bad));
      expect(r.error).toMatchObject({ code: "CONFIG_INVALID", field: "imageRepository", location: { line: 10 } });
    });
  });
});
