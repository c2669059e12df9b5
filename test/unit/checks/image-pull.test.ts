import { describe, expect, it } from "vitest";
import { checkImagePull } from "../../../src/checks/image-pull.js";
import type { CheckResult } from "../../../src/checks/check-result.js";
import { DeployerError } from "../../../src/errors.js";
import type { Target } from "../../../src/config/types.js";
import { checkContext } from "./check-context.js";
import { accessDenied, awsException, healthyWorld, type FakeWorld } from "../../helpers/fake-aws.js";
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

// ---------------------------------------------------------------------------------------------------
// Verdicts, messages and hints of each sub-check (issue 20: what a user reads must name the fix).

const EXEC = target.executionRole;
const CENTRAL_ARN = "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api";
const GRANT = JSON.stringify({
  Sid: "deployer-pull-222222222222",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::222222222222:root" },
  Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
});
const PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const MANAGED = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
/** A replica in the central account (another Region: ECR replication copies across Regions). */
const CENTRAL_REPLICA = "111111111111.dkr.ecr.eu-central-1.amazonaws.com/shop/api";
const CENTRAL_REPLICA_ARN = "arn:aws:ecr:eu-central-1:111111111111:repository/shop/api";

const child = (r: CheckResult, id: string) => r.children!.find((c) => c.id === id)!;

async function pull(world: FakeWorld, t: Target, opts: { registryEcr?: "central" | "none" | Error } = {}) {
  const ctx = await checkContext(world, t);
  const regions: string[] = [];
  if (opts.registryEcr !== "none") {
    ctx.registryEcr = async (region) => {
      regions.push(region);
      if (opts.registryEcr instanceof Error) throw opts.registryEcr;
      return world.account("111111111111").ecr();
    };
  }
  const r = await checkImagePull(ctx);
  return { r, regions };
}

describe("check image-pull: the parent", () => {
  it("passing, says what is pullable from where by whom, with each side's evidence (the repository side naming the method)", async () => {
    const { r } = await pull(healthyWorld(target), target);
    expect(r.message).toBe(`${DIGEST} is pullable from ${CENTRAL} by ${EXEC}`);
    expect(r.children!.map((c) => [c.id, c.verdict])).toEqual([
      ["image-pull:image", "pass"],
      ["image-pull:repository-policy", "pass"],
      ["image-pull:execution-role", "pass"],
    ]);
    expect(r.evidence).toMatchObject({ method: "central-repository", repository: CENTRAL, digest: DIGEST, role: EXEC, principal: EXEC });
    expect(r.evidence!["ecr:GetAuthorizationToken"]).toMatchObject({ decision: "allowed" });
  });

  it("a sub-check that crashes fails INTERNAL on its own, naming itself; the others still run", async () => {
    const ctx = await checkContext(healthyWorld(target), target);
    ctx.reads.shared = () => Promise.reject(new Error("boom"));
    const r = await checkImagePull(ctx);
    expect(r.verdict).toBe("fail");
    const crashed = child(r, "image-pull:execution-role");
    expect(crashed).toMatchObject({
      verdict: "fail",
      title: "image-pull:execution-role",
      message: "check image-pull:execution-role crashed: boom",
    });
    expect(crashed.error).toMatchObject({ code: "INTERNAL", target: "dev" });
    expect(crashed.hint).toBe("This is a deployer bug.");
    expect(child(r, "image-pull:image").verdict).toBe("pass");
    expect(child(r, "image-pull:repository-policy").verdict).toBe("pass");
  });

  it("a malformed image.repository fails CONFIG_INVALID naming the field, before any AWS call", async () => {
    const world = healthyWorld(target);
    const ctx = await checkContext(world, target);
    ctx.project.config.services[0]!.image = { repository: "docker.io/library/nginx" };
    const before = world.calls.length;
    const r = await checkImagePull(ctx);
    expect(r.verdict).toBe("fail");
    expect(r.message).toMatch(/^image\.repository: Not an ECR repository URI: "docker\.io\/library\/nginx"/);
    expect(r.error).toMatchObject({ code: "CONFIG_INVALID", field: "image.repository", target: "dev", account: "222222222222" });
    expect(r.hint).toMatch(/^Write it as ACCOUNT\.dkr\.ecr\.REGION\.amazonaws\.com\/NAME/);
    expect(r.children).toBeUndefined();
    expect(world.calls.length).toBe(before);
  });

  it("the project's image is used when the service has none of its own", async () => {
    const ctx = await checkContext(healthyWorld(target), target);
    ctx.project.config.services = [];
    ctx.project.config.image = { repository: "not a uri" };
    const r = await checkImagePull(ctx);
    expect(r.error).toMatchObject({ code: "CONFIG_INVALID", field: "image.repository" });
  });
});

describe("check image-pull:image", () => {
  it("in the central repository: resolved there, no read", async () => {
    const { r } = await pull(healthyWorld(target), target);
    expect(child(r, "image-pull:image")).toMatchObject({
      message: `${DIGEST} was resolved in the central repository ${CENTRAL}`,
      evidence: { method: "central-repository", repository: CENTRAL, digest: DIGEST },
    });
  });

  describe("a replica in the target's account", () => {
    const t = makeTarget({ imageRepository: REPLICA });
    const REPLICA_ARN = "arn:aws:ecr:eu-west-1:222222222222:repository/shop/api";

    it("passes naming the replica; the repository-policy sub-check is not run (same account)", async () => {
      const world = healthyWorld(t);
      world.account(t.account).repositories.set(REPLICA, { images: [{ digest: DIGEST, tags: [] }] });
      const { r, regions } = await pull(world, t);
      expect(child(r, "image-pull:image").message).toBe(`${DIGEST} is in the replica ${REPLICA}`);
      expect(r.children!.map((c) => c.id)).toEqual(["image-pull:image", "image-pull:execution-role"]);
      expect(r.message).toBe(`${DIGEST} is pullable from ${REPLICA} by ${t.executionRole}`);
      expect(regions).toEqual([]);
    });

    it("DescribeImages denied: unverified, naming the deploy role to allow", async () => {
      const world = healthyWorld(t);
      world.account(t.account).failures.set("findImage", accessDenied("ecr:DescribeImages", REPLICA));
      const { r } = await pull(world, t);
      const img = child(r, "image-pull:image");
      expect(img.message).toBe(`could not look ${DIGEST} up in the replica ${REPLICA}: ecr:DescribeImages denied`);
      expect(img.hint).toBe(`Allow ${t.deployRole} ecr:DescribeImages on ${REPLICA_ARN}. --strict turns this warning into an error.`);
      expect(img.error).toMatchObject({ code: "ACCESS_DENIED" });
      expect(img.evidence).toEqual({ method: "replica", repository: REPLICA, digest: DIGEST });
    });

    it("the replica does not exist: the replication rule to create, or the field to fix", async () => {
      const { r } = await pull(healthyWorld(t), t);
      const img = child(r, "image-pull:image");
      expect(img.message).toBe(`replica repository ${REPLICA} does not exist`);
      expect(img.hint).toBe(
        `Create the replica (an ECR replication rule from ${CENTRAL} to eu-west-1 of 222222222222) or fix \`imageRepository\` in test/fixtures/config/one-service/environments/dev.yaml:10.`,
      );
      expect(img.error).toMatchObject({
        action: "ecr:DescribeImages",
        resource: REPLICA,
        field: "imageRepository",
        location: { line: 10 },
      });
    });

    it("the replica missing: AWS's own code and message are kept on the error", async () => {
      const world = healthyWorld(t);
      world.account(t.account).failures.set(
        "findImage",
        new DeployerError({
          code: "IMAGE_NOT_FOUND",
          message: "Repository shop/api does not exist",
          awsCode: "RepositoryNotFoundException",
          awsMessage: "The repository with name 'shop/api' does not exist in the registry with id '222222222222'",
        }),
      );
      const { r } = await pull(world, t);
      expect(child(r, "image-pull:image").error).toMatchObject({
        code: "IMAGE_NOT_PULLABLE",
        awsCode: "RepositoryNotFoundException",
        awsMessage: "The repository with name 'shop/api' does not exist in the registry with id '222222222222'",
      });
    });

    it("any other read failure fails with its own message", async () => {
      const world = healthyWorld(t);
      world.account(t.account).failures.set("findImage", awsException("ServerException", "ECR is down"));
      const { r } = await pull(world, t);
      const img = child(r, "image-pull:image");
      expect(img.verdict).toBe("fail");
      expect(img.message).toBe(`ecr:DescribeImages failed for ${REPLICA}: ServerException`);
    });

    it("the digest not replicated yet: re-run in a minute, or check the replication rule", async () => {
      const world = healthyWorld(t);
      world.account(t.account).repositories.set(REPLICA, { images: [{ digest: `sha256:${"cd".repeat(32)}`, tags: [] }] });
      const { r } = await pull(world, t);
      const img = child(r, "image-pull:image");
      expect(img.message).toBe(`${DIGEST} is not in the replica ${REPLICA}`);
      expect(img.hint).toBe(
        "ECR replication may still be copying it (re-run in a minute), or no replication rule of 111111111111 covers eu-west-1/shop/api in 222222222222: check the registry's replication configuration.",
      );
      expect(img.error).toMatchObject({ code: "IMAGE_NOT_PULLABLE", action: "ecr:DescribeImages", resource: REPLICA });
    });
  });

  describe("a replica in the central account (another Region)", () => {
    const t = makeTarget({ region: "eu-central-1", imageRepository: CENTRAL_REPLICA });

    function replicaWorld(images = [{ digest: DIGEST, tags: [] }]) {
      const world = healthyWorld(t);
      world.account("111111111111").repositories.set(CENTRAL_REPLICA, {
        images,
        policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "222222222222" }, Action: PULL }] },
      });
      return world;
    }

    it("is read with the central registry's identity in the replica's Region, and its own policy is checked", async () => {
      const world = replicaWorld();
      const { r, regions } = await pull(world, t);
      expect(r.verdict, r.message).toBe("pass");
      expect(regions).toEqual(["eu-central-1", "eu-central-1"]);
      expect(world.calls.filter((c) => c.method === "findImage" || c.method === "getRepositoryPolicy")).toEqual([
        { account: "111111111111", method: "findImage", args: [CENTRAL_REPLICA, { digest: DIGEST }] },
        { account: "111111111111", method: "getRepositoryPolicy", args: [CENTRAL_REPLICA] },
      ]);
      expect(child(r, "image-pull:repository-policy").message).toBe(
        `the repository policy of the replica ${CENTRAL_REPLICA} grants 222222222222 pulls`,
      );
      expect(child(r, "image-pull:execution-role").message).toBe(
        `${t.executionRole} may get an ECR token and pull from ${CENTRAL_REPLICA} (its side of the cross-account pull)`,
      );
    });

    it("not replicated: the hint names the rule's Region and repository, not another account", async () => {
      const { r } = await pull(replicaWorld([]), t);
      expect(child(r, "image-pull:image").hint).toBe(
        "ECR replication may still be copying it (re-run in a minute), or no replication rule of 111111111111 covers eu-central-1/shop/api: check the registry's replication configuration.",
      );
    });

    it("without a way to read the central registry there: fails INTERNAL, the policy unverified", async () => {
      const { r } = await pull(replicaWorld(), t, { registryEcr: "none" });
      expect(child(r, "image-pull:image")).toMatchObject({ verdict: "fail", message: "no way to read the central registry's replica" });
      const policy = child(r, "image-pull:repository-policy");
      expect(policy.verdict).toBe("unverified");
      expect(policy.message).toBe(
        `could not read the repository policy of ${CENTRAL_REPLICA} (INTERNAL): whether 222222222222 may pull is unverified`,
      );
    });

    it("the registry identity's session refused: unverified, naming the registry identity", async () => {
      const { r } = await pull(replicaWorld(), t, {
        registryEcr: accessDenied("sts:AssumeRole", "arn:aws:iam::111111111111:role/registry"),
      });
      const img = child(r, "image-pull:image");
      expect(img.verdict).toBe("unverified");
      expect(img.hint).toBe(
        `Allow the identity deployer reads the central registry with ecr:DescribeImages on ${CENTRAL_REPLICA_ARN}. --strict turns this warning into an error.`,
      );
    });

    it("DescribeImages failing in the replica: the failure, not a pass", async () => {
      const world = replicaWorld();
      world.account("111111111111").failures.set("findImage", accessDenied("ecr:DescribeImages", CENTRAL_REPLICA));
      const { r } = await pull(world, t);
      expect(child(r, "image-pull:image")).toMatchObject({ verdict: "unverified", error: { code: "ACCESS_DENIED" } });
    });

    it("the replica has no policy: its own is needed (policies are not replicated)", async () => {
      const world = replicaWorld();
      delete world.account("111111111111").repositories.get(CENTRAL_REPLICA)!.policy;
      const { r } = await pull(world, t);
      const policy = child(r, "image-pull:repository-policy");
      expect(policy.message).toBe(`${CENTRAL_REPLICA} has no repository policy: account 222222222222 cannot pull from it`);
      expect(policy.hint).toBe(
        `Add to the repository policy of ${CENTRAL_REPLICA} (repository policies are not replicated: the replica needs its own) (aws ecr set-repository-policy --region eu-central-1): ${JSON.stringify({ ...JSON.parse(GRANT), Principal: { AWS: "arn:aws:iam::222222222222:root" } })}`,
      );
      expect(policy.title).toBe("the repository policy lets the execution role pull (111111111111 is another account)");
    });

    it("a replica policy that grants other accounts only: the grant hint without the replica suggestion", async () => {
      const world = replicaWorld();
      world.account("111111111111").repositories.get(CENTRAL_REPLICA)!.policy = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: "333333333333" }, Action: PULL }],
      };
      const { r } = await pull(world, t);
      const policy = child(r, "image-pull:repository-policy");
      expect(policy.verdict).toBe("fail");
      expect(policy.hint).toMatch(
        /^Add to the repository policy of .* \(repository policies are not replicated: the replica needs its own\) /,
      );
      expect(policy.hint).not.toContain("imageRepository");
    });
  });
});

describe("check image-pull:repository-policy", () => {
  const policyOf = async (statements: unknown[]) => child((await pull(withPolicy(statements), target)).r, "image-pull:repository-policy");

  it("passes naming the central repository, with the decisions and statements it rests on", async () => {
    const { r } = await pull(healthyWorld(target), target);
    const p = child(r, "image-pull:repository-policy");
    expect(p.message).toBe(`the repository policy of the central repository ${CENTRAL} grants 222222222222 pulls`);
    expect(p.title).toBe("the repository policy lets the execution role pull (111111111111 is another account)");
    expect(p.evidence).toEqual({
      method: "central-repository",
      repository: CENTRAL,
      digest: DIGEST,
      principal: EXEC,
      decisions: { "ecr:BatchGetImage": "allowed", "ecr:GetDownloadUrlForLayer": "allowed" },
      matchedStatements: ["repository-policy#PullFromTargets"],
    });
  });

  it("unreadable: unverified, naming the code and the permission to grant", async () => {
    const world = healthyWorld(target);
    world.account("111111111111").failures.set("getRepositoryPolicy", accessDenied("ecr:GetRepositoryPolicy", CENTRAL));
    const { r } = await pull(world, target);
    const p = child(r, "image-pull:repository-policy");
    expect(p.message).toBe(
      `could not read the repository policy of ${CENTRAL} (AccessDenied): whether 222222222222 may pull is unverified`,
    );
    expect(p.hint).toBe(
      `Allow the identity deployer reads the registry with ecr:GetRepositoryPolicy on ${CENTRAL_ARN}. --strict turns this warning into an error.`,
    );
    expect(p.evidence).toEqual({ method: "central-repository", repository: CENTRAL, digest: DIGEST });
  });

  it("no policy on the central repository: the statement to add, or a replica", async () => {
    const world = healthyWorld(target);
    delete world.account("111111111111").repositories.get(CENTRAL)!.policy;
    const { r } = await pull(world, target);
    const p = child(r, "image-pull:repository-policy");
    expect(p.message).toBe(`${CENTRAL} has no repository policy: account 222222222222 cannot pull from it`);
    expect(p.hint).toBe(
      `Add to the repository policy of ${CENTRAL} (aws ecr set-repository-policy --region eu-west-1): ${GRANT}, or give the target a replica with \`imageRepository\`.`,
    );
    expect(p.error).toMatchObject({ action: "ecr:GetRepositoryPolicy", resource: CENTRAL });
    expect(p.evidence).toMatchObject({ policy: null });
  });

  it("not granted: both actions named, the hint with the statement and the replica alternative", async () => {
    const p = await policyOf([{ Effect: "Allow", Principal: { AWS: "333333333333" }, Action: PULL }]);
    expect(p.message).toBe(
      `the repository policy of ${CENTRAL} does not grant 222222222222 ecr:BatchGetImage and ecr:GetDownloadUrlForLayer`,
    );
    expect(p.hint).toBe(
      `Add to the repository policy of ${CENTRAL} (aws ecr set-repository-policy --region eu-west-1): ${GRANT}, or give the target a replica with \`imageRepository\`.`,
    );
    expect(p.error).toMatchObject({ action: "ecr:BatchGetImage", resource: CENTRAL });
    expect(p.evidence).toMatchObject({ decisions: { "ecr:BatchGetImage": "implicitDeny", "ecr:GetDownloadUrlForLayer": "implicitDeny" } });
  });

  it("an explicit Deny: names the statement and the action, the hint says to narrow it", async () => {
    const p = await policyOf([
      { Effect: "Allow", Principal: { AWS: "222222222222" }, Action: PULL },
      { Sid: "NoLayers", Effect: "Deny", Principal: "*", Action: "ecr:GetDownloadUrlForLayer" },
    ]);
    expect(p.message).toBe(
      `the repository policy of ${CENTRAL} denies 222222222222 ecr:GetDownloadUrlForLayer (repository-policy#NoLayers)`,
    );
    expect(p.hint).toBe(`Narrow the Deny statement (repository-policy#NoLayers) in the repository policy of ${CENTRAL}.`);
    expect(p.error).toMatchObject({ code: "IMAGE_NOT_PULLABLE", action: "ecr:GetDownloadUrlForLayer", resource: CENTRAL });
  });

  it("an explicit Deny wins over an organisation grant (no organisation is tried)", async () => {
    const p = await policyOf([
      { Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } },
      { Sid: "NoDev", Effect: "Deny", Principal: { AWS: "222222222222" }, Action: "ecr:BatchGetImage" },
    ]);
    expect(p.verdict).toBe("fail");
    expect(p.message).toContain("denies 222222222222 ecr:BatchGetImage");
  });

  it("conditions deployer cannot evaluate: unverified, naming them, to be checked by hand", async () => {
    const p = await policyOf([
      {
        Effect: "Allow",
        Principal: { AWS: "222222222222" },
        Action: PULL,
        Condition: { StringEqualsMadeUp: { "aws:SourceVpc": "vpc-1" } },
      },
    ]);
    expect(p.verdict).toBe("unverified");
    expect(p.message).toBe(
      `the repository policy of ${CENTRAL} has conditions deployer cannot evaluate before the task runs (StringEqualsMadeUp)`,
    );
    expect(p.hint).toBe(
      `Check by hand that it grants ${EXEC} ecr:BatchGetImage and ecr:GetDownloadUrlForLayer when ECS pulls. --strict turns this warning into an error.`,
    );
    expect(p.evidence).toMatchObject({
      unsupported: ["StringEqualsMadeUp"],
      decisions: { "ecr:BatchGetImage": "unverified", "ecr:GetDownloadUrlForLayer": "unverified" },
    });
  });

  it("an organisation grant: warns that every account of it can pull, with the statement to grant by name", async () => {
    const p = await policyOf([
      { Sid: "Org", Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } },
    ]);
    expect(p.message).toBe(
      `${CENTRAL} grants pulls to every account of organisation o-a1b2c3d4e5 (aws:PrincipalOrgID), not to 222222222222 by name; deployer cannot tell whether 222222222222 is a member`,
    );
    expect(p.hint).toBe(
      `Every account of organisation o-a1b2c3d4e5 (aws:PrincipalOrgID) can pull this image. To grant only the deploy targets: ${GRANT}`,
    );
    expect(p.evidence).toMatchObject({ decisions: { "ecr:BatchGetImage": "allowed" }, matchedStatements: ["repository-policy#Org"] });
  });

  it("of several organisations named, the first that grants is reported", async () => {
    const p = await policyOf([
      {
        Effect: "Allow",
        Principal: "*",
        Action: PULL,
        Condition: { StringEquals: { "aws:PrincipalOrgID": ["o-aaaa1111", "o-bbbb2222"] } },
      },
    ]);
    expect(p.evidence).toMatchObject({ grantedTo: "organisation o-aaaa1111 (aws:PrincipalOrgID)" });
  });

  it("an organisation that grants only one of the two actions is no grant: membership unknown, unverified", async () => {
    const p = await policyOf([
      {
        Effect: "Allow",
        Principal: "*",
        Action: "ecr:BatchGetImage",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
      },
    ]);
    expect(p.verdict).toBe("unverified");
  });

  it("the second organisation is tried when the first does not grant", async () => {
    const p = await policyOf([
      { Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-aaaa1111" } } },
      { Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-bbbb2222" } } },
    ]);
    expect(p.verdict).toBe("warn");
    expect(p.evidence).toMatchObject({ grantedTo: "organisation o-bbbb2222 (aws:PrincipalOrgID)" });
  });

  it("condition keys are matched whatever their case; values that are no organisation id are not tried (unverified)", async () => {
    const mixed = await policyOf([
      { Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringEquals: { "AWS:PrincipalOrgId": "o-a1b2c3d4e5" } } },
    ]);
    expect(mixed.verdict).toBe("warn");
    for (const org of ["O-A1B2C3D4E5", "o-", "xo-a1b2c3d4e5", "o-a1b2c3d4e5x!"]) {
      const p = await policyOf([
        { Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringLike: { "aws:PrincipalOrgID": org } } },
      ]);
      expect(p.verdict, org).toBe("unverified");
    }
  });

  it("a single statement (not a list) and conditions on other keys are read too", async () => {
    const world = healthyWorld(target);
    world.account("111111111111").repositories.get(CENTRAL)!.policy = {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Principal: "*",
        Action: PULL,
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
      } as never,
    };
    const p = child((await pull(world, target)).r, "image-pull:repository-policy");
    expect(p.evidence).toMatchObject({ grantedTo: "organisation o-a1b2c3d4e5 (aws:PrincipalOrgID)" });
    const other = await policyOf([
      { Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringEquals: { "aws:PrincipalOrgID": [7, "o-a1b2c3d4e5"] } } },
    ]);
    expect(other.evidence).toMatchObject({ grantedTo: "organisation o-a1b2c3d4e5 (aws:PrincipalOrgID)" });
  });

  it("an organisation unit path: wildcards stripped, tried with its organisation", async () => {
    const p = await policyOf([
      {
        Effect: "Allow",
        Principal: "*",
        Action: PULL,
        Condition: { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-workload?/*"] } },
      },
    ]);
    expect(p.verdict).toBe("warn");
    expect(p.evidence).toMatchObject({
      grantedTo: "organisation unit path o-a1b2c3d4e5/r-ab12/ou-ab12-workload?/* (aws:PrincipalOrgPaths)",
    });
    const noOrg = await policyOf([
      { Effect: "Allow", Principal: "*", Action: PULL, Condition: { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": ["r-ab12/*"] } } },
    ]);
    expect(noOrg.verdict).toBe("unverified");
  });

  it("a grant to the account by name passes even when the policy also grants an organisation", async () => {
    const p = await policyOf([
      { Effect: "Allow", Principal: { AWS: "222222222222" }, Action: PULL },
      { Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } },
    ]);
    expect(p.verdict).toBe("pass");
    const byName = await policyOf([
      { Effect: "Allow", Principal: { AWS: "222222222222" }, Action: PULL },
      { Effect: "Allow", Principal: { AWS: "333333333333" }, Action: PULL },
    ]);
    expect(byName.verdict).toBe("pass");
  });

  it('Principal "*" restricted by conditions: warns that others meeting them can pull too', async () => {
    const p = await policyOf([
      { Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringEquals: { "aws:PrincipalAccount": "222222222222" } } },
    ]);
    expect(p.verdict).toBe("warn");
    expect(p.message).toBe(
      `${CENTRAL} grants pulls to Principal "*" (restricted by conditions): 222222222222 can pull, and so can other accounts meeting them`,
    );
    expect(p.hint).toBe(`Grant the deploy accounts by name instead: ${GRANT}`);
    expect(p.evidence).toMatchObject({ grantedTo: "*" });
  });

  it("a grant conditioned on the execution role's ARN is evaluated with it", async () => {
    const byRole = await policyOf([
      { Effect: "Allow", Principal: "*", Action: PULL, Condition: { ArnEquals: { "aws:PrincipalArn": EXEC } } },
    ]);
    expect(byRole.verdict).toBe("warn");
    expect(byRole.message).toContain("(restricted by conditions)");
    const other = await policyOf([
      {
        Effect: "Allow",
        Principal: "*",
        Action: PULL,
        Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::222222222222:role/other" } },
      },
    ]);
    expect(other.verdict).toBe("fail");
    const roleByName = await policyOf([{ Effect: "Allow", Principal: { AWS: EXEC }, Action: PULL }]);
    expect(roleByName.verdict).toBe("pass");
  });

  it('Principal "*" in every form, and NotPrincipal, is public; one unconditioned grant makes it "anyone"', async () => {
    const forms: unknown[] = [
      { Effect: "Allow", Principal: "*", Action: PULL },
      { Effect: "Allow", Principal: { AWS: ["arn:aws:iam::333333333333:root", "*"] }, Action: PULL },
      { Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::999999999999:root" }, Action: PULL },
    ];
    for (const st of forms) {
      const p = await policyOf([st]);
      expect(p.verdict, JSON.stringify(st)).toBe("warn");
      expect(p.message).toBe(`${CENTRAL} grants pulls to Principal "*": anyone with AWS credentials can pull this image`);
    }
    const mixed = await policyOf([
      { Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringEquals: { "aws:PrincipalAccount": "222222222222" } } },
      { Effect: "Allow", Principal: { AWS: "*" }, Action: "ecr:BatchGetImage" },
    ]);
    expect(mixed.message).toContain("anyone with AWS credentials");
  });

  it("a public statement beside a named grant with conditions still counts the public one", async () => {
    const p = await policyOf([
      {
        Effect: "Allow",
        Principal: { AWS: "222222222222" },
        Action: PULL,
        Condition: { StringEquals: { "aws:PrincipalAccount": "222222222222" } },
      },
      { Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" },
    ]);
    expect(p.message).toContain("anyone with AWS credentials");
  });
});

describe("check image-pull:execution-role", () => {
  const TOKEN = "ecr:GetAuthorizationToken *";
  const roleOf = async (setup: (w: FakeWorld) => void, t: Target = target) => {
    const world = healthyWorld(t);
    setup(world);
    return child((await pull(world, t)).r, "image-pull:execution-role");
  };

  it("passes naming its side of the cross-account pull, with each answer in the evidence", async () => {
    const e = await roleOf(() => {});
    expect(e.message).toBe(`${EXEC} may get an ECR token and pull from ${CENTRAL} (its side of the cross-account pull)`);
    expect(e.title).toBe("the execution role may get an ECR token and pull");
    expect(e.evidence).toMatchObject({
      role: EXEC,
      repository: CENTRAL,
      "ecr:GetAuthorizationToken": { decision: "allowed", method: "iam:SimulatePrincipalPolicy" },
      "ecr:BatchGetImage": { decision: "allowed" },
      "ecr:GetDownloadUrlForLayer": { decision: "allowed" },
    });
  });

  it("no token: fails EXECUTION_ROLE_DENIED at the executionRole line, the statement to add or the managed policy", async () => {
    const e = await roleOf((w) => w.account("222222222222").simulation.set(TOKEN, "implicitDeny"));
    expect(e.verdict).toBe("fail");
    expect(e.message).toBe(
      `no policy of ${EXEC} allows ecr:GetAuthorizationToken on *: ECS would stop the tasks with CannotPullContainerError`,
    );
    expect(e.hint).toBe(
      `Add to a policy of ${EXEC}: ${JSON.stringify({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" })} (or attach ${MANAGED}).`,
    );
    expect(e.error).toMatchObject({
      code: "EXECUTION_ROLE_DENIED",
      action: "ecr:GetAuthorizationToken",
      resource: "*",
      field: "executionRole",
      location: { line: 9 },
    });
  });

  it("no token and no pull: both named, both statements in the hint", async () => {
    const e = await roleOf((w) => {
      w.account("222222222222").simulation.set(TOKEN, "implicitDeny");
      w.account("222222222222").simulation.set(CENTRAL_ARN, "implicitDeny");
    });
    expect(e.message).toBe(
      `no policy of ${EXEC} allows ecr:GetAuthorizationToken on *; no policy of ${EXEC} allows ecr:BatchGetImage on ${CENTRAL_ARN}; no policy of ${EXEC} allows ecr:GetDownloadUrlForLayer on ${CENTRAL_ARN}: ECS would stop the tasks with CannotPullContainerError`,
    );
    expect(e.hint).toBe(
      `Add to a policy of ${EXEC}: ${JSON.stringify({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" })} and ${JSON.stringify({ Effect: "Allow", Action: PULL, Resource: CENTRAL_ARN })} (or attach ${MANAGED}).`,
    );
  });

  it("no pull on a repository of another account: the repository policy cannot stand in for it", async () => {
    const e = await roleOf((w) => w.account("222222222222").simulation.set(CENTRAL_ARN, "implicitDeny"));
    expect(e.verdict).toBe("fail");
    expect(e.error).toMatchObject({ action: "ecr:BatchGetImage", resource: CENTRAL_ARN });
    expect(e.hint).toBe(
      `Add to a policy of ${EXEC}: ${JSON.stringify({ Effect: "Allow", Action: PULL, Resource: CENTRAL_ARN })} (or attach ${MANAGED}).`,
    );
  });

  it("an explicit Deny: the hint says to narrow it (one statement, as is)", async () => {
    const e = await roleOf((w) => w.account("222222222222").simulation.set(TOKEN, "explicitDeny"));
    expect(e.message).toContain(`a Deny statement forbids ${EXEC} ecr:GetAuthorizationToken on *`);
    expect(e.hint).toBe(
      `Narrow the Deny so it no longer covers this request; ${EXEC} needs: ${JSON.stringify({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" })}`,
    );
  });

  it("an SCP denying token and pull: the hint carries both statements as one policy", async () => {
    const e = await roleOf((w) => {
      const a = w.account("222222222222");
      a.simulation.set(TOKEN, "implicitDeny");
      a.simulationDetails.set(TOKEN, { allowedByOrganizations: false });
      a.simulation.set(CENTRAL_ARN, "explicitDeny");
    });
    expect(e.message).toContain("an SCP denies ecr:GetAuthorizationToken on *");
    expect(e.message).toContain(`a Deny statement forbids ${EXEC} ecr:BatchGetImage on ${CENTRAL_ARN}`);
    expect(e.hint).toContain(
      JSON.stringify({
        Statement: [
          { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          { Effect: "Allow", Action: PULL, Resource: CENTRAL_ARN },
        ],
      }),
    );
    expect(e.hint).toMatch(/^A service control policy/);
  });

  it("an answer depending on context: unverified, each action and why named, the managed policy suggested", async () => {
    const e = await roleOf((w) => {
      w.account("222222222222").simulation.set(TOKEN, "implicitDeny");
      w.account("222222222222").simulationDetails.set(TOKEN, { missingContextValues: ["aws:SourceVpc"] });
    });
    expect(e.verdict).toBe("unverified");
    expect(e.message).toMatch(new RegExp(`^could not verify that ${EXEC} may ecr:GetAuthorizationToken: IAM's answer .*aws:SourceVpc`));
    expect(e.hint).toBe(
      `Check by hand that ${EXEC} may pull from ${CENTRAL} when ECS starts the task (the managed policy ${MANAGED} has every ECR permission it needs). --strict turns this warning into an error.`,
    );
  });

  describe("within one account (the central repository in the target's account)", () => {
    const own = makeTarget({ account: "111111111111" });
    const OWN_EXEC = own.executionRole;
    const grantExec = (w: FakeWorld, st: Record<string, unknown> = {}) => {
      w.account("111111111111").repositories.get(CENTRAL)!.policy = {
        Version: "2012-10-17",
        Statement: [{ Sid: "Exec", Effect: "Allow", Principal: { AWS: OWN_EXEC }, Action: PULL, ...st }],
      };
    };

    it("passes without the cross-account note", async () => {
      const e = await roleOf(() => {}, own);
      expect(e.message).toBe(`${OWN_EXEC} may get an ECR token and pull from ${CENTRAL}`);
    });

    it("no identity Allow, but the repository policy grants the role: passes, saying so", async () => {
      const world = healthyWorld(own);
      world.account("111111111111").simulation.set(CENTRAL_ARN, "implicitDeny");
      grantExec(world);
      const { r } = await pull(world, own);
      const e = child(r, "image-pull:execution-role");
      expect(e.verdict, e.message).toBe("pass");
      expect(e.evidence).toMatchObject({
        repositoryPolicy: { "ecr:BatchGetImage": "allowed", "ecr:GetDownloadUrlForLayer": "allowed" },
        // The identity side as IAM answered it.
        "ecr:BatchGetImage": { decision: "denied", deniedBy: "no-allow" },
      });
      expect(world.calls.filter((c) => c.method === "getRepositoryPolicy")).toHaveLength(1);
    });

    it("the repository policy is not read when the identity policy allows", async () => {
      const world = healthyWorld(own);
      await pull(world, own);
      expect(world.calls.some((c) => c.method === "getRepositoryPolicy")).toBe(false);
    });

    it("the repository policy does not grant the role either: fails as before", async () => {
      const e = await roleOf((w) => {
        w.account("111111111111").simulation.set(CENTRAL_ARN, "implicitDeny");
        grantExec(w, { Principal: { AWS: "arn:aws:iam::111111111111:role/other" } });
      }, own);
      expect(e.verdict).toBe("fail");
      expect(e.message).toContain(`no policy of ${OWN_EXEC} allows ecr:BatchGetImage`);
    });

    it("no repository policy at all: fails", async () => {
      const e = await roleOf((w) => {
        w.account("111111111111").simulation.set(CENTRAL_ARN, "implicitDeny");
        delete w.account("111111111111").repositories.get(CENTRAL)!.policy;
      }, own);
      expect(e.verdict).toBe("fail");
    });

    it("a repository grant with conditions deployer cannot evaluate: unverified, saying which", async () => {
      const e = await roleOf((w) => {
        w.account("111111111111").simulation.set(CENTRAL_ARN, "implicitDeny");
        grantExec(w, { Condition: { StringEqualsMadeUp: { "aws:SourceVpc": "vpc-1" } } });
      }, own);
      expect(e.verdict).toBe("unverified");
      expect(e.message).toContain("the repository policy has conditions deployer cannot evaluate (StringEqualsMadeUp)");
      expect(e.evidence).toMatchObject({ repositoryPolicy: { "ecr:BatchGetImage": "unverified" } });
    });

    it("an identity Deny is not undone by a repository grant", async () => {
      const e = await roleOf((w) => {
        w.account("111111111111").simulation.set(CENTRAL_ARN, "explicitDeny");
        grantExec(w);
      }, own);
      expect(e.verdict).toBe("fail");
      expect(e.message).toContain("a Deny statement forbids");
    });

    it("the repository policy unreadable: unverified, naming both ways to fix it", async () => {
      const e = await roleOf((w) => {
        w.account("111111111111").simulation.set(CENTRAL_ARN, "implicitDeny");
        w.account("111111111111").failures.set("getRepositoryPolicy", accessDenied("ecr:GetRepositoryPolicy", CENTRAL));
      }, own);
      expect(e.verdict).toBe("unverified");
      expect(e.message).toBe(
        `${OWN_EXEC}'s policies do not allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on ${CENTRAL}, and its repository policy could not be read (AccessDenied) to see whether it grants them`,
      );
      expect(e.hint).toBe(
        `Allow ${own.deployRole} ecr:GetRepositoryPolicy on ${CENTRAL_ARN}, or add to a policy of ${OWN_EXEC}: ${JSON.stringify({ Effect: "Allow", Action: PULL, Resource: CENTRAL_ARN })}. --strict turns this warning into an error.`,
      );
    });

    it("the repository policy unreadable but the token denied: fails (no repository policy grants a token)", async () => {
      const e = await roleOf((w) => {
        const a = w.account("111111111111");
        a.simulation.set(CENTRAL_ARN, "implicitDeny");
        a.simulation.set(TOKEN, "implicitDeny");
        a.failures.set("getRepositoryPolicy", accessDenied("ecr:GetRepositoryPolicy", CENTRAL));
      }, own);
      expect(e.verdict).toBe("fail");
      expect(e.error?.code).toBe("EXECUTION_ROLE_DENIED");
    });

    it("a replica in the target's own account: its policy read with the target's session", async () => {
      const t = makeTarget({ imageRepository: REPLICA });
      const REPLICA_ARN = "arn:aws:ecr:eu-west-1:222222222222:repository/shop/api";
      const world = healthyWorld(t);
      world.account(t.account).simulation.set(REPLICA_ARN, "implicitDeny");
      world.account(t.account).repositories.set(REPLICA, {
        images: [{ digest: DIGEST, tags: [] }],
        policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: t.executionRole }, Action: PULL }] },
      });
      const { r } = await pull(world, t);
      expect(child(r, "image-pull:execution-role").verdict).toBe("pass");
      expect(world.calls.filter((c) => c.method === "getRepositoryPolicy")).toEqual([
        { account: t.account, method: "getRepositoryPolicy", args: [REPLICA] },
      ]);
    });
  });
});

describe("check image-pull: several statements, actions and failures named", () => {
  const TOKEN = "ecr:GetAuthorizationToken *";
  const own = makeTarget({ account: "111111111111" });
  const OWN_EXEC = own.executionRole;
  const grantOwnExec = (w: FakeWorld, st: Record<string, unknown> = {}) => {
    w.account("111111111111").repositories.get(CENTRAL)!.policy = {
      Version: "2012-10-17",
      Statement: [{ Sid: "Exec", Effect: "Allow", Principal: { AWS: OWN_EXEC }, Action: PULL, ...st }],
    };
  };
  const t = makeTarget({ region: "eu-central-1", imageRepository: CENTRAL_REPLICA });
  function replicaWorld() {
    const world = healthyWorld(t);
    world.account("111111111111").repositories.set(CENTRAL_REPLICA, {
      images: [{ digest: DIGEST, tags: [] }],
      policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "222222222222" }, Action: PULL }] },
    });
    return world;
  }

  it("two Deny statements in the repository policy: both named in the message and the hint", async () => {
    const world = withPolicy([
      { Effect: "Allow", Principal: "*", Action: "ecr:*" },
      { Sid: "NoDev", Effect: "Deny", Principal: { AWS: "222222222222" }, Action: "ecr:BatchGetImage" },
      { Sid: "NoPulls", Effect: "Deny", Principal: "*", Action: "ecr:BatchGetImage" },
    ]);
    const p = child((await pull(world, target)).r, "image-pull:repository-policy");
    expect(p.message).toBe(
      `the repository policy of ${CENTRAL} denies 222222222222 ecr:BatchGetImage (repository-policy#NoDev, repository-policy#NoPulls)`,
    );
    expect(p.hint).toBe(
      `Narrow the Deny statement (repository-policy#NoDev, repository-policy#NoPulls) in the repository policy of ${CENTRAL}.`,
    );
  });

  it("two conditions the repository policy uses that deployer cannot evaluate: both named", async () => {
    const world = withPolicy([
      {
        Effect: "Allow",
        Principal: { AWS: "222222222222" },
        Action: PULL,
        Condition: { FirstNope: { "aws:SourceVpc": "vpc-1" }, SecondNope: { "aws:SourceIp": "10.0.0.1" } },
      },
    ]);
    const p = child((await pull(world, target)).r, "image-pull:repository-policy");
    expect(p.verdict).toBe("unverified");
    expect(p.message).toBe(
      `the repository policy of ${CENTRAL} has conditions deployer cannot evaluate before the task runs (FirstNope, SecondNope)`,
    );
  });

  it("an explicit Deny of the execution role with the statement IAM matched: named in the message and the hint", async () => {
    const world = healthyWorld(target);
    world.account("222222222222").simulation.set(TOKEN, "explicitDeny");
    world.account("222222222222").simulationDetails.set(TOKEN, { matchedStatements: ["NoEcr"] });
    const e = child((await pull(world, target)).r, "image-pull:execution-role");
    expect(e.message).toBe(
      `a Deny statement (NoEcr) forbids ${EXEC} ecr:GetAuthorizationToken on *: ECS would stop the tasks with CannotPullContainerError`,
    );
    expect(e.hint).toMatch(/^Narrow the Deny \(NoEcr\) so it no longer covers this request/);
  });

  it("several answers depending on context: every action and every reason named", async () => {
    const world = healthyWorld(target);
    const a = world.account("222222222222");
    a.simulation.set(TOKEN, "implicitDeny");
    a.simulationDetails.set(TOKEN, { missingContextValues: ["aws:SourceVpc"] });
    a.simulation.set(CENTRAL_ARN, "implicitDeny");
    a.simulationDetails.set(CENTRAL_ARN, { missingContextValues: ["aws:SourceIp"] });
    const e = child((await pull(world, target)).r, "image-pull:execution-role");
    expect(e.verdict).toBe("unverified");
    expect(e.message).toMatch(
      new RegExp(
        `^could not verify that ${EXEC} may ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer: [^;]*aws:SourceVpc[^;]*; [^;]*aws:SourceIp[^;]*; [^;]*aws:SourceIp[^;]*$`,
      ),
    );
  });

  it("a same-account repository grant with two conditions deployer cannot evaluate: both named", async () => {
    const world = healthyWorld(own);
    world.account("111111111111").simulation.set(CENTRAL_ARN, "implicitDeny");
    grantOwnExec(world, { Condition: { FirstNope: { "aws:SourceVpc": "vpc-1" }, SecondNope: { "aws:SourceIp": "10.0.0.1" } } });
    const e = child((await pull(world, own)).r, "image-pull:execution-role");
    expect(e.verdict).toBe("unverified");
    const why = "the repository policy has conditions deployer cannot evaluate (FirstNope, SecondNope)";
    expect(e.message).toBe(`could not verify that ${OWN_EXEC} may ecr:BatchGetImage, ecr:GetDownloadUrlForLayer: ${why}; ${why}`);
  });

  describe("one pull action without an Allow, the other denied by a statement (same account)", () => {
    const mixed = (w: FakeWorld) => {
      w.account("111111111111").simulation.set(`ecr:BatchGetImage ${CENTRAL_ARN}`, "implicitDeny");
      w.account("111111111111").simulation.set(`ecr:GetDownloadUrlForLayer ${CENTRAL_ARN}`, "explicitDeny");
    };

    it("the repository grant stands in for the missing Allow only: the Deny alone is reported", async () => {
      const world = healthyWorld(own);
      mixed(world);
      grantOwnExec(world);
      const e = child((await pull(world, own)).r, "image-pull:execution-role");
      expect(e.verdict).toBe("fail");
      expect(e.message).toBe(
        `a Deny statement forbids ${OWN_EXEC} ecr:GetDownloadUrlForLayer on ${CENTRAL_ARN}: ECS would stop the tasks with CannotPullContainerError`,
      );
      expect(e.evidence).toMatchObject({ repositoryPolicy: { "ecr:BatchGetImage": "allowed" } });
    });

    it("the repository policy unreadable: still a failure (the Deny stands whatever it grants)", async () => {
      const world = healthyWorld(own);
      mixed(world);
      world.account("111111111111").failures.set("getRepositoryPolicy", accessDenied("ecr:GetRepositoryPolicy", CENTRAL));
      const e = child((await pull(world, own)).r, "image-pull:execution-role");
      expect(e.verdict).toBe("fail");
      expect(e.error?.code).toBe("EXECUTION_ROLE_DENIED");
    });

    it("only a Deny, no missing Allow: the repository policy is not read (it cannot undo a Deny)", async () => {
      const world = healthyWorld(own);
      world.account("111111111111").simulation.set(`ecr:GetDownloadUrlForLayer ${CENTRAL_ARN}`, "explicitDeny");
      const e = child((await pull(world, own)).r, "image-pull:execution-role");
      expect(e.verdict).toBe("fail");
      expect(world.calls.some((c) => c.method === "getRepositoryPolicy")).toBe(false);
      expect(e.evidence).not.toHaveProperty("repositoryPolicy");
    });
  });

  it("the image sub-check crashing fails INTERNAL under its own id and title", async () => {
    const own = makeTarget({ imageRepository: REPLICA });
    const ctx = await checkContext(healthyWorld(own), own);
    ctx.reads.image = () => Promise.reject(new Error("boom"));
    const r = await checkImagePull(ctx);
    expect(child(r, "image-pull:image")).toMatchObject({
      verdict: "fail",
      title: "image-pull:image",
      message: "check image-pull:image crashed: boom",
    });
    expect(child(r, "image-pull:execution-role").verdict).toBe("pass");
  });

  it("the repository-policy sub-check crashing fails INTERNAL under its own id and title", async () => {
    const ctx = await checkContext(healthyWorld(target), target);
    const ecr = ctx.centralEcr;
    // A policy document whose statements cannot be read: the evaluation throws (a bug, not an AWS failure).
    const broken = {
      Version: "2012-10-17",
      get Statement(): never {
        throw new Error("boom");
      },
    };
    ctx.centralEcr = { ...ecr, getRepositoryPolicy: () => Promise.resolve(broken) };
    const r = await checkImagePull(ctx);
    expect(child(r, "image-pull:repository-policy")).toMatchObject({
      verdict: "fail",
      title: "image-pull:repository-policy",
      message: "check image-pull:repository-policy crashed: boom",
    });
    expect(child(r, "image-pull:image")).toMatchObject({
      verdict: "pass",
      title: "the image digest is in the repository the task pulls from",
    });
  });

  it("the registry identity failing with a plain error: the reads it stopped are named (DescribeImages, GetRepositoryPolicy)", async () => {
    const { r } = await pull(replicaWorld(), t, { registryEcr: new Error("socket hang up") });
    expect(child(r, "image-pull:image").error).toMatchObject({ action: "ecr:DescribeImages", resource: CENTRAL_REPLICA });
    expect(child(r, "image-pull:repository-policy").error).toMatchObject({ action: "ecr:GetRepositoryPolicy", resource: CENTRAL_REPLICA });
  });

  it("DescribeImages of the replica failing with a plain error: the error names ecr:DescribeImages", async () => {
    const world = replicaWorld();
    world.account("111111111111").failures.set("findImage", new Error("socket hang up"));
    const { r } = await pull(world, t);
    expect(child(r, "image-pull:image").error).toMatchObject({ action: "ecr:DescribeImages", resource: CENTRAL_REPLICA });
  });

  it("no way to read the replica's policy: the error says so, and the evidence names the replica", async () => {
    const { r } = await pull(replicaWorld(), t, { registryEcr: "none" });
    const p = child(r, "image-pull:repository-policy");
    expect(p.error).toMatchObject({ code: "INTERNAL", message: "no way to read the central registry's replica" });
    expect(p.evidence).toEqual({ method: "replica", repository: CENTRAL_REPLICA, digest: DIGEST });
  });
});
