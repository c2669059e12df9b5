import { beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { createIamPort } from "../../../src/aws/sdk-iam.js";
import { roleNameOf } from "../../../src/config/aws-names.js";
import type { DeployerError } from "../../../src/errors.js";

const iamMock = mockClient(IAMClient);
const port = createIamPort(new IAMClient({ region: "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } }), {
  target: "dev",
  account: "222222222222",
});

const trust = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": "222222222222" },
        ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:*" },
      },
    },
  ],
};
/** What IAM really sends: RFC 3986 percent-encoding of the JSON. */
const encoded = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

beforeEach(() => iamMock.reset());

describe("roleNameOf", () => {
  it("takes the last path segment of a role ARN", () => {
    expect(roleNameOf("arn:aws:iam::222222222222:role/service-role/shop-task")).toBe("shop-task");
    expect(roleNameOf("arn:aws-cn:iam::222222222222:role/x")).toBe("x");
    expect(roleNameOf("shop-task")).toBe("shop-task");
  });
});

describe("getRole", () => {
  it("URL-decodes and parses the trust policy; accepts a role ARN", async () => {
    expect(encoded(trust)).toContain("%7B%22Version%22");
    iamMock.on(GetRoleCommand).resolves({
      Role: {
        Path: "/",
        RoleName: "shop-task",
        RoleId: "AROAEXAMPLE",
        Arn: "arn:aws:iam::222222222222:role/shop-task",
        CreateDate: new Date(0),
        AssumeRolePolicyDocument: encoded(trust),
        PermissionsBoundary: {
          PermissionsBoundaryType: "PermissionsBoundaryPolicy",
          PermissionsBoundaryArn: "arn:aws:iam::222222222222:policy/boundary",
        },
      },
    });
    const role = await port.getRole("arn:aws:iam::222222222222:role/shop-task");
    expect(iamMock.commandCalls(GetRoleCommand)[0]?.args[0].input).toEqual({ RoleName: "shop-task" });
    expect(role).toEqual({
      arn: "arn:aws:iam::222222222222:role/shop-task",
      name: "shop-task",
      trustPolicy: trust,
      permissionsBoundaryArn: "arn:aws:iam::222222222222:policy/boundary",
    });
  });

  it("keeps literal '+' and decodes %20 in documents", async () => {
    const doc = {
      Version: "2012-10-17",
      Statement: [{ Sid: "a b", Effect: "Allow", Principal: { AWS: "x+y" }, Action: "sts:AssumeRole" }],
    };
    const text = encodeURIComponent(JSON.stringify(doc)).replace(/%2B/g, "+");
    iamMock.on(GetRoleCommand).resolves({
      Role: {
        RoleName: "r",
        Arn: "arn:aws:iam::222222222222:role/r",
        Path: "/",
        RoleId: "x",
        CreateDate: new Date(0),
        AssumeRolePolicyDocument: text,
      },
    });
    expect((await port.getRole("r"))?.trustPolicy).toEqual(doc);
  });

  it("returns undefined for NoSuchEntity", async () => {
    iamMock
      .on(GetRoleCommand)
      .rejects(new NoSuchEntityException({ message: "The role with name nope cannot be found.", $metadata: { httpStatusCode: 404 } }));
    expect(await port.getRole("nope")).toBeUndefined();
  });

  it("maps AccessDenied on GetRole to ACCESS_DENIED naming the role", async () => {
    iamMock.on(GetRoleCommand).rejects(
      Object.assign(new Error("User is not authorized to perform: iam:GetRole"), {
        name: "AccessDenied",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const err = (await port.getRole("shop-task").catch((e: unknown) => e)) as DeployerError;
    expect(err).toMatchObject({
      code: "ACCESS_DENIED",
      action: "iam:GetRole",
      resource: "shop-task",
      target: "dev",
      account: "222222222222",
      awsCode: "AccessDenied",
    });
  });

  it("reports a trust policy that is not JSON", async () => {
    iamMock.on(GetRoleCommand).resolves({
      Role: {
        RoleName: "r",
        Arn: "arn:aws:iam::222222222222:role/r",
        Path: "/",
        RoleId: "x",
        CreateDate: new Date(0),
        AssumeRolePolicyDocument: "%7Bnot-json",
      },
    });
    await expect(port.getRole("r")).rejects.toMatchObject({
      code: "AWS_ERROR",
      action: "iam:GetRole",
      resource: "arn:aws:iam::222222222222:role/r",
      target: "dev",
    });
  });
});

describe("simulatePrincipalPolicy", () => {
  it("sends the context and maps results, following Marker pages", async () => {
    iamMock
      .on(SimulatePrincipalPolicyCommand)
      .resolvesOnce({
        IsTruncated: true,
        Marker: "m1",
        EvaluationResults: [
          {
            EvalActionName: "iam:PassRole",
            EvalResourceName: "arn:aws:iam::222222222222:role/shop-task",
            EvalDecision: "allowed",
            MatchedStatements: [
              { SourcePolicyId: "deploy-inline", SourcePolicyType: "role" },
              { SourcePolicyId: "deploy-inline", SourcePolicyType: "role" },
            ],
          },
        ],
      })
      .resolvesOnce({
        IsTruncated: false,
        EvaluationResults: [
          {
            EvalActionName: "iam:PassRole",
            EvalResourceName: "arn:aws:iam::222222222222:role/shop-exec",
            EvalDecision: "implicitDeny",
            MatchedStatements: [],
          },
        ],
      });
    const results = await port.simulatePrincipalPolicy(
      "arn:aws:iam::222222222222:role/deployer",
      ["iam:PassRole"],
      ["arn:aws:iam::222222222222:role/shop-task", "arn:aws:iam::222222222222:role/shop-exec"],
      [{ key: "iam:PassedToService", type: "string", values: ["ecs-tasks.amazonaws.com"] }],
    );
    const calls = iamMock.commandCalls(SimulatePrincipalPolicyCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toMatchObject({
      PolicySourceArn: "arn:aws:iam::222222222222:role/deployer",
      ActionNames: ["iam:PassRole"],
      ContextEntries: [{ ContextKeyName: "iam:PassedToService", ContextKeyType: "string", ContextKeyValues: ["ecs-tasks.amazonaws.com"] }],
    });
    expect(calls[0]?.args[0].input.Marker).toBeUndefined();
    expect(calls[1]?.args[0].input.Marker).toBe("m1");
    expect(results).toEqual([
      {
        action: "iam:PassRole",
        resource: "arn:aws:iam::222222222222:role/shop-task",
        decision: "allowed",
        matchedStatements: ["deploy-inline"],
        missingContextValues: [],
      },
      {
        action: "iam:PassRole",
        resource: "arn:aws:iam::222222222222:role/shop-exec",
        decision: "implicitDeny",
        matchedStatements: [],
        missingContextValues: [],
      },
    ]);
  });

  it("expands per-resource results when AWS groups them under one action", async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        {
          EvalActionName: "iam:PassRole",
          EvalResourceName: "*",
          EvalDecision: "implicitDeny",
          ResourceSpecificResults: [
            { EvalResourceName: "arn:r1", EvalResourceDecision: "allowed", MatchedStatements: [{ SourcePolicyId: "p1" }] },
            { EvalResourceName: "arn:r2", EvalResourceDecision: "explicitDeny", MatchedStatements: [{ SourcePolicyId: "deny" }] },
          ],
        },
      ],
    });
    const results = await port.simulatePrincipalPolicy("arn:role", ["iam:PassRole"], ["arn:r1", "arn:r2"], []);
    expect(results).toEqual([
      { action: "iam:PassRole", resource: "arn:r1", decision: "allowed", matchedStatements: ["p1"], missingContextValues: [] },
      { action: "iam:PassRole", resource: "arn:r2", decision: "explicitDeny", matchedStatements: ["deny"], missingContextValues: [] },
    ]);
  });

  // The shape IAM answers with since 2026-07-30 (botocore 1.43.60): one result per action, its
  // EvalResourceName an ARN template and its EvalDecision the worst over the resources; per resource
  // only in ResourceSpecificResults; OrganizationsDecisionDetail at the top level, boundary details
  // per resource, MissingContextValues per resource.
  it("reads the 2026 shape: per-resource decisions, SCP and boundary details, missing context per resource", async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        {
          EvalActionName: "iam:PassRole",
          EvalResourceName: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
          EvalDecision: "explicitDeny",
          MatchedStatements: [{ SourcePolicyId: "deploy", SourcePolicyType: "role" }],
          MissingContextValues: ["aws:SourceVpce"],
          OrganizationsDecisionDetail: { AllowedByOrganizations: false },
          PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
          ResourceSpecificResults: [
            {
              EvalResourceName: "arn:aws:iam::222222222222:role/task",
              EvalResourceDecision: "allowed",
              MatchedStatements: [{ SourcePolicyId: "deploy", SourcePolicyType: "role" }],
              MissingContextValues: [],
              PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: true },
            },
            {
              EvalResourceName: "arn:aws:iam::222222222222:role/exec",
              EvalResourceDecision: "explicitDeny",
              MatchedStatements: [],
              MissingContextValues: ["aws:SourceVpce"],
              PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
            },
          ],
        },
      ],
    });
    const results = await port.simulatePrincipalPolicy(
      "arn:role",
      ["iam:PassRole"],
      ["arn:aws:iam::222222222222:role/task", "arn:aws:iam::222222222222:role/exec"],
      [],
    );
    expect(results).toEqual([
      {
        action: "iam:PassRole",
        resource: "arn:aws:iam::222222222222:role/task",
        decision: "allowed",
        matchedStatements: ["deploy"],
        missingContextValues: [],
        allowedByOrganizations: true,
        allowedByPermissionsBoundary: true,
      },
      {
        action: "iam:PassRole",
        resource: "arn:aws:iam::222222222222:role/exec",
        decision: "explicitDeny",
        matchedStatements: [],
        missingContextValues: ["aws:SourceVpce"],
        allowedByOrganizations: false,
        allowedByPermissionsBoundary: false,
      },
    ]);
  });

  it('reads the 2026 shape without ResourceArns: the action\'s one result for "*", missing context at the top', async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        {
          EvalActionName: "ecr:GetAuthorizationToken",
          EvalResourceName: "*",
          EvalDecision: "implicitDeny",
          MatchedStatements: [],
          MissingContextValues: ["aws:PrincipalTag/team"],
        },
      ],
    });
    expect(await port.simulatePrincipalPolicy("arn:role", ["ecr:GetAuthorizationToken"], [], [])).toEqual([
      {
        action: "ecr:GetAuthorizationToken",
        resource: "*",
        decision: "implicitDeny",
        matchedStatements: [],
        missingContextValues: ["aws:PrincipalTag/team"],
      },
    ]);
  });

  it("maps a denied simulation to ACCESS_DENIED (callers fall back to local evaluation)", async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).rejects(
      Object.assign(new Error("not authorized to perform: iam:SimulatePrincipalPolicy"), {
        name: "AccessDenied",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(port.simulatePrincipalPolicy("arn:aws:iam::222222222222:role/deployer", ["iam:PassRole"], [], [])).rejects.toMatchObject({
      code: "ACCESS_DENIED",
      action: "iam:SimulatePrincipalPolicy",
      resource: "arn:aws:iam::222222222222:role/deployer",
    });
  });
});

describe("listInlinePolicies", () => {
  it("pages the names and decodes each document", async () => {
    const p1 = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:*", Resource: "*" }] };
    const p2 = {
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::222222222222:role/shop-*" },
    };
    iamMock
      .on(ListRolePoliciesCommand)
      .resolvesOnce({ PolicyNames: ["ecs"], IsTruncated: true, Marker: "next" })
      .resolvesOnce({ PolicyNames: ["pass"], IsTruncated: false });
    iamMock
      .on(GetRolePolicyCommand, { RoleName: "deployer", PolicyName: "ecs" })
      .resolves({ RoleName: "deployer", PolicyName: "ecs", PolicyDocument: encoded(p1) });
    iamMock
      .on(GetRolePolicyCommand, { RoleName: "deployer", PolicyName: "pass" })
      .resolves({ RoleName: "deployer", PolicyName: "pass", PolicyDocument: encoded(p2) });
    expect(await port.listInlinePolicies("arn:aws:iam::222222222222:role/deployer")).toEqual({ ecs: p1, pass: p2 });
    expect(iamMock.commandCalls(ListRolePoliciesCommand)[1]?.args[0].input).toEqual({ RoleName: "deployer", Marker: "next" });
  });

  it("throws ROLE_NOT_FOUND for a missing role", async () => {
    iamMock.on(ListRolePoliciesCommand).rejects(new NoSuchEntityException({ message: "no role", $metadata: {} }));
    await expect(port.listInlinePolicies("ghost")).rejects.toMatchObject({ code: "ROLE_NOT_FOUND", resource: "ghost", target: "dev" });
  });
});

describe("listAttachedPolicies", () => {
  it("reads each policy's default version, paginating the attachments", async () => {
    const a = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:UpdateService", Resource: "*" }] };
    const b = { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "iam:PassRole", Resource: "*" }] };
    const arnA = "arn:aws:iam::222222222222:policy/deploy-ecs";
    const arnB = "arn:aws:iam::aws:policy/SomeManaged";
    iamMock
      .on(ListAttachedRolePoliciesCommand)
      .resolvesOnce({ AttachedPolicies: [{ PolicyName: "deploy-ecs", PolicyArn: arnA }], IsTruncated: true, Marker: "p2" })
      .resolvesOnce({ AttachedPolicies: [{ PolicyName: "SomeManaged", PolicyArn: arnB }], IsTruncated: false });
    iamMock.on(GetPolicyCommand, { PolicyArn: arnA }).resolves({ Policy: { Arn: arnA, DefaultVersionId: "v3" } });
    iamMock.on(GetPolicyCommand, { PolicyArn: arnB }).resolves({ Policy: { Arn: arnB, DefaultVersionId: "v1" } });
    iamMock
      .on(GetPolicyVersionCommand, { PolicyArn: arnA, VersionId: "v3" })
      .resolves({ PolicyVersion: { VersionId: "v3", IsDefaultVersion: true, Document: encoded(a) } });
    iamMock
      .on(GetPolicyVersionCommand, { PolicyArn: arnB, VersionId: "v1" })
      .resolves({ PolicyVersion: { VersionId: "v1", IsDefaultVersion: true, Document: encoded(b) } });
    expect(await port.listAttachedPolicies("deployer")).toEqual({ [arnA]: a, [arnB]: b });
    expect(iamMock.commandCalls(ListAttachedRolePoliciesCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, "p2"]);
    expect(iamMock.commandCalls(GetPolicyVersionCommand).map((c) => c.args[0].input.VersionId)).toEqual(["v3", "v1"]);
  });

  it("names the policy when GetPolicyVersion is denied", async () => {
    const arn = "arn:aws:iam::222222222222:policy/x";
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: arn }] });
    iamMock.on(GetPolicyCommand).resolves({ Policy: { Arn: arn, DefaultVersionId: "v2" } });
    iamMock
      .on(GetPolicyVersionCommand)
      .rejects(Object.assign(new Error("denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }));
    await expect(port.listAttachedPolicies("deployer")).rejects.toMatchObject({
      code: "ACCESS_DENIED",
      action: "iam:GetPolicyVersion",
      resource: `${arn} (v2)`,
    });
  });
});

describe("getManagedPolicy", () => {
  it("reads the default version of a managed policy (a permissions boundary) and decodes it", async () => {
    const arn = "arn:aws:iam::222222222222:policy/deployer-boundary";
    const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:*", Resource: "*" }] };
    iamMock.on(GetPolicyCommand, { PolicyArn: arn }).resolves({ Policy: { Arn: arn, DefaultVersionId: "v3" } });
    iamMock
      .on(GetPolicyVersionCommand, { PolicyArn: arn, VersionId: "v3" })
      .resolves({ PolicyVersion: { Document: encodeURIComponent(JSON.stringify(doc)) } });
    expect(await port.getManagedPolicy!(arn)).toEqual(doc);
  });

  it("returns undefined when the policy does not exist", async () => {
    iamMock.on(GetPolicyCommand).rejects(new NoSuchEntityException({ message: "Policy not found", $metadata: {} }));
    expect(await port.getManagedPolicy!("arn:aws:iam::222222222222:policy/gone")).toBeUndefined();
  });
});
