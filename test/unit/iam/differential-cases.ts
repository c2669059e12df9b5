// The battery of requests run through deployer's evaluator and through @cloud-copilot/iam-simulate.
// Each case also states the decision we expect, so agreement on a wrong answer cannot pass.
import type { PolicyDocument, PolicyStatement } from "../../../src/aws/ports.js";

export type Expected = "allowed" | "explicitDeny" | "implicitDeny";

export interface IdentityCase {
  kind: "identity";
  name: string;
  policies: PolicyDocument[];
  boundary?: PolicyDocument;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  expected: Expected;
}

export interface ResourceCase {
  kind: "resource" | "trust";
  name: string;
  policy: PolicyDocument;
  /** The calling principal: an IAM ARN (cross-account to the resource) or a service principal. */
  principal: { type: "AWS" | "Service"; id: string };
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  expected: Expected;
}

export type DifferentialCase = IdentityCase | ResourceCase;

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });

const DEPLOY = "arn:aws:iam::222222222222:role/deployer";
const TASK_ROLE = "arn:aws:iam::222222222222:role/shop-api-task";
const EXEC_ROLE = "arn:aws:iam::222222222222:role/shop-api-exec";
const OTHER_ROLE = "arn:aws:iam::222222222222:role/admin";
const ECS = "ecs-tasks.amazonaws.com";
const REPO = "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api";
const PULLER = "arn:aws:iam::333333333333:role/shop-api-exec";
const TASK_SOURCE = "arn:aws:ecs:eu-west-1:222222222222:task/shop-dev/0123456789abcdef0123456789abcdef";
const CI_ROLE = "arn:aws:iam::111111111111:role/github-ci";
const passCtx = { "iam:PassedToService": ECS };

const passRole = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: "Allow",
  Action: "iam:PassRole",
  Resource: TASK_ROLE,
  ...extra,
});

const pass = (name: string, policies: PolicyDocument[], expected: Expected, opts: Partial<IdentityCase> = {}): IdentityCase => ({
  kind: "identity",
  name,
  policies,
  action: "iam:PassRole",
  resource: TASK_ROLE,
  context: passCtx,
  expected,
  ...opts,
});

const ecrPull = (name: string, policy: PolicyDocument, expected: Expected, opts: Partial<ResourceCase> = {}): ResourceCase => ({
  kind: "resource",
  name,
  policy,
  principal: { type: "AWS", id: PULLER },
  action: "ecr:BatchGetImage",
  resource: REPO,
  context: { "aws:PrincipalAccount": "333333333333" },
  expected,
  ...opts,
});

const trust = (name: string, policy: PolicyDocument, expected: Expected, opts: Partial<ResourceCase> = {}): ResourceCase => ({
  kind: "trust",
  name,
  policy,
  principal: { type: "Service", id: ECS },
  action: "sts:AssumeRole",
  resource: TASK_ROLE,
  context: { "aws:SourceAccount": "222222222222", "aws:SourceArn": TASK_SOURCE },
  expected,
  ...opts,
});

const ecsTrust = (Condition?: PolicyStatement["Condition"]): PolicyStatement => ({
  Effect: "Allow",
  Principal: { Service: ECS },
  Action: "sts:AssumeRole",
  ...(Condition ? { Condition } : {}),
});

export const CASES: DifferentialCase[] = [
  // ---------- identity: iam:PassRole ----------
  pass("exact PassRole allow", [doc(passRole())], "allowed"),
  pass("no statement: implicit deny", [doc({ Effect: "Allow", Action: "ecs:UpdateService", Resource: "*" })], "implicitDeny"),
  pass("action wildcard iam:Pass*", [doc(passRole({ Action: "iam:Pass*" }))], "allowed"),
  pass("action case-insensitive IAM:passrole", [doc(passRole({ Action: "IAM:passrole" }))], "allowed"),
  pass("action ? wildcard iam:PassRol?", [doc(passRole({ Action: "iam:PassRol?" }))], "allowed"),
  pass("action * allows everything", [doc({ Effect: "Allow", Action: "*", Resource: "*" })], "allowed"),
  pass("resource wildcard role/shop-*", [doc(passRole({ Resource: "arn:aws:iam::222222222222:role/shop-*" }))], "allowed"),
  pass("resource is case-sensitive", [doc(passRole({ Resource: "arn:aws:iam::222222222222:role/SHOP-API-TASK" }))], "implicitDeny"),
  pass("resource ? wildcard", [doc(passRole({ Resource: "arn:aws:iam::222222222222:role/shop-api-tas?" }))], "allowed"),
  pass("resource for another role only", [doc(passRole({ Resource: OTHER_ROLE }))], "implicitDeny"),
  pass(
    "Deny wins over Allow in the same policy",
    [doc(passRole(), { Effect: "Deny", Action: "iam:PassRole", Resource: "*" })],
    "explicitDeny",
  ),
  pass("Deny in a second policy wins", [doc(passRole()), doc({ Effect: "Deny", Action: "iam:*", Resource: TASK_ROLE })], "explicitDeny"),
  pass("NotAction allow covers PassRole", [doc({ Effect: "Allow", NotAction: "ecs:*", Resource: "*" })], "allowed"),
  pass(
    "NotAction excluding iam:* does not",
    [doc({ Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" })],
    "implicitDeny",
  ),
  pass(
    "Deny NotAction (everything but ecs) denies PassRole",
    [doc(passRole(), { Effect: "Deny", NotAction: "ecs:*", Resource: "*" })],
    "explicitDeny",
  ),
  pass("NotResource allow excludes the role", [doc({ Effect: "Allow", Action: "iam:PassRole", NotResource: TASK_ROLE })], "implicitDeny"),
  pass("NotResource allow includes other roles", [doc({ Effect: "Allow", Action: "iam:PassRole", NotResource: OTHER_ROLE })], "allowed"),
  pass("PassedToService StringEquals matches", [doc(passRole({ Condition: { StringEquals: { "iam:PassedToService": ECS } } }))], "allowed"),
  pass(
    "PassedToService for lambda only",
    [doc(passRole({ Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } }))],
    "implicitDeny",
  ),
  pass(
    "PassedToService values OR together",
    [doc(passRole({ Condition: { StringEquals: { "iam:PassedToService": ["lambda.amazonaws.com", ECS] } } }))],
    "allowed",
  ),
  pass(
    "PassedToService StringLike ecs*",
    [doc(passRole({ Condition: { StringLike: { "iam:PassedToService": "ecs*.amazonaws.com" } } }))],
    "allowed",
  ),
  pass("condition key is case-insensitive", [doc(passRole({ Condition: { StringEquals: { "IAM:PASSEDTOSERVICE": ECS } } }))], "allowed"),
  pass(
    "StringEquals value is case-sensitive",
    [doc(passRole({ Condition: { StringEquals: { "iam:PassedToService": "ECS-TASKS.amazonaws.com" } } }))],
    "implicitDeny",
  ),
  pass(
    "StringEqualsIgnoreCase value",
    [doc(passRole({ Condition: { StringEqualsIgnoreCase: { "iam:PassedToService": "ECS-TASKS.amazonaws.com" } } }))],
    "allowed",
  ),
  pass(
    "Deny unless PassedToService is ecs (StringNotEquals)",
    [
      doc(passRole(), {
        Effect: "Deny",
        Action: "iam:PassRole",
        Resource: "*",
        Condition: { StringNotEquals: { "iam:PassedToService": ECS } },
      }),
    ],
    "allowed",
  ),
  pass(
    "Deny unless PassedToService is lambda",
    [
      doc(passRole(), {
        Effect: "Deny",
        Action: "iam:PassRole",
        Resource: "*",
        Condition: { StringNotEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
      }),
    ],
    "explicitDeny",
  ),
  pass(
    "StringNotLike deny on missing key applies",
    [
      doc(passRole(), {
        Effect: "Deny",
        Action: "iam:PassRole",
        Resource: "*",
        Condition: { StringNotLike: { "iam:PassedToService": "ecs*" } },
      }),
    ],
    "explicitDeny",
    { context: {} },
  ),
  pass(
    "missing key: StringEquals allow does not apply",
    [doc(passRole({ Condition: { StringEquals: { "iam:PassedToService": ECS } } }))],
    "implicitDeny",
    { context: {} },
  ),
  pass(
    "missing key: StringEqualsIfExists applies",
    [doc(passRole({ Condition: { StringEqualsIfExists: { "iam:PassedToService": ECS } } }))],
    "allowed",
    { context: {} },
  ),
  pass(
    "present key: StringEqualsIfExists compares",
    [doc(passRole({ Condition: { StringEqualsIfExists: { "iam:PassedToService": "lambda.amazonaws.com" } } }))],
    "implicitDeny",
  ),
  pass("Null true on a missing key", [doc(passRole({ Condition: { Null: { "iam:PassedToService": "true" } } }))], "allowed", {
    context: {},
  }),
  pass("Null false on a missing key", [doc(passRole({ Condition: { Null: { "iam:PassedToService": "false" } } }))], "implicitDeny", {
    context: {},
  }),
  pass(
    "two keys AND: one fails",
    [doc(passRole({ Condition: { StringEquals: { "iam:PassedToService": ECS, "aws:RequestedRegion": "us-east-1" } } }))],
    "implicitDeny",
    { context: { ...passCtx, "aws:RequestedRegion": "eu-west-1" } },
  ),
  pass(
    "two operators AND: both hold",
    [doc(passRole({ Condition: { StringEquals: { "iam:PassedToService": ECS }, StringLike: { "aws:RequestedRegion": "eu-*" } } }))],
    "allowed",
    { context: { ...passCtx, "aws:RequestedRegion": "eu-west-1" } },
  ),
  pass("Bool aws:SecureTransport true", [doc(passRole({ Condition: { Bool: { "aws:SecureTransport": "true" } } }))], "allowed", {
    context: { ...passCtx, "aws:SecureTransport": "true" },
  }),
  pass(
    "Bool deny on MultiFactorAuthPresent false",
    [doc(passRole(), { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } })],
    "explicitDeny",
    { context: { ...passCtx, "aws:MultiFactorAuthPresent": "false" } },
  ),
  pass(
    "BoolIfExists deny, key missing, applies",
    [
      doc(passRole(), {
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
      }),
    ],
    "explicitDeny",
  ),
  pass(
    "NumericLessThan MultiFactorAuthAge",
    [doc(passRole({ Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } } }))],
    "allowed",
    { context: { ...passCtx, "aws:MultiFactorAuthAge": "120" } },
  ),
  pass(
    "NumericGreaterThanEquals fails",
    [doc(passRole({ Condition: { NumericGreaterThanEquals: { "aws:MultiFactorAuthAge": "3600" } } }))],
    "implicitDeny",
    { context: { ...passCtx, "aws:MultiFactorAuthAge": "120" } },
  ),
  pass(
    "ForAnyValue:StringEquals on PrincipalTag list key",
    [doc(passRole({ Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["team", "env"] } } }))],
    "allowed",
    { context: { ...passCtx, "aws:TagKeys": ["env", "owner"] } },
  ),
  pass(
    "ForAnyValue:StringEquals none match",
    [doc(passRole({ Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["team"] } } }))],
    "implicitDeny",
    { context: { ...passCtx, "aws:TagKeys": ["env", "owner"] } },
  ),
  pass(
    "ForAllValues:StringEquals all in set",
    [doc(passRole({ Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "owner", "team"] } } }))],
    "allowed",
    { context: { ...passCtx, "aws:TagKeys": ["env", "owner"] } },
  ),
  pass(
    "ForAllValues:StringEquals one outside",
    [doc(passRole({ Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] } } }))],
    "implicitDeny",
    { context: { ...passCtx, "aws:TagKeys": ["env", "owner"] } },
  ),
  pass(
    "ForAllValues on a missing key is true",
    [doc(passRole({ Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] } } }))],
    "allowed",
  ),
  pass("permissions boundary allows", [doc(passRole())], "allowed", {
    boundary: doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }),
  }),
  pass("permissions boundary lacks PassRole", [doc(passRole())], "implicitDeny", {
    boundary: doc({ Effect: "Allow", Action: "ecs:*", Resource: "*" }),
  }),
  pass("permissions boundary denies", [doc(passRole())], "explicitDeny", {
    boundary: doc({ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", Action: "iam:PassRole", Resource: TASK_ROLE }),
  }),
  pass("boundary allow alone grants nothing", [doc({ Effect: "Allow", Action: "ecs:*", Resource: "*" })], "implicitDeny", {
    boundary: doc({ Effect: "Allow", Action: "*", Resource: "*" }),
  }),
  pass(
    "ArnLike on aws:PrincipalArn",
    [doc(passRole({ Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::222222222222:role/deploy*" } } }))],
    "allowed",
    { context: { ...passCtx, "aws:PrincipalArn": DEPLOY } },
  ),
  pass(
    "ArnNotEquals deny on aws:PrincipalArn",
    [
      doc(passRole(), {
        Effect: "Deny",
        Action: "iam:PassRole",
        Resource: "*",
        Condition: { ArnNotEquals: { "aws:PrincipalArn": DEPLOY } },
      }),
    ],
    "allowed",
    { context: { ...passCtx, "aws:PrincipalArn": DEPLOY } },
  ),
  pass(
    "policy variable in Resource",
    [doc(passRole({ Resource: "arn:aws:iam::222222222222:role/${aws:PrincipalTag/app}-task" }))],
    "allowed",
    { context: { ...passCtx, "aws:PrincipalTag/app": "shop-api" } },
  ),
  pass("execution role via list of resources", [doc(passRole({ Resource: [TASK_ROLE, EXEC_ROLE] }))], "allowed", { resource: EXEC_ROLE }),
  pass(
    "DateLessThan on aws:CurrentTime",
    [doc(passRole({ Condition: { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } } }))],
    "allowed",
    { context: { ...passCtx, "aws:CurrentTime": "2026-11-23T10:00:00Z" } },
  ),
  pass(
    "DateGreaterThan fails",
    [doc(passRole({ Condition: { DateGreaterThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } } }))],
    "implicitDeny",
    { context: { ...passCtx, "aws:CurrentTime": "2026-11-23T10:00:00Z" } },
  ),
  pass(
    "ForAnyValue:StringLike with wildcard",
    [doc(passRole({ Condition: { "ForAnyValue:StringLike": { "aws:TagKeys": ["own*"] } } }))],
    "allowed",
    { context: { ...passCtx, "aws:TagKeys": ["env", "owner"] } },
  ),
  pass(
    "ForAnyValue on a missing key is false",
    [doc(passRole({ Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["env"] } } }))],
    "implicitDeny",
  ),
  pass(
    "StringNotEqualsIfExists deny, key missing, applies",
    [
      doc(passRole(), {
        Effect: "Deny",
        Action: "iam:PassRole",
        Resource: "*",
        Condition: { StringNotEqualsIfExists: { "aws:RequestedRegion": "eu-west-1" } },
      }),
    ],
    "explicitDeny",
  ),
  pass(
    "StringNotEqualsIfExists deny, key present and equal, does not apply",
    [
      doc(passRole(), {
        Effect: "Deny",
        Action: "iam:PassRole",
        Resource: "*",
        Condition: { StringNotEqualsIfExists: { "aws:RequestedRegion": "eu-west-1" } },
      }),
    ],
    "allowed",
    { context: { ...passCtx, "aws:RequestedRegion": "eu-west-1" } },
  ),
  pass(
    "NumericEquals with a non-number never matches",
    [doc(passRole({ Condition: { NumericEquals: { "aws:MultiFactorAuthAge": "abc" } } }))],
    "implicitDeny",
    { context: { ...passCtx, "aws:MultiFactorAuthAge": "120" } },
  ),
  pass(
    "Deny with NotResource spares the listed role",
    [doc(passRole(), { Effect: "Deny", Action: "iam:PassRole", NotResource: [TASK_ROLE, EXEC_ROLE] })],
    "allowed",
  ),
  pass(
    "Deny with NotResource hits other roles",
    [doc(passRole({ Resource: "*" }), { Effect: "Deny", Action: "iam:PassRole", NotResource: EXEC_ROLE })],
    "explicitDeny",
  ),
  pass(
    "policy variable missing from context: no match",
    [doc(passRole({ Resource: "arn:aws:iam::222222222222:role/${aws:PrincipalTag/app}-task" }))],
    "implicitDeny",
  ),
  pass("multiple wildcards in Resource", [doc(passRole({ Resource: "arn:aws:iam::*:role/*-api-*" }))], "allowed"),

  // ---------- resource policy: ECR pull, cross-account ----------
  ecrPull(
    "account root grant",
    doc({
      Sid: "Pull",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::333333333333:root" },
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    }),
    "allowed",
  ),
  ecrPull("bare account id grant", doc({ Effect: "Allow", Principal: { AWS: "333333333333" }, Action: "ecr:BatchGetImage" }), "allowed"),
  ecrPull(
    "other account only",
    doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::444444444444:root" }, Action: "ecr:*" }),
    "implicitDeny",
  ),
  ecrPull("role ARN grant", doc({ Effect: "Allow", Principal: { AWS: PULLER }, Action: "ecr:BatchGetImage" }), "allowed"),
  ecrPull(
    "other role of the account",
    doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:role/other" }, Action: "ecr:BatchGetImage" }),
    "implicitDeny",
  ),
  ecrPull(
    "grant without BatchGetImage",
    doc({ Effect: "Allow", Principal: { AWS: "333333333333" }, Action: "ecr:GetDownloadUrlForLayer" }),
    "implicitDeny",
  ),
  ecrPull(
    "ecr:* wildcard grant",
    doc({ Effect: "Allow", Principal: { AWS: ["arn:aws:iam::444444444444:root", "arn:aws:iam::333333333333:root"] }, Action: "ecr:*" }),
    "allowed",
  ),
  ecrPull("Principal * grant", doc({ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }), "allowed"),
  ecrPull("Principal AWS * grant", doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "ecr:BatchGetImage" }), "allowed"),
  ecrPull(
    "PrincipalOrgID grant, same org",
    doc({
      Effect: "Allow",
      Principal: "*",
      Action: "ecr:BatchGetImage",
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    }),
    "allowed",
    { context: { "aws:PrincipalAccount": "333333333333", "aws:PrincipalOrgID": "o-abc123" } },
  ),
  ecrPull(
    "PrincipalOrgID grant, other org",
    doc({
      Effect: "Allow",
      Principal: "*",
      Action: "ecr:BatchGetImage",
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    }),
    "implicitDeny",
    { context: { "aws:PrincipalAccount": "333333333333", "aws:PrincipalOrgID": "o-zzz999" } },
  ),
  ecrPull(
    "PrincipalOrgID grant, org unknown",
    doc({
      Effect: "Allow",
      Principal: "*",
      Action: "ecr:BatchGetImage",
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    }),
    "implicitDeny",
  ),
  ecrPull(
    "Deny for the account wins",
    doc(
      { Effect: "Allow", Principal: "*", Action: "ecr:*" },
      { Effect: "Deny", Principal: { AWS: "333333333333" }, Action: "ecr:BatchGetImage" },
    ),
    "explicitDeny",
  ),
  ecrPull(
    "NotPrincipal deny spares the named account",
    doc(
      { Effect: "Allow", Principal: { AWS: "333333333333" }, Action: "ecr:*" },
      { Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::333333333333:root" }, Action: "ecr:*" },
    ),
    "allowed",
  ),
  ecrPull(
    "NotPrincipal deny hits other accounts",
    doc(
      { Effect: "Allow", Principal: { AWS: "333333333333" }, Action: "ecr:*" },
      { Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::444444444444:root" }, Action: "ecr:*" },
    ),
    "explicitDeny",
  ),
  ecrPull(
    "PrincipalAccount condition grant",
    doc({
      Effect: "Allow",
      Principal: "*",
      Action: "ecr:BatchGetImage",
      Condition: { StringEquals: { "aws:PrincipalAccount": ["333333333333", "444444444444"] } },
    }),
    "allowed",
  ),
  ecrPull(
    "Service principal does not grant an account",
    doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "ecr:BatchGetImage" }),
    "implicitDeny",
  ),
  ecrPull(
    "role ARN grant matches the role's assumed-role session",
    doc({ Effect: "Allow", Principal: { AWS: PULLER }, Action: "ecr:BatchGetImage" }),
    "allowed",
    { principal: { type: "AWS", id: "arn:aws:sts::333333333333:assumed-role/shop-api-exec/ecs-task-1" } },
  ),
  ecrPull(
    "account grant matches an assumed-role session of the account",
    doc({ Effect: "Allow", Principal: { AWS: "333333333333" }, Action: "ecr:BatchGetImage" }),
    "allowed",
    { principal: { type: "AWS", id: "arn:aws:sts::333333333333:assumed-role/shop-api-exec/ecs-task-1" } },
  ),
  ecrPull(
    "ForAnyValue:StringLike on aws:PrincipalOrgPaths",
    doc({
      Effect: "Allow",
      Principal: "*",
      Action: "ecr:BatchGetImage",
      Condition: { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-abc123/r-ab12/ou-ab12-prod*" } },
    }),
    "allowed",
    { context: { "aws:PrincipalOrgPaths": ["o-abc123/r-ab12/ou-ab12-prod1/"] } },
  ),
  ecrPull(
    "GetDownloadUrlForLayer via NotAction",
    doc({ Effect: "Allow", Principal: { AWS: "333333333333" }, NotAction: "ecr:Put*" }),
    "allowed",
    { action: "ecr:GetDownloadUrlForLayer" },
  ),

  // ---------- trust policies ----------
  trust("plain ecs-tasks trust", doc(ecsTrust()), "allowed"),
  trust(
    "trust for another service",
    doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }),
    "implicitDeny",
  ),
  trust(
    "service list includes ecs-tasks",
    doc({ Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com", ECS] }, Action: "sts:AssumeRole" }),
    "allowed",
  ),
  trust("trust without sts:AssumeRole", doc({ Effect: "Allow", Principal: { Service: ECS }, Action: "sts:TagSession" }), "implicitDeny"),
  trust("SourceAccount matches", doc(ecsTrust({ StringEquals: { "aws:SourceAccount": "222222222222" } })), "allowed"),
  trust("SourceAccount of another account", doc(ecsTrust({ StringEquals: { "aws:SourceAccount": "999999999999" } })), "implicitDeny"),
  trust(
    "SourceArn ArnLike task ARN of the account",
    doc(ecsTrust({ ArnLike: { "aws:SourceArn": "arn:aws:ecs:*:222222222222:*" } })),
    "allowed",
  ),
  trust(
    "SourceArn ArnLike other region",
    doc(ecsTrust({ ArnLike: { "aws:SourceArn": "arn:aws:ecs:us-east-1:222222222222:*" } })),
    "implicitDeny",
  ),
  trust(
    "SourceAccount + SourceArn both",
    doc(
      ecsTrust({
        StringEquals: { "aws:SourceAccount": "222222222222" },
        ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:task/*" },
      }),
    ),
    "allowed",
  ),
  trust(
    "StringLike SourceArn wrong cluster",
    doc(ecsTrust({ StringLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:task/other/*" } })),
    "implicitDeny",
  ),
  trust(
    "Deny for ecs-tasks wins",
    doc(ecsTrust(), { Effect: "Deny", Principal: { Service: ECS }, Action: "sts:AssumeRole" }),
    "explicitDeny",
  ),
  trust("Principal * admits the service", doc({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }), "allowed"),
  trust("Principal AWS * and the service", doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }), "allowed"),
  trust(
    "NotPrincipal deny sparing ecs-tasks",
    doc(ecsTrust(), { Effect: "Deny", NotPrincipal: { Service: ECS }, Action: "sts:AssumeRole" }),
    "allowed",
  ),
  trust("ExternalId required of a service: no match", doc(ecsTrust({ StringEquals: { "sts:ExternalId": "abc" } })), "implicitDeny"),
  {
    kind: "trust",
    name: "deploy role trust: ExternalId matches",
    policy: doc({
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::111111111111:root" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "shop-deployer-dev" } },
    }),
    principal: { type: "AWS", id: CI_ROLE },
    action: "sts:AssumeRole",
    resource: DEPLOY,
    context: { "sts:ExternalId": "shop-deployer-dev" },
    expected: "allowed",
  },
  {
    kind: "trust",
    name: "deploy role trust: wrong ExternalId",
    policy: doc({
      Effect: "Allow",
      Principal: { AWS: CI_ROLE },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "shop-deployer-dev" } },
    }),
    principal: { type: "AWS", id: CI_ROLE },
    action: "sts:AssumeRole",
    resource: DEPLOY,
    context: { "sts:ExternalId": "wrong" },
    expected: "implicitDeny",
  },
  {
    kind: "trust",
    name: "deploy role trust: ExternalId missing",
    policy: doc({
      Effect: "Allow",
      Principal: { AWS: CI_ROLE },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "shop-deployer-dev" } },
    }),
    principal: { type: "AWS", id: CI_ROLE },
    action: "sts:AssumeRole",
    resource: DEPLOY,
    context: {},
    expected: "implicitDeny",
  },
];
