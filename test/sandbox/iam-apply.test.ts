// The IAM admin API (issue 18): apply an IAM mesh document (roles with trust and inline policies,
// customer managed policies, users, repository policies) to the sandbox's accounts, read it back,
// and remove one action at a time — each removal shows up as the AWS call it breaks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { startSandbox, type IamApplyAccount, type IamApplyDocument, type Sandbox } from "../../sandbox/index.js";
import { assumeDeployer, rejection } from "./clients.js";

const DEV = "222222222222";
const IMAGE =
  "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:5292a8330c8b749e883e7108ad7fa9062f4d6796ebef1f6ff4d5d29bf120d901";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.2 });
});
afterAll(async () => {
  await sb.stop();
});

async function admin(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sb.endpoint}/_sandbox/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: await res.json() };
}

/** What `deployer iam --format json` might emit for dev: the deploy role, exactly what a rollout uses. */
function mesh(): IamApplyDocument {
  const family = "shop-api-dev";
  return {
    accounts: [
      {
        account: DEV,
        roles: [
          {
            name: "deployer",
            description: "generated",
            trustPolicy: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { AWS: "arn:aws:iam::111111111111:root" },
                  Action: "sts:AssumeRole",
                  Condition: { StringEquals: { "sts:ExternalId": "shop-deployer-dev" } },
                },
              ],
            },
            inlinePolicies: {
              deploy: {
                Version: "2012-10-17",
                Statement: [
                  { Sid: "Read", Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:DescribeTaskDefinition"], Resource: "*" },
                  {
                    Sid: "Register",
                    Effect: "Allow",
                    Action: "ecs:RegisterTaskDefinition",
                    Resource: `arn:aws:ecs:eu-west-1:${DEV}:task-definition/${family}:*`,
                  },
                  {
                    Sid: "Update",
                    Effect: "Allow",
                    Action: "ecs:UpdateService",
                    Resource: `arn:aws:ecs:eu-west-1:${DEV}:service/shop-dev/api`,
                  },
                  {
                    Sid: "PassTaskRoles",
                    Effect: "Allow",
                    Action: "iam:PassRole",
                    Resource: [`arn:aws:iam::${DEV}:role/shop-api-task`, `arn:aws:iam::${DEV}:role/shop-api-exec`],
                    Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
                  },
                ],
              },
            },
          },
        ],
      },
      {
        account: "111111111111",
        repositoryPolicies: [
          {
            region: "eu-west-1",
            repository: "shop/api",
            policy: {
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "PullFromExecutionRoles",
                  Effect: "Allow",
                  Principal: { AWS: [`arn:aws:iam::${DEV}:role/shop-api-exec`] },
                  Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

async function rollout(ecs: ECSClient): Promise<string> {
  const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "shop-api-dev" }))).taskDefinition!;
  const reg = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: td.family,
      taskRoleArn: td.taskRoleArn,
      executionRoleArn: td.executionRoleArn,
      networkMode: td.networkMode,
      requiresCompatibilities: td.requiresCompatibilities,
      cpu: td.cpu,
      memory: td.memory,
      containerDefinitions: td.containerDefinitions!.map((c) => ({ ...c, image: IMAGE })),
    }),
  );
  await ecs.send(new UpdateServiceCommand({ cluster: "shop-dev", service: "api", taskDefinition: reg.taskDefinition!.taskDefinitionArn }));
  for (let i = 0; i < 200; i++) {
    const d = (await ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] }))).services![0]!.deployments!;
    const primary = d.find((x) => x.status === "PRIMARY")!;
    if (primary.taskDefinition === reg.taskDefinition!.taskDefinitionArn && primary.rolloutState !== "IN_PROGRESS")
      return primary.rolloutState!;
    if (primary.taskDefinition !== reg.taskDefinition!.taskDefinitionArn) return `rolled back (${primary.rolloutStateReason})`;
    await new Promise((r) => setTimeout(r, 100));
  }
  return "still in progress";
}

describe("sandbox: IAM admin API", () => {
  it("round trip: every account's IAM read back (GET /_sandbox/iam) and applied again (POST /_sandbox/iam/apply) is unchanged", async () => {
    const accounts = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555", "666666666666"];
    const before = await Promise.all(accounts.map(async (a) => (await admin("GET", `iam?account=${a}`)).json as IamApplyAccount));
    const roleId = (await (await assumeDeployer(sb, DEV)).iam.send(new GetRoleCommand({ RoleName: "deployer" }))).Role!.RoleId;
    const applied = await admin("POST", "iam/apply", { accounts: before });
    expect(applied.status).toBe(200);
    expect((applied.json as { applied: string[] }).applied).toContain(`${DEV} role deployer-viewer`);
    const after = await Promise.all(accounts.map(async (a) => (await admin("GET", `iam?account=${a}`)).json as IamApplyAccount));
    expect(after).toEqual(before);
    // Replacing a role keeps its unique id (as UpdateAssumeRolePolicy / PutRolePolicy would).
    expect((await (await assumeDeployer(sb, DEV)).iam.send(new GetRoleCommand({ RoleName: "deployer" }))).Role!.RoleId).toBe(roleId);
  });

  it("a mesh document applied makes the rollout work; removing each action in turn breaks the call that needs it", async () => {
    expect(sb.admin.applyIam(mesh()).applied).toEqual([`${DEV} role deployer`, "111111111111 repository eu-west-1/shop/api"]);
    expect(sb.admin.exportIam(DEV).roles!.find((r) => r.name === "deployer")!.managedPolicies).toEqual([]);
    expect(await rollout((await assumeDeployer(sb, DEV)).ecs)).toBe("COMPLETED");

    const cases: Array<{ remove: Parameters<Sandbox["admin"]["removeIamAction"]>[0]; expect: () => Promise<unknown> }> = [
      {
        remove: { account: DEV, role: "deployer", action: "ecs:UpdateService" },
        expect: async () => {
          const err = await rejection(rollout((await assumeDeployer(sb, DEV)).ecs));
          expect(err.name).toBe("AccessDeniedException");
          expect(err.message).toContain("ecs:UpdateService on resource: arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api");
        },
      },
      {
        remove: { account: DEV, role: "deployer", action: "iam:PassRole" },
        expect: async () => {
          const err = await rejection(rollout((await assumeDeployer(sb, DEV)).ecs));
          expect(err.message).toContain("iam:PassRole on resource: arn:aws:iam::222222222222:role/shop-api-task");
        },
      },
      {
        remove: { account: DEV, role: "deployer", from: "trust", action: "sts:AssumeRole" },
        expect: async () => expect((await rejection(assumeDeployer(sb, DEV))).name).toBe("AccessDenied"),
      },
      {
        remove: { account: "111111111111", repository: { region: "eu-west-1", name: "shop/api" }, action: "ecr:BatchGetImage" },
        // The execution role can no longer pull: the new tasks never start and ECS rolls back.
        expect: async () => expect(await rollout((await assumeDeployer(sb, DEV)).ecs)).toMatch(/^(FAILED|rolled back)/),
      },
    ];
    for (const c of cases) {
      sb.admin.applyIam(mesh());
      const removed = sb.admin.removeIamAction(c.remove);
      expect(removed.length).toBeGreaterThan(0);
      await c.expect();
    }
    sb.admin.applyIam(mesh());
    expect(await rollout((await assumeDeployer(sb, DEV)).ecs)).toBe("COMPLETED");
  });

  it("remove-action over HTTP reports what it removed, and refuses when nothing matched", async () => {
    sb.admin.applyIam(mesh());
    const ok = await admin("POST", "iam/remove-action", { account: DEV, role: "deployer", action: "ECS:registerTaskDefinition" });
    expect(ok).toEqual({
      status: 200,
      json: { removed: [{ where: "role deployer inline policy deploy", statement: "Register", statementRemoved: true }] },
    });
    const again = await admin("POST", "iam/remove-action", { account: DEV, role: "deployer", action: "ecs:RegisterTaskDefinition" });
    expect(again).toEqual({
      status: 400,
      json: { error: "ecs:RegisterTaskDefinition is not in any matching policy statement (nothing removed)" },
    });
    const partial = await admin("POST", "iam/remove-action", { account: DEV, role: "deployer", action: "ecs:DescribeServices" });
    expect(partial.json).toEqual({
      removed: [{ where: "role deployer inline policy deploy", statement: "Read", statementRemoved: false }],
    });
    const read = sb.admin.exportIam(DEV).roles!.find((r) => r.name === "deployer")!.inlinePolicies!.deploy!;
    expect((read.Statement as Array<Record<string, unknown>>)[0]).toEqual({
      Sid: "Read",
      Effect: "Allow",
      Action: "ecs:DescribeTaskDefinition",
      Resource: "*",
    });
    sb.admin.applyIam(mesh());
  });

  it("refuses an invalid document whole, naming every problem, and changes nothing", async () => {
    const before = sb.admin.exportIam(DEV);
    const doc = mesh();
    const role = doc.accounts[0]!.roles![0]!;
    role.inlinePolicies!.deploy!.Statement = [{ Effect: "allow", Action: "ecs:UpdateService", Resource: "*" }];
    role.inlinePolicies!.extra = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: "ecs:ListServices", Resource: "*" }],
    };
    role.trustPolicy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:role/no-such-role" }, Action: "sts:AssumeRole" }],
    };
    doc.accounts.push({ account: "999999999999", roles: [] });
    doc.accounts[1]!.repositoryPolicies![0]!.repository = "shop/nope";
    const res = await admin("POST", "iam/apply", doc);
    expect(res.status).toBe(400);
    const error = (res.json as { error: string }).error;
    for (const problem of [
      "account 222222222222 role deployer inline policy deploy: MalformedPolicyDocument: Statement[0]: Effect must be Allow or Deny",
      "account 222222222222 role deployer inline policy extra: MalformedPolicyDocument: Statement[0]: Policy document should not specify a principal",
      'account 222222222222 role deployer trustPolicy: MalformedPolicyDocument: Invalid principal in policy: "AWS":"arn:aws:iam::111111111111:role/no-such-role"',
      "account 999999999999: not an account of this sandbox",
      "account 111111111111 repository eu-west-1/shop/nope: RepositoryNotFoundException: no such repository",
    ]) {
      expect(error).toContain(problem);
    }
    expect(sb.admin.exportIam(DEV)).toEqual(before);
    // A role named in the same document may be a trust principal.
    const ok = mesh();
    ok.accounts[0]!.roles!.push({
      name: "trusts-deployer",
      trustPolicy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${DEV}:role/deployer` }, Action: "sts:AssumeRole" }],
      },
    });
    expect(sb.admin.applyIam(ok).applied).toContain(`${DEV} role trusts-deployer`);
  });
});
