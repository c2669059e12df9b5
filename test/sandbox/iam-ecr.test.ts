// IAM reads and SimulatePrincipalPolicy; ECR reads and cross-account repository policy grants.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GetPolicyVersionCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  GetRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { BatchGetImageCommand, DescribeImagesCommand, DescribeRegistryCommand, GetRepositoryPolicyCommand } from "@aws-sdk/client-ecr";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { DEMO_FIXTURE } from "../../sandbox/index.js";
import { loadFixtureFile } from "../../sandbox/fixture.js";
import { assumeDeployer, clients, rejection } from "./clients.js";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.stop();
});

const PASS_CTX = [
  { ContextKeyName: "iam:PassedToService", ContextKeyValues: ["ecs-tasks.amazonaws.com"], ContextKeyType: "string" as const },
];

describe("sandbox: IAM", () => {
  it("GetRole returns the trust policy URL-encoded, as AWS does", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const role = (await dev.iam.send(new GetRoleCommand({ RoleName: "shop-api-task" }))).Role!;
    expect(role.Arn).toBe("arn:aws:iam::222222222222:role/shop-api-task");
    expect(role.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(role.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22%3A%222012-10-17%22/);
    const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!));
    expect(trust.Statement[0]).toEqual({
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:SourceAccount": "222222222222" } },
    });
    const missing = await rejection(dev.iam.send(new GetRoleCommand({ RoleName: "nope" })));
    expect(missing.name).toBe("NoSuchEntityException");
    expect(missing.message).toBe("The role with name nope cannot be found.");
  });

  it("lists inline and attached policies and returns their documents", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    expect((await dev.iam.send(new ListRolePoliciesCommand({ RoleName: "deployer" }))).PolicyNames).toEqual(["deploy"]);
    const inline = await dev.iam.send(new GetRolePolicyCommand({ RoleName: "deployer", PolicyName: "deploy" }));
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument!)).Statement.map((s: { Sid: string }) => s.Sid)).toContain("PassTaskRoles");
    const attached = await dev.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "shop-api-exec" }));
    expect(attached.AttachedPolicies).toEqual([
      {
        PolicyName: "AmazonECSTaskExecutionRolePolicy",
        PolicyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      },
    ]);
    const version = await dev.iam.send(
      new GetPolicyVersionCommand({ PolicyArn: "arn:aws:iam::222222222222:policy/deployer-iam-read", VersionId: "v1" }),
    );
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!)).Statement[0].Sid).toBe("ReadRoles");
  });

  it("SimulatePrincipalPolicy answers allowed / implicitDeny per action and resource, honouring ContextEntries", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const sim = (ctx: typeof PASS_CTX | undefined, source = "arn:aws:iam::222222222222:role/deployer") =>
      dev.iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: source,
          ActionNames: ["iam:PassRole", "ecs:UpdateService"],
          ResourceArns: ["arn:aws:iam::222222222222:role/shop-api-task", "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api"],
          ContextEntries: ctx,
        }),
      );
    // The simulator since 2026-07-30: one result per action (the most restrictive decision, the
    // action's ARN template), the per-resource decisions in ResourceSpecificResults.
    const results = (await sim(PASS_CTX)).EvaluationResults!;
    expect(results.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision])).toEqual([
      ["iam:PassRole", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "implicitDeny"],
      ["ecs:UpdateService", "arn:${Partition}:ecs:${Region}:${Account}:service/${ClusterName}/${ServiceName}", "implicitDeny"],
    ]);
    const withCtx = results.flatMap((r) =>
      r.ResourceSpecificResults!.map((s) => [r.EvalActionName, s.EvalResourceName, s.EvalResourceDecision]),
    );
    expect(withCtx).toEqual([
      ["iam:PassRole", "arn:aws:iam::222222222222:role/shop-api-task", "allowed"],
      ["iam:PassRole", "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api", "implicitDeny"],
      ["ecs:UpdateService", "arn:aws:iam::222222222222:role/shop-api-task", "implicitDeny"],
      ["ecs:UpdateService", "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api", "allowed"],
    ]);
    // Not in an organization, no boundary: neither detail is present.
    expect(results[0]!.OrganizationsDecisionDetail).toBeUndefined();
    expect(results[0]!.PermissionsBoundaryDecisionDetail).toBeUndefined();
    const noCtx = (await sim(undefined)).EvaluationResults!;
    expect(noCtx[0]!.ResourceSpecificResults![0]!.EvalResourceDecision).toBe("implicitDeny"); // the PassRole condition needs iam:PassedToService
    expect(noCtx[0]!.ResourceSpecificResults![0]!.MissingContextValues).toEqual(["iam:PassedToService"]);
  });

  it("SimulatePrincipalPolicy reports explicitDeny and can be denied to the caller (fixture flag)", async () => {
    const fixture = loadFixtureFile(DEMO_FIXTURE);
    fixture.targets = fixture.targets!.map((t) => (t.account === "222222222222" ? { ...t, simulatePrincipalPolicy: false } : t));
    const sb2 = await startSandbox({ port: 0, fixture });
    try {
      const dev = await assumeDeployer(sb2, "222222222222");
      const err = await rejection(
        dev.iam.send(
          new SimulatePrincipalPolicyCommand({
            PolicySourceArn: "arn:aws:iam::222222222222:role/deployer",
            ActionNames: ["ecs:UpdateService"],
          }),
        ),
      );
      expect(err.name).toBe("AccessDenied");
      expect(err.message).toBe(
        "User: arn:aws:sts::222222222222:assumed-role/deployer/deployer-test is not authorized to perform: iam:SimulatePrincipalPolicy on resource: " +
          "arn:aws:iam::222222222222:role/deployer because no identity-based policy allows the iam:SimulatePrincipalPolicy action",
      );
    } finally {
      await sb2.stop();
    }
    const dev = await assumeDeployer(sb, "222222222222");
    const denyAll = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "ecs:*", Resource: "*" }] });
    const out = await dev.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: "arn:aws:iam::222222222222:role/deployer",
        ActionNames: ["ecs:UpdateService"],
        ResourceArns: ["arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api"],
        PolicyInputList: [denyAll],
      }),
    );
    expect(out.EvaluationResults![0]!.EvalDecision).toBe("explicitDeny");
  });
});

describe("sandbox: ECR", () => {
  const central = { registryId: "111111111111", repositoryName: "shop/api" };

  it("BatchGetImage returns found images and ImageNotFound failures for missing tags", async () => {
    const ci = clients(sb, sb.credentials);
    const out = await ci.ecr.send(new BatchGetImageCommand({ ...central, imageIds: [{ imageTag: "c0ffee1" }, { imageTag: "deadbee" }] }));
    expect(out.images!.map((i) => i.imageId)).toEqual([
      { imageTag: "c0ffee1", imageDigest: "sha256:5292a8330c8b749e883e7108ad7fa9062f4d6796ebef1f6ff4d5d29bf120d901" },
    ]);
    expect(out.failures).toEqual([
      { imageId: { imageTag: "deadbee" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" },
    ]);
  });

  it("DescribeImages throws ImageNotFoundException for a missing tag and lists images in push order", async () => {
    const ci = clients(sb, sb.credentials);
    const err = await rejection(ci.ecr.send(new DescribeImagesCommand({ ...central, imageIds: [{ imageTag: "deadbee" }] })));
    expect(err.name).toBe("ImageNotFoundException");
    const all = await ci.ecr.send(new DescribeImagesCommand(central));
    expect(all.imageDetails!.map((d) => d.imageTags![0])).toEqual(["3f2a9c1", "8d1e4b7", "c0ffee1", "bad0001", "fa11ed1"]);
    const pushed = all.imageDetails!.map((d) => d.imagePushedAt!.getTime());
    expect([...pushed].sort((a, b) => a - b)).toEqual(pushed);
  });

  it("lets target accounts read the central repository only where its policy grants them", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const ok = await dev.ecr.send(new BatchGetImageCommand({ ...central, imageIds: [{ imageTag: "8d1e4b7" }] }));
    expect(ok.images).toHaveLength(1);
    const notGranted = await rejection(dev.ecr.send(new DescribeImagesCommand({ ...central, imageIds: [{ imageTag: "8d1e4b7" }] })));
    expect(notGranted.name).toBe("AccessDeniedException");
    expect(notGranted.message).toContain("because no resource-based policy allows the ecr:DescribeImages action");
    for (const account of ["444444444444", "666666666666"]) {
      const target = await assumeDeployer(sb, account);
      const err = await rejection(target.ecr.send(new BatchGetImageCommand({ ...central, imageIds: [{ imageTag: "8d1e4b7" }] })));
      expect(err.name).toBe("AccessDeniedException");
      expect(err.message).toContain(
        `arn:aws:sts::${account}:assumed-role/deployer/deployer-test is not authorized to perform: ecr:BatchGetImage`,
      );
    }
    const replica = await (
      await assumeDeployer(sb, "444444444444")
    ).ecr.send(new BatchGetImageCommand({ repositoryName: "shop/api", imageIds: [{ imageTag: "8d1e4b7" }] }));
    expect(replica.images![0]!.imageId!.imageDigest).toBe("sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f");
  });

  it("returns the repository policy and the registry's replication rule to the replica account", async () => {
    const ci = clients(sb, sb.credentials);
    const policy = JSON.parse((await ci.ecr.send(new GetRepositoryPolicyCommand(central))).policyText!);
    expect(policy.Statement[0].Principal.AWS).toEqual([
      "arn:aws:iam::222222222222:root",
      "arn:aws:iam::333333333333:root",
      "arn:aws:iam::555555555555:root",
    ]);
    const registry = await ci.ecr.send(new DescribeRegistryCommand({}));
    expect(registry.replicationConfiguration!.rules![0]!.destinations).toEqual([{ region: "eu-west-1", registryId: "444444444444" }]);
  });
});
