// Check `image-pull`: the target can pull the image digest.
//  - With `imageRepository` (a replica in the target's account): the digest must be there
//    (ecr:DescribeImages as the deploy role).
//  - From the central repository: same account -> pass; otherwise its repository policy (read with
//    the base credentials or the registry role) must grant the target's execution role (ECS pulls
//    as it) ecr:BatchGetImage and ecr:GetDownloadUrlForLayer. A grant to a whole organisation
//    (aws:PrincipalOrgID) or to `*` passes with a warning: every account of the organisation (or
//    anyone) can pull. The execution role's own IAM policy must also allow pulling; that is not
//    checked here.
import type { PolicyDocument, PolicyStatement, RepositoryRef } from "../aws/ports.js";
import { isDeployerError, type DeployerError, errorMessage } from "../errors.js";
import { evaluateResourcePolicy, type RequestContext } from "../iam/evaluator.js";
import type { CheckContext } from "./context.js";
import { awsFailure, isAccessDenied, locationOf, targetError, verdict, whereWritten } from "./check-result.js";
import type { CheckResult } from "./check-result.js";
import { parseRepositoryUri, repositoryArn, accountRootArn } from "../config/aws-names.js";

export const IMAGE_PULL_CHECK = { id: "image-pull", title: "image digest is pullable from the target" } as const;

export const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] as const;

/** The repository-policy statement granting one account pull access, for hints. */
export function pullGrantStatement(account: string, region: string): Record<string, unknown> {
  return {
    Sid: `deployer-pull-${account}`,
    Effect: "Allow",
    Principal: { AWS: accountRootArn(account, region) },
    Action: [...PULL_ACTIONS],
  };
}

function parseRef(ctx: CheckContext, uri: string, field: string): RepositoryRef | DeployerError {
  try {
    return parseRepositoryUri(uri);
  } catch (e) {
    const why = errorMessage(e);
    const hint = isDeployerError(e) ? e.hint : undefined;
    return targetError(ctx.target, { code: "CONFIG_INVALID", message: `${field}: ${why}`, hint, ...locationOf(ctx.target, field) });
  }
}

export async function checkImagePull(ctx: CheckContext): Promise<CheckResult> {
  const { target, desired } = ctx;
  const head = { ...IMAGE_PULL_CHECK, target };
  const digest = desired.image.digest;

  if (target.imageRepository) {
    const replica = parseRef(ctx, target.imageRepository, "imageRepository");
    if (!("registryId" in replica)) return verdict(head, "fail", { message: replica.message, error: replica });
    let found;
    try {
      found = await ctx.session.ecr.findImage(replica, { digest });
    } catch (e) {
      const error = awsFailure(target, e, "ecr:DescribeImages", replica.uri);
      if (isAccessDenied(error)) {
        return verdict(head, "unverified", {
          message: `could not look ${digest} up in the replica ${replica.uri}: ecr:DescribeImages denied`,
          hint: `Allow ${target.deployRole} ecr:DescribeImages on ${replica.uri}. --strict turns this warning into an error.`,
          error,
          evidence: { method: "replica", repository: replica.uri, digest },
        });
      }
      const missingRepo = error.awsCode === "RepositoryNotFoundException";
      const e2 = missingRepo
        ? targetError(target, {
            code: "IMAGE_NOT_PULLABLE",
            message: `replica repository ${replica.uri} does not exist`,
            action: "ecr:DescribeImages",
            resource: replica.uri,
            awsCode: error.awsCode,
            awsMessage: error.awsMessage,
            ...locationOf(target, "imageRepository"),
            hint: `Create the replica (ECR replication rule from ${ctx.project.config.image.repository}) or fix \`imageRepository\` in ${whereWritten(target, "imageRepository")}.`,
          })
        : error;
      return verdict(head, "fail", { message: e2.message, error: e2, evidence: { method: "replica", repository: replica.uri, digest } });
    }
    if (!found) {
      const error = targetError(target, {
        code: "IMAGE_NOT_PULLABLE",
        message: `${digest} is not in the replica ${replica.uri}`,
        action: "ecr:DescribeImages",
        resource: replica.uri,
        ...locationOf(target, "imageRepository"),
        hint: `ECR replication may still be copying it (re-run in a minute), or no replication rule covers ${replica.region}/${replica.name}: check the registry's replication configuration in ${ctx.project.config.image.repository.split(".")[0]}.`,
      });
      return verdict(head, "fail", { message: error.message, error, evidence: { method: "replica", repository: replica.uri, digest } });
    }
    return verdict(head, "pass", {
      message: `${digest} is in the replica ${replica.uri}`,
      evidence: { method: "replica", repository: replica.uri, digest },
    });
  }

  const central = parseRef(ctx, ctx.project.config.image.repository, "image.repository");
  if (!("registryId" in central)) return verdict(head, "fail", { message: central.message, error: central });
  const base = { method: "central-repository", repository: central.uri, digest };
  if (central.registryId === target.account) {
    return verdict(head, "pass", {
      message: `the central repository is in the target's own account ${target.account}: the execution role's IAM policy governs pulls`,
      evidence: base,
    });
  }

  let policy: PolicyDocument | undefined;
  try {
    policy = await ctx.centralEcr.getRepositoryPolicy(central);
  } catch (e) {
    const error = awsFailure(target, e, "ecr:GetRepositoryPolicy", central.uri);
    return verdict(head, "unverified", {
      message: `could not read the repository policy of ${central.uri} (${error.awsCode ?? error.code}): whether ${target.account} may pull is unverified`,
      hint: `Allow the identity deployer reads the registry with ecr:GetRepositoryPolicy on ${central.uri}. --strict turns this warning into an error.`,
      error,
      evidence: base,
    });
  }
  const grantHint = `Add to the repository policy of ${central.uri} (aws ecr set-repository-policy): ${JSON.stringify(pullGrantStatement(target.account, target.region))}`;
  if (!policy) {
    const error = targetError(target, {
      code: "IMAGE_NOT_PULLABLE",
      message: `${central.uri} has no repository policy: account ${target.account} cannot pull from it`,
      action: "ecr:GetRepositoryPolicy",
      resource: central.uri,
      hint: `${grantHint}, or give the target a replica with \`imageRepository\`.`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence: { ...base, policy: null } });
  }

  const principal = { type: "AWS" as const, id: target.executionRole };
  const context: RequestContext = { "aws:PrincipalAccount": target.account, "aws:PrincipalArn": target.executionRole };
  const evaluate = (ctxValues: RequestContext) =>
    PULL_ACTIONS.map((action) => ({
      action,
      result: evaluateResourcePolicy({
        policy: { name: "repository-policy", document: policy },
        principal,
        action,
        resource: repositoryArn(central),
        context: ctxValues,
      }),
    }));

  let results = evaluate(context);
  let viaOrg: string | undefined;
  if (!results.every((r) => r.result.decision === "allowed") && !results.some((r) => r.result.decision === "explicitDeny")) {
    // deployer cannot see which organisation (or OU) the target belongs to: try the ones the policy
    // names; a grant that way is reported as a grant to the organisation, never as a plain pass.
    for (const candidate of organisationCandidates(policy)) {
      const withOrg = evaluate({ ...context, ...candidate.context });
      if (withOrg.every((r) => r.result.decision === "allowed")) {
        results = withOrg;
        viaOrg = candidate.label;
        break;
      }
    }
  }
  const evidence = {
    ...base,
    principal: target.executionRole,
    decisions: Object.fromEntries(results.map((r) => [r.action, r.result.decision])),
    matchedStatements: [...new Set(results.flatMap((r) => r.result.matched))],
  };

  const denied = results.find((r) => r.result.decision === "explicitDeny");
  if (denied) {
    const error = targetError(target, {
      code: "IMAGE_NOT_PULLABLE",
      message: `the repository policy of ${central.uri} denies ${target.account} ${denied.action} (${denied.result.matched.join(", ")})`,
      action: denied.action,
      resource: central.uri,
      hint: `Narrow the Deny statement (${denied.result.matched.join(", ")}) in the repository policy of ${central.uri}.`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence });
  }
  const missing = results.filter((r) => r.result.decision !== "allowed");
  if (missing.length > 0) {
    const unsupported = [...new Set(missing.flatMap((r) => r.result.unsupported))];
    if (unsupported.length > 0) {
      return verdict(head, "unverified", {
        message: `the repository policy of ${central.uri} uses condition operators deployer does not evaluate (${unsupported.join(", ")})`,
        hint: `Check by hand that it grants ${target.account} ${PULL_ACTIONS.join(" and ")}.`,
        evidence: { ...evidence, unsupported },
      });
    }
    const error = targetError(target, {
      code: "IMAGE_NOT_PULLABLE",
      message: `the repository policy of ${central.uri} does not grant ${target.account} ${missing.map((r) => r.action).join(" and ")}`,
      action: missing[0]!.action,
      resource: central.uri,
      hint: `${grantHint}, or give the target a replica with \`imageRepository\`.`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence });
  }

  const grants = results.flatMap((r) => r.result.statements);
  if (viaOrg) {
    return verdict(head, "warn", {
      message: `${central.uri} grants pulls to every account of ${viaOrg}, not to ${target.account} by name; deployer cannot tell whether ${target.account} is a member`,
      hint: `Every account of ${viaOrg} can pull this image. To grant only the deploy targets: ${JSON.stringify(pullGrantStatement(target.account, target.region))}`,
      evidence: { ...evidence, grantedTo: viaOrg },
    });
  }
  if (grants.some((g) => isPublicPrincipal(g.statement))) {
    const conditioned = grants.every((g) => !isPublicPrincipal(g.statement) || g.statement.Condition !== undefined);
    return verdict(head, "warn", {
      message: conditioned
        ? `${central.uri} grants pulls to Principal "*" (restricted by conditions): ${target.account} can pull, and so can other accounts meeting them`
        : `${central.uri} grants pulls to Principal "*": anyone with AWS credentials can pull this image`,
      hint: `Grant the deploy accounts by name instead: ${JSON.stringify(pullGrantStatement(target.account, target.region))}`,
      evidence: { ...evidence, grantedTo: "*" },
    });
  }
  return verdict(head, "pass", { message: `the repository policy of ${central.uri} grants ${target.account} pulls`, evidence });
}

function isPublicPrincipal(st: PolicyStatement): boolean {
  const p = st.Principal;
  if (p === "*") return true;
  if (!p) return st.NotPrincipal !== undefined;
  const aws = p.AWS;
  return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

/** The values a policy's conditions compare one context key with. */
function conditionValues(policy: PolicyDocument, key: string): string[] {
  const out = new Set<string>();
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  for (const st of statements) {
    for (const keys of Object.values(st?.Condition ?? {})) {
      for (const [k, value] of Object.entries(keys ?? {})) {
        if (k.toLowerCase() !== key) continue;
        for (const v of Array.isArray(value) ? value : [value]) if (typeof v === "string") out.add(v);
      }
    }
  }
  return [...out];
}

/**
 * Organisation memberships to try: each organisation id the policy names (aws:PrincipalOrgID), and
 * each OU path (aws:PrincipalOrgPaths, wildcards stripped) with its organisation.
 */
function organisationCandidates(policy: PolicyDocument): Array<{ label: string; context: RequestContext }> {
  const out: Array<{ label: string; context: RequestContext }> = [];
  for (const org of conditionValues(policy, "aws:principalorgid")) {
    if (/^o-[a-z0-9]+$/.test(org)) out.push({ label: `organisation ${org} (aws:PrincipalOrgID)`, context: { "aws:PrincipalOrgID": org } });
  }
  for (const pattern of conditionValues(policy, "aws:principalorgpaths")) {
    const path = pattern.replace(/\*/g, "").replace(/\?/g, "x");
    const org = /^(o-[a-z0-9]+)\//.exec(path)?.[1];
    if (!org) continue;
    out.push({
      label: `organisation unit path ${pattern} (aws:PrincipalOrgPaths)`,
      context: { "aws:PrincipalOrgID": org, "aws:PrincipalOrgPaths": [path] },
    });
  }
  return out;
}
