// The IAM mesh `deployer iam` builds (src/iam-mesh/): which actions each role gets and on what, who
// may assume it, the central repository's policy, partitions, the errors for configurations no mesh
// fits, and the writers (HCL escaping, one CloudFormation StackSet template with per-account values).
// That the generated policies are enough and minimal is shown against the sandbox:
// test/integration/iam-mesh.test.ts and iam-mesh-minimal.test.ts.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { PolicyDocument, PolicyStatement } from "../../../src/aws/ports.js";
import type { Target, TaskDefinitionInput } from "../../../src/config/types.js";
import { DeployerErrors } from "../../../src/errors.js";
import { NO_PERMISSION_COMMANDS, REQUIRED_ACTIONS } from "../../../src/iam-mesh/actions.js";
import { buildMesh, type IamMesh, type MeshOptions, type MeshRole } from "../../../src/iam-mesh/mesh.js";
import { meshFiles } from "../../../src/iam-mesh/files.js";
import { hclString } from "../../../src/iam-mesh/hcl.js";
import { DIGEST, REPO, ROOT, makeProject, makeTarget, renderTemplate } from "../../helpers/factories.js";

const OPTIONS: MeshOptions = { github: { repository: "acme/shop-deploy", branches: ["main"], environments: ["prod"] } };

function fleet(): Target[] {
  return [
    makeTarget({
      viewRole: "arn:aws:iam::222222222222:role/deployer-viewer",
      viewExternalId: "shop-viewer",
    }),
    makeTarget({
      name: "prod",
      stage: "prod",
      account: "444444444444",
      cluster: "shop-prod",
      externalId: "shop-deployer-prod",
      viewRole: "arn:aws:iam::444444444444:role/deployer-viewer",
      viewExternalId: "shop-viewer",
    }),
  ];
}

function mesh(targets = fleet(), o: MeshOptions = OPTIONS, central = REPO): IamMesh {
  return buildMesh(
    makeProject(targets, { repository: central }),
    targets.map((t) => ({ target: t, taskDefinition: renderTemplate(t, `${central}@${DIGEST}`) })),
    o,
  );
}

const roleOf = (m: IamMesh, arn: string): MeshRole => {
  const r = m.accounts.flatMap((a) => a.roles).find((x) => x.arn === arn);
  if (!r) throw new Error(`no role ${arn} in ${m.accounts.flatMap((a) => a.roles.map((x) => x.arn)).join(", ")}`);
  return r;
};
const statements = (d: PolicyDocument | undefined): PolicyStatement[] => (d ? ([] as PolicyStatement[]).concat(d.Statement) : []);
const list = (v: unknown): string[] => ([] as string[]).concat((v as string | string[] | undefined) ?? []);
const withAction = (d: PolicyDocument | undefined, action: string) => statements(d).filter((s) => list(s.Action).includes(action));

describe("the actions table", () => {
  it("names every SDK command src/aws/ sends (a new command fails this until its row is added)", () => {
    const dir = path.join(ROOT, "src/aws");
    const sent = new Set<string>();
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".ts")))
      for (const m of readFileSync(path.join(dir, f), "utf8").matchAll(/new ([A-Z][A-Za-z]+Command)\(/g)) sent.add(m[1]!);
    const known = new Set([...REQUIRED_ACTIONS.flatMap((a) => a.sdk), ...NO_PERMISSION_COMMANDS]);
    expect([...sent].filter((c) => !known.has(c)).sort()).toEqual([]);
    expect(sent.size).toBeGreaterThan(10);
  });
});

describe("buildMesh", () => {
  it("deploy role: exactly the table's deploy actions, scoped to the target; iam:PassRole only for its two roles, only to ECS tasks", () => {
    // Without a viewer role, preflight reads as the deploy role: it gets the preflight reads too.
    const m = mesh(fleet().map((t) => ({ ...t, viewRole: undefined, viewExternalId: undefined })));
    const deploy = roleOf(m, "arn:aws:iam::222222222222:role/deployer");
    const actions = statements(deploy.policy?.document).flatMap((s) => list(s.Action));
    // ecr:DescribeImages reads the target's replica (imageRepository), secretsmanager:DescribeSecret
    // the Secrets Manager secrets of secrets[].valueFrom: dev has neither. Cloud Map / RAM reads: only
    // the live service names its namespaces (never in `deployer iam`); simulating the task role: only
    // with taskAssumes (this fleet has none).
    const absent = new Set(["ecr:DescribeImages", "secretsmanager:DescribeSecret"]);
    const unresolved = (a: (typeof REQUIRED_ACTIONS)[number]) =>
      a.resources.includes("service-connect-namespaces") || a.onlyWith === "service-connect-namespaces" || a.onlyWith === "task-assumes";
    const expected = REQUIRED_ACTIONS.filter(
      (a) => a.roles.includes("deploy") && !a.fallbackFor && !absent.has(a.action) && !unresolved(a),
    );
    expect(new Set(actions)).toEqual(new Set(expected.map((a) => a.action)));
    expect(deploy.readsByViewer).toBeUndefined();

    // With a viewer role, the viewer reads in preflight: the deploy role keeps what a rollout sends
    // (its writes, and the reads it makes while applying and waiting), nothing preflight-only.
    const viewed = roleOf(mesh(), "arn:aws:iam::222222222222:role/deployer");
    expect(viewed.readsByViewer).toBe(true);
    const rolloutOnly = REQUIRED_ACTIONS.filter((a) => a.roles.includes("deploy") && !a.fallbackFor && !a.preflightOnly);
    expect(new Set(statements(viewed.policy?.document).flatMap((s) => list(s.Action)))).toEqual(new Set(rolloutOnly.map((a) => a.action)));
    for (const gone of [
      "ecs:DescribeClusters",
      "iam:GetRole",
      "iam:SimulatePrincipalPolicy",
      "ssm:DescribeParameters",
      "logs:DescribeLogGroups",
    ])
      expect(withAction(viewed.policy?.document, gone)).toEqual([]);
    const replica = "222222222222.dkr.ecr.eu-west-1.amazonaws.com/shop/api-replica";
    const withReplica = roleOf(mesh([makeTarget({ imageRepository: replica })]), "arn:aws:iam::222222222222:role/deployer");
    expect(withAction(withReplica.policy?.document, "ecr:DescribeImages").flatMap((s) => list(s.Resource))).toEqual([
      "arn:aws:ecr:eu-west-1:222222222222:repository/shop/api-replica",
    ]);
    const passRole = withAction(deploy.policy?.document, "iam:PassRole");
    expect(passRole).toHaveLength(1);
    expect(list(passRole[0]!.Action)).toEqual(["iam:PassRole"]);
    expect(list(passRole[0]!.Resource).sort()).toEqual(
      ["arn:aws:iam::222222222222:role/shop-api-exec", "arn:aws:iam::222222222222:role/shop-api-task"].sort(),
    );
    expect(passRole[0]!.Condition).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    const register = withAction(deploy.policy?.document, "ecs:RegisterTaskDefinition")[0]!;
    expect(list(register.Resource)).toEqual(["arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:*"]);
    const update = withAction(deploy.policy?.document, "ecs:UpdateService")[0]!;
    expect(list(update.Resource)).toEqual(["arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api"]);
    // "*" only where the action has no resource type (DescribeTaskDefinition, DescribeParameters) or
    // lists the account's log groups by prefix (DescribeLogGroups), and for the task role's attached
    // managed policies (GetPolicy, GetPolicyVersion: their ARNs, AWS managed ones included, are only
    // known once listed).
    const starOnly = new Set([
      "ecs:DescribeTaskDefinition",
      "ssm:DescribeParameters",
      "logs:DescribeLogGroups",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      // EC2's Describe* calls have no resource types (check task-network, issue 17).
      "ec2:DescribeSubnets",
      "ec2:DescribeSecurityGroups",
    ]);
    for (const s of statements(deploy.policy?.document))
      if (list(s.Resource).includes("*")) for (const a of list(s.Action)) expect(starOnly, JSON.stringify(s)).toContain(a);
    // kms:DescribeKey: the keys of the account and region of dev's parameter, never "*".
    expect(withAction(deploy.policy?.document, "kms:DescribeKey").flatMap((s) => list(s.Resource))).toEqual([
      "arn:aws:kms:eu-west-1:222222222222:key/*",
    ]);
  });

  it("viewer role: reads only, iam:SimulatePrincipalPolicy on its target's deploy and execution roles only", () => {
    const m = mesh();
    const view = roleOf(m, "arn:aws:iam::222222222222:role/deployer-viewer");
    const actions = statements(view.policy?.document).flatMap((s) => list(s.Action));
    expect(actions.length).toBeGreaterThan(5);
    for (const a of actions) expect(a).toMatch(/^[a-z0-9]+:(Describe|List|Get|BatchGet|Simulate)/);
    const simulate = withAction(view.policy?.document, "iam:SimulatePrincipalPolicy");
    // The deploy role (PassRole and its writes) and the execution role (what ECS does as it at task start).
    expect(simulate.flatMap((s) => list(s.Resource)).sort()).toEqual([
      "arn:aws:iam::222222222222:role/deployer",
      "arn:aws:iam::222222222222:role/shop-api-exec",
    ]);
  });

  it("trust: the CI roles trust GitHub OIDC of this repository (deploy: main + environment; plan: pull_request); deploy roles trust the deploy CI role with the ExternalId; viewers both CI roles", () => {
    const m = mesh();
    const ci = roleOf(m, "arn:aws:iam::111111111111:role/deployer-ci");
    const [gh] = statements(ci.trustPolicy);
    expect(gh!.Principal).toEqual({ Federated: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" });
    expect(gh!.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(gh!.Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": ["repo:acme/shop-deploy:ref:refs/heads/main", "repo:acme/shop-deploy:environment:prod"],
      },
    });
    const plan = roleOf(m, "arn:aws:iam::111111111111:role/deployer-plan");
    expect(statements(plan.trustPolicy)[0]!.Condition).toMatchObject({
      StringEquals: { "token.actions.githubusercontent.com:sub": "repo:acme/shop-deploy:pull_request" },
    });
    // The plan role may assume viewer roles, never a deploy role.
    const planTargets = withAction(plan.policy?.document, "sts:AssumeRole").flatMap((s) => list(s.Resource));
    expect(planTargets.sort()).toEqual([
      "arn:aws:iam::222222222222:role/deployer-viewer",
      "arn:aws:iam::444444444444:role/deployer-viewer",
    ]);

    const deploy = roleOf(m, "arn:aws:iam::444444444444:role/deployer");
    const assume = statements(deploy.trustPolicy).find((s) => s.Action === "sts:AssumeRole")!;
    expect(assume.Principal).toEqual({ AWS: "arn:aws:iam::111111111111:root" });
    expect(assume.Condition).toEqual({
      StringEquals: { "sts:ExternalId": "shop-deployer-prod" },
      ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111111111111:role/deployer-ci" },
    });
    const view = roleOf(m, "arn:aws:iam::444444444444:role/deployer-viewer");
    expect(statements(view.trustPolicy).find((s) => s.Action === "sts:AssumeRole")!.Condition).toEqual({
      StringEquals: { "sts:ExternalId": "shop-viewer" },
      ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::111111111111:role/deployer-ci", "arn:aws:iam::111111111111:role/deployer-plan"] },
    });
  });

  it("task and execution roles trust ECS tasks of their own account (aws:SourceAccount); the task role gets no policy", () => {
    const m = mesh();
    for (const name of ["shop-api-task", "shop-api-exec"]) {
      const r = roleOf(m, `arn:aws:iam::444444444444:role/${name}`);
      expect(statements(r.trustPolicy)).toEqual([
        {
          Sid: "EcsTasks",
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "444444444444" } },
        },
      ]);
    }
    expect(roleOf(m, "arn:aws:iam::444444444444:role/shop-api-task").policy).toBeUndefined();
    const exec = roleOf(m, "arn:aws:iam::444444444444:role/shop-api-exec").policy!.document;
    expect(withAction(exec, "ssm:GetParameters").flatMap((s) => list(s.Resource))).toEqual([
      "arn:aws:ssm:eu-west-1:444444444444:parameter/shop-api/database-url",
    ]);
    expect(withAction(exec, "logs:PutLogEvents").flatMap((s) => list(s.Resource))).toEqual([
      "arn:aws:logs:eu-west-1:444444444444:log-group:/ecs/shop-api/prod:log-stream:*",
    ]);
    expect(withAction(exec, "ecr:BatchGetImage").flatMap((s) => list(s.Resource))).toEqual([
      "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api",
    ]);
  });

  it("the central repository's policy grants the pull to exactly the targets' execution roles", () => {
    const m = mesh();
    const [p] = m.accounts.find((a) => a.account === "111111111111")!.repositoryPolicies;
    expect(p!.arn).toBe("arn:aws:ecr:eu-west-1:111111111111:repository/shop/api");
    const [pull] = statements(p!.policy);
    expect(pull!.Principal).toEqual({ AWS: ["arn:aws:iam::222222222222:root", "arn:aws:iam::444444444444:root"] });
    expect(list(pull!.Action).sort()).toEqual(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
    expect(pull!.Condition).toEqual({
      ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::222222222222:role/shop-api-exec", "arn:aws:iam::444444444444:role/shop-api-exec"] },
    });
  });

  it("without viewer roles there is no plan role, and the notes say so", () => {
    const targets = fleet().map((t) => ({ ...t, viewRole: undefined, viewExternalId: undefined }));
    const m = mesh(targets);
    expect(m.ci.planRole).toBeUndefined();
    expect(m.accounts.flatMap((a) => a.roles).map((r) => r.name)).not.toContain("deployer-plan");
    expect(m.notes.join("\n")).toMatch(/no pull-request plan role/);
  });

  it("is partition-aware: a fleet in aws-cn gets arn:aws-cn everywhere, never arn:aws:", () => {
    const central = "111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn/shop/api";
    const t = makeTarget({
      region: "cn-north-1",
      deployRole: "arn:aws-cn:iam::222222222222:role/deployer",
      taskRole: "arn:aws-cn:iam::222222222222:role/shop-api-task",
      executionRole: "arn:aws-cn:iam::222222222222:role/shop-api-exec",
      viewRole: "arn:aws-cn:iam::222222222222:role/deployer-viewer",
      viewExternalId: "v",
    });
    const def: TaskDefinitionInput = {
      family: "shop-api-dev",
      taskRoleArn: t.taskRole,
      executionRoleArn: t.executionRole,
      containerDefinitions: [
        {
          name: "app",
          image: `${central}@${DIGEST}`,
          secrets: [{ name: "DB", valueFrom: "/shop-api/database-url" }],
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/shop-api/dev", "awslogs-stream-prefix": "app" } },
        },
      ],
    };
    const m = buildMesh(makeProject([t], { repository: central }), [{ target: t, taskDefinition: def }], OPTIONS);
    const text = JSON.stringify(m);
    expect(text).not.toContain("arn:aws:");
    expect(text).toContain("arn:aws-cn:ecs:cn-north-1:222222222222:service/shop-dev/api");
    expect(text).toContain("arn:aws-cn:ssm:cn-north-1:222222222222:parameter/shop-api/database-url");
    expect(text).toContain("arn:aws-cn:iam::111111111111:oidc-provider/token.actions.githubusercontent.com");
    for (const f of meshFiles(m, "terraform", { header: "h", regionOf: () => "cn-north-1" })) expect(f.content).not.toContain("arn:aws:");
  });

  it("refuses what no mesh fits: a target in another partition than the CI account, a role with two purposes (naming target and field)", () => {
    const other = makeTarget({ name: "china", region: "cn-north-1" });
    const mixed = () => mesh([makeTarget(), other]);
    expect(mixed).toThrow(DeployerErrors);
    try {
      mixed();
    } catch (e) {
      const [err] = (e as DeployerErrors).errors;
      expect(err!.target).toBe("china");
      expect(err!.message).toMatch(/partition aws-cn/);
    }
    const twoPurposes = makeTarget({ taskRole: "arn:aws:iam::222222222222:role/deployer" });
    try {
      mesh([twoPurposes]);
      expect.unreachable();
    } catch (e) {
      const [err] = (e as DeployerErrors).errors;
      expect(err!.code).toBe("CONFIG_INVALID");
      expect(err!.field).toBe("taskRole");
      expect(err!.message).toMatch(/role\/deployer is the task role of target "dev" and the deploy role/);
    }
  });
});

describe("the writers", () => {
  it("HCL strings cannot become interpolations, directives, workflow commands or terminal escapes", () => {
    expect(hclString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(hclString("${var.x} %{if} ##[error]")).toBe('"$${var.x} %%{if} #\\u0023[error]"');
    expect(hclString("\u001b[31mred\nx")).toBe('"\\u001b[31mred\\nx"');
  });

  it("terraform: one role resource per role, policies as jsonencode of the same documents", () => {
    const [f] = meshFiles(mesh(), "terraform", { header: "generated", regionOf: () => "eu-west-1" });
    expect(f!.path).toBe("iam-mesh.tf");
    expect(f!.content.match(/^resource "aws_iam_role" /gm)).toHaveLength(2 + 4 * 2);
    expect(f!.content).toContain('resource "aws_ecr_repository_policy"');
    expect(f!.content).toContain('"iam:PassedToService" = "ecs-tasks.amazonaws.com"');
  });

  it("cloudformation: ONE StackSet template for every target account, its values per account, the CI account's roles, the repository policy", () => {
    const files = meshFiles(mesh(), "cloudformation", { header: "generated", regionOf: () => "eu-west-1" });
    expect(files.map((f) => f.path).sort()).toEqual([
      "central-repository-policy.json",
      "ci-account-111111111111.json",
      "stackset-parameters/222222222222.json",
      "stackset-parameters/444444444444.json",
      "stackset-template.json",
    ]);
    const template = JSON.parse(files.find((f) => f.path === "stackset-template.json")!.content) as {
      Resources: Record<string, { Properties: { AssumeRolePolicyDocument: unknown } }>;
    };
    expect(Object.keys(template.Resources).sort()).toEqual(["DeployRole", "ExecutionRole", "TaskRole", "ViewRole"]);
    expect(JSON.stringify(template)).not.toContain("arn:aws:");
    const params = JSON.parse(files.find((f) => f.path === "stackset-parameters/444444444444.json")!.content) as Array<{
      ParameterKey: string;
      ParameterValue: string;
    }>;
    const value = (k: string) => params.find((p) => p.ParameterKey === k)?.ParameterValue;
    expect(value("DeployRoleName")).toBe("deployer");
    expect(value("DeployExternalIds")).toBe("shop-deployer-prod");
    expect(value("DeployPassTaskRolesResources")).toBe(
      "arn:aws:iam::444444444444:role/shop-api-task,arn:aws:iam::444444444444:role/shop-api-exec",
    );
  });
});
