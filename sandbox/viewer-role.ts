// The read-only "fleet viewer" role of a deploy-target account (issue 18): what `plan`, `check`,
// `status`, `drift` and the preflight reads use instead of the deploy role. It may read what those
// commands read, and simulate the deploy role's (and the task role's) policies, nothing else: every
// write (RegisterTaskDefinition, UpdateService, TagResource, PassRole, …) is an implicit deny.
//
// Sources for the set of reads:
// - The AWS managed ReadOnlyAccess policy grants ecs:Describe*/List*, ecr:Describe*/BatchGet*/Get*,
//   iam:Get*/List*/Simulate*, ram:Get*/List*, servicediscovery:Get*/List*, logs:Describe*,
//   ssm:Describe*, secretsmanager:Describe*/List* (no GetSecretValue), kms:Describe*
//   (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html). The viewer
//   below is narrower: the named actions only, ECS/IAM reads limited to this account.
// - Simulating another principal's policies needs iam:SimulatePrincipalPolicy on *that principal's
//   ARN* ("to give … Bob permission to simulate a policy that is assigned to … Alice, give Bob access
//   to … arn:aws:iam::777788889999:user/alice"), and works only for principals of the caller's own
//   account: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html
//   (services/iam.ts authorises it that way).
import type { PolicyStatement, RoleFixture } from "./fixture.js";

export const VIEWER_ROLE_NAME = "deployer-viewer";
export const DEFAULT_VIEWER_EXTERNAL_ID = "shop-viewer";

export interface ViewerRoleInput {
  account: string;
  region: string;
  /** Account trusted to assume it (arn:aws:iam::ACCOUNT:root), with `externalId`. */
  trustedAccount: string;
  externalId: string;
  family: string;
  /** Every family of the target's services (default [family]). */
  families?: string[];
  /** ECR repository names the service's images come from (any account). */
  repositories: string[];
  /** Role names it may simulate (the deploy role, the task role). */
  simulate: string[];
}

export function viewerRole(v: ViewerRoleInput): RoleFixture {
  const a = v.account;
  const statements: PolicyStatement[] = [
    {
      Sid: "EcsRead",
      Effect: "Allow",
      Action: ["ecs:Describe*", "ecs:List*"],
      Resource: [
        `arn:aws:ecs:${v.region}:${a}:cluster/*`,
        `arn:aws:ecs:${v.region}:${a}:service/*`,
        ...(v.families ?? [v.family]).map((f) => `arn:aws:ecs:${v.region}:${a}:task-definition/${f}:*`),
        `arn:aws:ecs:${v.region}:${a}:service-deployment/*`,
        `arn:aws:ecs:${v.region}:${a}:service-revision/*`,
        // DescribeTasks of one-off tasks (authorised on the task ARN: services/ecs-tasks.ts).
        `arn:aws:ecs:${v.region}:${a}:task/*`,
      ],
    },
    {
      // ListTasks: authorised on "*" with the ecs:cluster condition (services/ecs-tasks.ts; the ECS guide's example).
      Sid: "EcsListTasks",
      Effect: "Allow",
      Action: "ecs:ListTasks",
      Resource: "*",
      Condition: { ArnLike: { "ecs:cluster": `arn:aws:ecs:${v.region}:${a}:cluster/*` } },
    },
    {
      // Preflight of one-off tasks: do the service's subnets and security groups exist (no resource-level permissions).
      Sid: "Ec2NetworkRead",
      Effect: "Allow",
      Action: ["ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"],
      Resource: "*",
    },
    {
      // DescribeTaskDefinition / ListTaskDefinitions are authorised on "*" (services/ecs.ts).
      Sid: "EcsTaskDefinitionReads",
      Effect: "Allow",
      Action: ["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions"],
      Resource: "*",
    },
    {
      Sid: "IamRead",
      Effect: "Allow",
      Action: ["iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"],
      Resource: `arn:aws:iam::${a}:role/*`,
    },
    {
      Sid: "IamPolicyRead",
      Effect: "Allow",
      Action: ["iam:GetPolicy", "iam:GetPolicyVersion"],
      Resource: [`arn:aws:iam::${a}:policy/*`, "arn:aws:iam::aws:policy/*"],
    },
    {
      Sid: "SimulateDeployAndTaskRoles",
      Effect: "Allow",
      Action: "iam:SimulatePrincipalPolicy",
      Resource: v.simulate.map((name) => `arn:aws:iam::${a}:role/${name}`),
    },
    {
      // Cross-account Service Connect: is the namespace visible here, and which share/invitation.
      Sid: "CloudMapAndRamRead",
      Effect: "Allow",
      Action: [
        "servicediscovery:GetNamespace",
        "servicediscovery:ListNamespaces",
        "ram:GetResourceShares",
        "ram:GetResourceShareAssociations",
        "ram:GetResourceShareInvitations",
        "ram:ListResourceSharePermissions",
      ],
      Resource: "*",
    },
    {
      // Preflight reads of issue 13 (log groups, parameters and secrets exist, keys): metadata only,
      // never a secret's or a parameter's value.
      Sid: "PreflightMetadataRead",
      Effect: "Allow",
      Action: ["logs:DescribeLogGroups", "ssm:DescribeParameters", "secretsmanager:DescribeSecret", "kms:DescribeKey"],
      Resource: "*",
    },
    { Sid: "EcrRegistryRead", Effect: "Allow", Action: "ecr:DescribeRegistry", Resource: "*" },
  ];
  if (v.repositories.length > 0) {
    statements.push({
      Sid: "EcrRead",
      Effect: "Allow",
      Action: ["ecr:DescribeImages", "ecr:BatchGetImage", "ecr:DescribeRepositories", "ecr:GetRepositoryPolicy", "ecr:ListImages"],
      Resource: v.repositories.map((r) => `arn:aws:ecr:*:*:repository/${r}`),
    });
  }
  return {
    name: VIEWER_ROLE_NAME,
    description: "Read-only: what plan, check, status, drift and the preflight reads need; simulates the deploy role.",
    trustPolicy: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${v.trustedAccount}:root` },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": v.externalId } },
        },
        // Session tags (the run id), as for the deploy role.
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${v.trustedAccount}:root` }, Action: "sts:TagSession" },
      ],
    },
    inlinePolicies: { read: { Version: "2012-10-17", Statement: statements } },
  };
}
