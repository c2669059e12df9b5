// Issue 13 end to end: every launch-time failure the sandbox models (test/sandbox/task-start.test.ts and
// iam-guardrails.test.ts show each one stopping real tasks or a real registration) is caught by preflight
// as NG — with a ready-to-paste policy statement of the target's partition — and nothing is written.
// Also: an unverifiable condition is WARN, a central-account replica in the target's region deploys end to
// end, and the template's own tags are kept.
import { afterEach, describe, expect, it } from "vitest";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { startPipeline, demoFixture, type Pipeline } from "../helpers/pipeline.js";
import { walkChecks } from "../../src/plan/build.js";
import { applyPlan } from "../../src/apply/apply.js";
import type { Plan } from "../../src/plan/types.js";
import type { CheckResult } from "../../src/checks/check-result.js";
import type { LaunchTargetOptions } from "../../sandbox/launch-resources.js";
import type { Fixture } from "../../sandbox/index.js";
import { formatPlanText } from "../../src/report/plan-text.js";
import { statementsIn } from "../helpers/hint-statements.js";

const DEV = "222222222222";
const CENTRAL = "111111111111";
const PROD_US = "555555555555";
const CENTRAL_US = `${CENTRAL}.dkr.ecr.us-east-1.amazonaws.com/shop/api`;
const NEW_TAG = "8d1e4b7";
const NEW_DIGEST = "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f";

let p: Pipeline | undefined;
afterEach(async () => {
  await p?.stop();
  p = undefined;
});

function checksOf(plan: Plan, target: string): CheckResult[] {
  return walkChecks(plan.targets.find((t) => t.target.name === target)!.checks);
}

/** A target's live task definition (with tags), read with its own deploy role. */
async function liveDefinition(p: Pipeline, account: string, name: string, region = "eu-west-1") {
  const sts = new STSClient({ region, endpoint: p.sandbox.endpoint, credentials: p.sandbox.credentials });
  const c = (
    await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/deployer`,
        RoleSessionName: "test",
        ExternalId: `shop-deployer-${name}`,
      }),
    )
  ).Credentials!;
  const ecs = new ECSClient({
    region,
    endpoint: p.sandbox.endpoint,
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
  });
  const svc = (await ecs.send(new DescribeServicesCommand({ cluster: `shop-${name}`, services: ["api"] }))).services![0]!;
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition!, include: ["TAGS"] }));
  return { ...out.taskDefinition!, tags: out.tags };
}

/**
 * The CI identities may read the replica too (ecr:DescribeImages, ecr:GetRepositoryPolicy), as the
 * unverified checks' hints ask: the demo grants them the central eu-west-1 repository only.
 */
function readableReplica(fixture: Fixture): Fixture {
  const central = JSON.stringify(`arn:aws:ecr:eu-west-1:${CENTRAL}:repository/shop/api`);
  const both = JSON.stringify([
    `arn:aws:ecr:eu-west-1:${CENTRAL}:repository/shop/api`,
    `arn:aws:ecr:us-east-1:${CENTRAL}:repository/shop/api`,
  ]);
  return JSON.parse(JSON.stringify(fixture).split(`"Resource":${central}`).join(`"Resource":${both}`)) as Fixture;
}

/** The demo fleet with launch options planted on dev. */
async function devWith(options: LaunchTargetOptions): Promise<Pipeline> {
  const fixture = demoFixture();
  Object.assign(
    fixture.targets!.find((t) => t.name === "dev")!,
    options,
  );
  return startPipeline({ fixture });
}

const DENY_PASSROLE_SCP = {
  serviceControlPolicies: [
    {
      name: "deny-passrole",
      document: {
        Version: "2012-10-17",
        Statement: [{ Sid: "NoPassRole", Effect: "Deny" as const, Action: "iam:PassRole", Resource: "*" }],
      },
    },
  ],
};

interface Case {
  name: string;
  options: LaunchTargetOptions;
  /** The failing check, its error code, and what the pasted statement must allow. */
  id: string;
  code: string;
  action: string;
  resource?: string;
  /** Who denies, as the message says. */
  says?: RegExp;
}

const CASES: Case[] = [
  {
    name: "execution role without ECR pull",
    options: { executionRoleEcrPull: false },
    id: "image-pull:execution-role",
    code: "EXECUTION_ROLE_DENIED",
    action: "ecr:BatchGetImage",
    resource: "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api",
  },
  {
    name: "missing secret (SSM parameter)",
    options: { databaseUrlParameter: "missing" },
    id: "secrets:app/DATABASE_URL",
    code: "SECRET_NOT_FOUND",
    action: "",
  },
  {
    name: "secret under a customer managed key without kms:Decrypt",
    options: { databaseUrlParameter: "customer-key" },
    id: "secrets:app/DATABASE_URL",
    code: "EXECUTION_ROLE_DENIED",
    action: "kms:Decrypt",
    resource: `arn:aws:kms:eu-west-1:${DEV}:key/`,
  },
  {
    name: "missing log group",
    options: { logGroup: false },
    id: "logs:app",
    code: "LOG_GROUP_NOT_FOUND",
    action: "logs:CreateLogGroup",
    resource: `arn:aws:logs:eu-west-1:${DEV}:log-group:/ecs/shop-api/dev`,
  },
  {
    name: "an SCP denying iam:PassRole",
    options: { organization: DENY_PASSROLE_SCP },
    id: "pass-role:taskRole",
    code: "PASSROLE_DENIED",
    action: "iam:PassRole",
    resource: `arn:aws:iam::${DEV}:role/shop-api-task`,
    says: /an SCP denies iam:PassRole/,
  },
  {
    name: "deploy role without ecs:TagResource",
    options: { tagResource: false },
    id: "deploy-role-permissions:ecs:TagResource",
    code: "ACCESS_DENIED",
    action: "ecs:TagResource",
    resource: `arn:aws:ecs:eu-west-1:${DEV}:task-definition/shop-api-dev:*`,
  },
];

describe("preflight turns launch-time failures into NG, with no write", () => {
  for (const c of CASES) {
    it(`${c.name}: NG ${c.code} with a policy statement (or the resource to create), nothing written, rollout not started`, async () => {
      p = await devWith(c.options);
      const { plan, run } = await p.plan({ stages: ["dev"] }, NEW_TAG);
      await run.sessions.close();
      const t = plan.targets[0]!;
      expect(t.action).toBe("blocked");
      const checks = checksOf(plan, "dev");
      const failing = checks.filter((x) => x.verdict === "fail");
      const check = checks.find((x) => x.id === c.id);
      expect(check, `${c.id} among ${failing.map((x) => x.id).join(", ")}`).toBeDefined();
      expect(check!.verdict).toBe("fail");
      expect(check!.error?.code).toBe(c.code);

      if (c.says) expect(`${check!.message ?? ""} ${check!.error?.message ?? ""}`).toMatch(c.says);
      if (c.action) {
        const statements = statementsIn(check!.hint ?? check!.error?.hint);
        const st = statements.find((s) => JSON.stringify(s.Action).includes(c.action));
        expect(st, check!.hint ?? check!.error?.hint).toBeDefined();
        expect(JSON.stringify(st!.Resource)).toContain("arn:aws:");
        if (c.resource) expect(JSON.stringify(st!.Resource)).toContain(c.resource);
      }
      const report = await applyPlan(plan, { sessions: new Map() });
      expect(report.targets[0]!.outcome).toBe("not-started");
      expect(p.writes()).toEqual([]);
    });
  }
});

describe("preflight: what it cannot know is WARN, not NG", () => {
  it("an execution-role pull allowed only from a VPC endpoint (aws:SourceVpce): unverified (WARN), the rollout is not blocked", async () => {
    p = await devWith({ executionRoleEcrPull: false });
    p.sandbox.admin.putRolePolicy({
      account: DEV,
      role: "shop-api-exec",
      name: "pull-through-endpoint",
      document: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          {
            Effect: "Allow",
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceVpce": "vpce-0a1b2c3d4e5f60718" } },
          },
        ],
      },
    });
    const { plan, run } = await p.plan({ stages: ["dev"] }, NEW_TAG);
    await run.sessions.close();
    const check = checksOf(plan, "dev").find((x) => x.id === "image-pull:execution-role")!;
    expect(check.verdict).toBe("unverified");
    expect(check.message).toContain("aws:SourceVpce");
    expect(plan.targets[0]!.action).not.toBe("blocked");
    expect(checksOf(plan, "dev").filter((x) => x.verdict === "fail")).toEqual([]);
    expect(formatPlanText(plan, { color: false })).toMatch(/\[WARN\] the execution role may get an ECR token and pull/);
    expect(p.writes()).toEqual([]);
  });
});

describe("preflight: a replica of the central repository in the central account, in the target's region", () => {
  it("is accepted end to end: checks pass against the replica's own policy, prod-us runs the image from it", async () => {
    // ECR replication into another region of the same registry; "Repository policies ... are not
    // replicated" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html): the replica
    // gets its own, granting prod-us.
    const fixture = readableReplica(demoFixture());
    const central = fixture.accounts!.find((a) => a.id === CENTRAL)!;
    const source = central.repositories!.find((r) => r.name === "shop/api")!;
    central.repositories!.push({ region: "us-east-1", name: "shop/api", images: source.images, policy: source.policy });
    p = await startPipeline({ fixture });
    p.repo.edit("environments/prod-us.yaml", "region: us-east-1\n", `region: us-east-1\nimageRepository: ${CENTRAL_US}\n`);
    const { plan, report } = await p.rollout({ envs: ["prod-us"] }, NEW_TAG);
    const checks = checksOf(plan, "prod-us");
    expect(checks.filter((c) => c.verdict === "fail" || c.verdict === "unverified").map((c) => c.id)).toEqual([]);
    expect(plan.targets[0]!.imageRef).toBe(`${CENTRAL_US}@${NEW_DIGEST}`);
    expect(report.ok).toBe(true);
    const live = await liveDefinition(p, PROD_US, "prod-us", "us-east-1");
    expect(live.containerDefinitions![0]!.image).toBe(`${CENTRAL_US}@${NEW_DIGEST}`);
  });

  it("without a grant on the replica (its policy is not replicated), preflight says NG before any write", async () => {
    const fixture = readableReplica(demoFixture());
    const central = fixture.accounts!.find((a) => a.id === CENTRAL)!;
    const source = central.repositories!.find((r) => r.name === "shop/api")!;
    central.repositories!.push({ region: "us-east-1", name: "shop/api", images: source.images });
    p = await startPipeline({ fixture });
    p.repo.edit("environments/prod-us.yaml", "region: us-east-1\n", `region: us-east-1\nimageRepository: ${CENTRAL_US}\n`);
    const { plan, run } = await p.plan({ envs: ["prod-us"] }, NEW_TAG);
    await run.sessions.close();
    const check = checksOf(plan, "prod-us").find((c) => c.id === "image-pull:repository-policy")!;
    expect(check.verdict).toBe("fail");
    expect(check.error?.code).toBe("IMAGE_NOT_PULLABLE");
    expect(check.hint).toContain("arn:aws:iam::555555555555:root");
    expect(p.writes()).toEqual([]);
  });
});

describe("template tags", () => {
  it("are kept beside deployer's on the registered revision; a key deployer also writes is reported and deployer's value wins", async () => {
    p = await startPipeline();
    p.repo.edit(
      "templates/task-definition.json.hbs",
      '"requiresCompatibilities": ["FARGATE"],',
      '"requiresCompatibilities": ["FARGATE"],\n  "tags": [{ "key": "team", "value": "shop" }, { "key": "cost-centre", "value": "{{target.stage}}" }, { "key": "deployer:by", "value": "template" }],',
    );
    const { plan, report } = await p.rollout({ stages: ["dev"] }, NEW_TAG);
    expect(report.ok).toBe(true);
    const tagsCheck = checksOf(plan, "dev").find((c) => c.id === "task-definition-tags")!;
    expect(tagsCheck.verdict).toBe("warn");
    expect(tagsCheck.message).toContain("deployer:by");
    const dev = await liveDefinition(p, DEV, "dev");
    const tags = Object.fromEntries((dev.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ team: "shop", "cost-centre": "dev", "deployer:image-tag": NEW_TAG });
    expect(tags["deployer:by"]).not.toBe("template");
    // A second plan of the same image is no change: the template's tags are not a diff.
    const again = await p.plan({ stages: ["dev"] }, NEW_TAG);
    await again.run.sessions.close();
    expect(again.plan.targets[0]!.action).toBe("noop");
  });
});
