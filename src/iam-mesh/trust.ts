// The trust policies of the mesh: who may assume each role.
//
// - CI roles trust GitHub's OIDC provider for this repository only (the `sub` claim), per job kind:
//   `repo:OWNER/REPO:pull_request` for the plan role; `repo:OWNER/REPO:ref:refs/heads/BRANCH` and
//   `repo:OWNER/REPO:environment:NAME` for the deploy role. A job with an `environment:` gets the
//   environment form *instead of* the branch or pull_request form; repositories created (renamed,
//   transferred) after 2026-07-15 use the immutable form `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`
//   (https://docs.github.com/en/actions/reference/security/oidc, github/docs@051718f2). The audience is
//   `sts.amazonaws.com` (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub).
// - Deploy, viewer and registry roles trust the CI account with a condition on aws:PrincipalArn (the CI
//   role ARNs) and the ExternalId. Not the CI role ARN as Principal: IAM stores a role principal as the
//   role's unique id, so a CI role deleted and created again would silently stop matching, and a
//   StackSet instance would fail when the CI role does not exist yet; aws:PrincipalArn in a condition
//   is compared as written (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles).
//   sts:TagSession has a statement of its own: sts:ExternalId is not one of its condition keys
//   (Service Authorization Reference, AWS STS: TagSession).
// - Task and execution roles trust ecs-tasks.amazonaws.com with aws:SourceAccount = their account, as
//   the issue asks and the ECS guide recommends against the confused deputy for the task role ("It is
//   recommended that you use the aws:SourceAccount or aws:SourceArn condition keys … in the trust
//   relationship", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
//   For the execution role the ECS guide shows the trust bare
//   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html) and no
//   AWS source says whether ECS sets aws:SourceAccount when it assumes it: where sources are silent the
//   stricter policy is generated, the same one deployer's preflight evaluates (checks/role-trust.ts
//   evaluates both roles with the target's aws:SourceAccount and recommends ecsTrustStatement for both)
//   and the sandbox checks at registration (sandbox/services/ecs.ts).
// - The ECS task principal is ecs-tasks.amazonaws.com in every partition: AWS's managed policies
//   condition iam:PassedToService on it without a .cn variant (AmazonECS_FullAccess v21). For aws-cn
//   this is unverified (no source states it) and `deployer iam` says so.
import type { PolicyDocument, PolicyStatement } from "../aws/ports.js";
import { accountRootArn } from "../config/aws-names.js";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com";

export interface GithubRepository {
  /** owner/name */
  repository: string;
  /** Numeric ids, for repositories that use the immutable `sub` form. */
  ids?: { owner: string; repository: string };
}

/** `repo:OWNER/REPO` or `repo:OWNER@ID/REPO@ID`. */
function subjectPrefix(gh: GithubRepository): string {
  const [owner, name] = gh.repository.split("/") as [string, string];
  return gh.ids ? `repo:${owner}@${gh.ids.owner}/${name}@${gh.ids.repository}` : `repo:${owner}/${name}`;
}

// GitHub escapes ":" inside the values of the sub claim as %3A (docs above).
const claimValue = (s: string) => s.replace(/:/g, "%3A");

export function pullRequestSubject(gh: GithubRepository): string {
  return `${subjectPrefix(gh)}:pull_request`;
}

export function branchSubject(gh: GithubRepository, branch: string): string {
  return `${subjectPrefix(gh)}:ref:refs/heads/${claimValue(branch)}`;
}

export function environmentSubject(gh: GithubRepository, environment: string): string {
  return `${subjectPrefix(gh)}:environment:${claimValue(environment)}`;
}

export function githubOidcProviderArn(account: string, partition: string): string {
  return `arn:${partition}:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

/** A CI role's trust: GitHub OIDC, this audience, exactly these subjects. */
export function githubTrust(providerArn: string, audience: string, subjects: string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActions",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: audience,
            [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0]! : subjects,
          },
        },
      },
    ],
  };
}

/** A role assumed by deployer from the CI roles (deploy, viewer, registry role). */
export function ciRolesTrust(o: { ciAccount: string; ciRegion: string; principals: string[]; externalIds: string[] }): PolicyDocument {
  const principal = { AWS: accountRootArn(o.ciAccount, o.ciRegion) };
  const who = { ArnEquals: { "aws:PrincipalArn": one(o.principals) } };
  const assume: PolicyStatement = {
    Sid: "AssumeFromDeployerCi",
    Effect: "Allow",
    Principal: principal,
    Action: "sts:AssumeRole",
    Condition: o.externalIds.length > 0 ? { StringEquals: { "sts:ExternalId": one(o.externalIds) }, ...who } : who,
  };
  const tag: PolicyStatement = {
    Sid: "TagSessionFromDeployerCi",
    Effect: "Allow",
    Principal: principal,
    Action: "sts:TagSession",
    Condition: who,
  };
  return { Version: "2012-10-17", Statement: [assume, tag] };
}

/** ECS tasks of `sourceAccount` (task and execution roles). */
export function ecsTasksTrust(sourceAccount: string): PolicyDocument {
  const s: PolicyStatement = {
    Sid: "EcsTasks",
    Effect: "Allow",
    Principal: { Service: ECS_TASKS_PRINCIPAL },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } },
  };
  return { Version: "2012-10-17", Statement: [s] };
}

function one(values: string[]): string | string[] {
  return values.length === 1 ? values[0]! : values;
}
