// SCPs and permissions boundaries in real evaluation (AssumeRole, PassRole at RegisterTaskDefinition,
// any call) and in SimulatePrincipalPolicy (OrganizationsDecisionDetail,
// PermissionsBoundaryDecisionDetail, MissingContextValues, ResourceSpecificResults) as IAM's simulator
// answers since 2026-07-30.
import { afterEach, describe, expect, it } from "vitest";
import { RegisterTaskDefinitionCommand, DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { SimulatePrincipalPolicyCommand, type ContextEntry } from "@aws-sdk/client-iam";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import type { PolicyDocument } from "../../sandbox/fixture.js";
import { assumeDeployer, clients, rejection } from "./clients.js";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

const DEV = "222222222222";
const PASS_CTX: ContextEntry[] = [
  { ContextKeyName: "iam:PassedToService", ContextKeyType: "string", ContextKeyValues: ["ecs-tasks.amazonaws.com"] },
];
const DENY_PASSROLE: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "NoPassingRoles", Effect: "Deny", Action: "iam:PassRole", Resource: "*" }],
};

function taskDef(family = "shop-api-dev") {
  return {
    family,
    taskRoleArn: `arn:aws:iam::${DEV}:role/shop-api-task`,
    executionRoleArn: `arn:aws:iam::${DEV}:role/shop-api-exec`,
    networkMode: "awsvpc" as const,
    requiresCompatibilities: ["FARGATE" as const],
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app", image: "public.ecr.aws/docker/library/nginx:stable" }],
  };
}

function simulate(s: Sandbox, input: { actions: string[]; resources?: string[]; context?: ContextEntry[] }) {
  return assumeDeployer(s, DEV).then((dev) =>
    dev.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${DEV}:role/deployer`,
        ActionNames: input.actions,
        ResourceArns: input.resources,
        ContextEntries: input.context,
      }),
    ),
  );
}

describe("sandbox: SCPs", () => {
  it("an SCP denying iam:PassRole refuses RegisterTaskDefinition (explicit deny in a service control policy) and the simulator names it", async () => {
    sb = await startSandbox({ port: 0 });
    const dev = await assumeDeployer(sb, DEV);
    await dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef())); // allowed before
    sb.admin.setServiceControlPolicies({
      account: DEV,
      organization: { serviceControlPolicies: [{ name: "NoPassRole", document: DENY_PASSROLE }] },
    });
    const err = await rejection(dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef())));
    expect(err.name).toBe("AccessDeniedException");
    expect(err.message).toBe(
      `User: arn:aws:sts::${DEV}:assumed-role/deployer/deployer-test is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${DEV}:role/shop-api-task with an explicit deny in a service control policy`,
    );

    const out = await simulate(sb, { actions: ["iam:PassRole"], resources: [`arn:aws:iam::${DEV}:role/shop-api-task`], context: PASS_CTX });
    const r = out.EvaluationResults![0]!;
    // Since 2026-07-30 an explicit SCP Deny is explicitDeny (before, implicitDeny); SCP statements are not in MatchedStatements.
    expect(r.EvalDecision).toBe("explicitDeny");
    expect(r.OrganizationsDecisionDetail).toEqual({ AllowedByOrganizations: false });
    expect(r.ResourceSpecificResults![0]!.EvalResourceDecision).toBe("explicitDeny");
    expect(r.MatchedStatements!.map((m) => [m.SourcePolicyId, m.SourcePolicyType])).toEqual([["deploy", "role"]]);
  });

  it("an allow-list SCP without the action (FullAWSAccess detached): implicitDeny with AllowedByOrganizations false; the identity allow is matched", async () => {
    sb = await startSandbox({ port: 0 });
    sb.admin.setServiceControlPolicies({
      account: DEV,
      organization: {
        fullAWSAccess: false,
        serviceControlPolicies: [
          {
            name: "OnlyEcs",
            document: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: ["ecs:*", "sts:*", "iam:Simulate*", "iam:Get*"], Resource: "*" }],
            },
          },
        ],
      },
    });
    const out = await simulate(sb, {
      actions: ["iam:PassRole", "ecs:UpdateService"],
      resources: [`arn:aws:iam::${DEV}:role/shop-api-task`, `arn:aws:ecs:eu-west-1:${DEV}:service/shop-dev/api`],
      context: PASS_CTX,
    });
    const [pass, update] = out.EvaluationResults!;
    expect(pass!.EvalDecision).toBe("implicitDeny");
    expect(pass!.OrganizationsDecisionDetail).toEqual({ AllowedByOrganizations: false });
    expect(pass!.ResourceSpecificResults![0]).toMatchObject({ EvalResourceDecision: "implicitDeny" });
    expect(pass!.MatchedStatements!.length).toBeGreaterThan(0); // the identity policy does allow it
    expect(update!.ResourceSpecificResults!.map((x) => x.EvalResourceDecision)).toEqual(["implicitDeny", "allowed"]);
    expect(update!.OrganizationsDecisionDetail).toEqual({ AllowedByOrganizations: true });
  });

  it("the CI account's SCP applies to sts:AssumeRole into a target account", async () => {
    sb = await startSandbox({ port: 0 });
    sb.admin.setServiceControlPolicies({
      account: "111111111111",
      organization: {
        serviceControlPolicies: [
          {
            name: "NoProd",
            document: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Deny", Action: "sts:AssumeRole", Resource: "arn:aws:iam::444444444444:role/*" }],
            },
          },
        ],
      },
    });
    const ci = clients(sb, sb.credentials);
    const err = await rejection(
      ci.sts.send(
        new AssumeRoleCommand({
          RoleArn: "arn:aws:iam::444444444444:role/deployer",
          RoleSessionName: "blocked",
          ExternalId: "shop-deployer-prod-eu",
        }),
      ),
    );
    expect(err.name).toBe("AccessDenied");
    expect(err.message).toContain("is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/deployer");
    await assumeDeployer(sb, DEV); // another account is not affected
    sb.admin.setServiceControlPolicies({ account: "111111111111", organization: null });
    await assumeDeployer(sb, "444444444444");
  });
});

describe("sandbox: permissions boundaries", () => {
  it("a boundary without ecs:RegisterTaskDefinition refuses it for real and in simulation (PermissionsBoundaryDecisionDetail)", async () => {
    sb = await startSandbox({ port: 0 });
    const arn = sb.admin.setPermissionsBoundary({
      account: DEV,
      role: "deployer",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ecs:Describe*", "iam:*", "sts:*"], Resource: "*" }] },
    });
    expect(arn).toBe(`arn:aws:iam::${DEV}:policy/deployer-boundary`);
    const dev = await assumeDeployer(sb, DEV);
    await dev.ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] }));
    const err = await rejection(dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef())));
    expect(err.message).toBe(
      `User: arn:aws:sts::${DEV}:assumed-role/deployer/deployer-test is not authorized to perform: ecs:RegisterTaskDefinition on resource: arn:aws:ecs:eu-west-1:${DEV}:task-definition/shop-api-dev:2 because no permissions boundary allows the ecs:RegisterTaskDefinition action`,
    );
    const out = await simulate(sb, {
      actions: ["ecs:RegisterTaskDefinition", "iam:PassRole"],
      resources: [`arn:aws:ecs:eu-west-1:${DEV}:task-definition/shop-api-dev:2`],
      context: PASS_CTX,
    });
    const [register] = out.EvaluationResults!;
    expect(register!.EvalDecision).toBe("implicitDeny");
    expect(register!.PermissionsBoundaryDecisionDetail).toEqual({ AllowedByPermissionsBoundary: false });
    expect(register!.ResourceSpecificResults![0]!.PermissionsBoundaryDecisionDetail).toEqual({ AllowedByPermissionsBoundary: false });
    expect(register!.OrganizationsDecisionDetail).toBeUndefined(); // not in an organization
    sb.admin.setPermissionsBoundary({ account: DEV, role: "deployer", policyArn: null });
    await dev.ecs.send(new RegisterTaskDefinitionCommand(taskDef()));
  });
});

describe("sandbox: MissingContextValues", () => {
  it("keys the simulator cannot know are evaluated as absent and listed (top level for *, per resource otherwise)", async () => {
    sb = await startSandbox({ port: 0 });
    sb.admin.putRolePolicy({
      account: DEV,
      role: "deployer",
      name: "abac",
      document: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "ecs:ListClusters",
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceVpce": "vpce-0123", "aws:PrincipalTag/team": "shop" } },
          },
          {
            Effect: "Allow",
            Action: "iam:GetRole",
            Resource: "*",
            Condition: { StringEquals: { "iam:ResourceTag/app": "shop" }, IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
          },
        ],
      },
    });
    const wildcard = (await simulate(sb, { actions: ["ecs:ListClusters"] })).EvaluationResults![0]!;
    expect(wildcard.EvalResourceName).toBe("*");
    expect(wildcard.EvalDecision).toBe("implicitDeny");
    expect(wildcard.MissingContextValues).toEqual(["aws:SourceVpce", "aws:PrincipalTag/team"]);
    expect(wildcard.ResourceSpecificResults).toBeUndefined();

    const arn = `arn:aws:iam::${DEV}:role/shop-api-task`;
    const scoped = (await simulate(sb, { actions: ["iam:GetRole"], resources: [arn] })).EvaluationResults![0]!;
    expect(scoped.MissingContextValues).toEqual([]);
    expect(scoped.ResourceSpecificResults![0]!.MissingContextValues).toEqual(["iam:ResourceTag/app", "aws:SourceIp"]);

    // Given, they are no longer missing, and the decision follows them.
    const given = (
      await simulate(sb, {
        actions: ["iam:GetRole"],
        resources: [arn],
        context: [
          { ContextKeyName: "iam:ResourceTag/app", ContextKeyType: "string", ContextKeyValues: ["shop"] },
          { ContextKeyName: "aws:SourceIp", ContextKeyType: "ip", ContextKeyValues: ["10.1.2.3"] },
        ],
      })
    ).EvaluationResults![0]!;
    expect(given.ResourceSpecificResults![0]).toMatchObject({ MissingContextValues: [] });
    expect(given.EvalDecision).toBe("allowed"); // also allowed by deployer-iam-read
  });
});
