// Check `image-pull`: the task's execution role can pull the image digest, as ECS pulls it (the
// execution role's session pulls: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html).
// Three sub-checks, on the repository the task pulls from (the target's `imageRepository`, else the
// central repository):
//  - `image-pull:image`: the digest is there (resolved in the central repository; in a replica,
//    looked up with ecr:DescribeImages: as the deploy role in the target's account, with the
//    registry's identity in the central account's replica — ECR replication copies images, not
//    instantly: https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html);
//  - `image-pull:repository-policy`, for a repository of another account (the central one, or its
//    replica in the central account — repository policies are NOT replicated, so a replica has its
//    own: same page): that policy must grant the execution role ecr:BatchGetImage and
//    ecr:GetDownloadUrlForLayer, since across accounts BOTH the identity policy and the repository
//    policy must allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
//    A grant to a whole organisation (aws:PrincipalOrgID) or to `*` passes with a warning;
//  - `image-pull:execution-role`: the execution role's own policies allow ecr:GetAuthorizationToken
//    (on "*", identity policy only) and the two pull actions on the repository. Within one account
//    either the identity policy or the repository policy may allow a pull
//    (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html), so there a
//    repository-policy grant is read when the identity policy does not allow.
import { serviceOf } from "../config/types.js";
import type { EcrPort, PolicyDocument, PolicyStatement, RepositoryRef } from "../aws/ports.js";
import { isDeployerError, type DeployerError, errorMessage } from "../errors.js";
import { evaluateResourcePolicy, type EvaluationResult, type RequestContext } from "../iam/evaluator.js";
import type { CheckContext } from "./context.js";
import { awsFailure, isAccessDenied, locationOf, parentOf, targetError, verdict, whereWritten } from "./check-result.js";
import type { CheckResult } from "./check-result.js";
import { parseRepositoryUri, repositoryArn, accountRootArn, partitionOf } from "../config/aws-names.js";
import { answerEvidence, executionAnswer, executionRoleFacts } from "./execution-role.js";
import { allowStatement, denialHint, denialText } from "./simulation.js";
import type { PermissionAnswer } from "./permission.js";

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

/** The AWS managed policy with every permission an execution role needs to pull and write logs. */
export function taskExecutionPolicyArn(region: string): string {
  return `arn:${partitionOf(region)}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`;
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

/** Where the task pulls from, and with which ECR port the registry side is read. */
interface PullSource {
  repo: RepositoryRef;
  central: RepositoryRef;
  isCentral: boolean;
}

export async function checkImagePull(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...IMAGE_PULL_CHECK, target };
  const central = parseRef(ctx, (serviceOf(ctx.project, target)?.image ?? ctx.project.config.image).repository, "image.repository");
  if (!("registryId" in central)) return verdict(head, "fail", { message: central.message, error: central });
  let repo: RepositoryRef = central;
  if (target.imageRepository) {
    const replica = parseRef(ctx, target.imageRepository, "imageRepository");
    if (!("registryId" in replica)) return verdict(head, "fail", { message: replica.message, error: replica });
    repo = replica;
  }
  const source: PullSource = {
    repo,
    central,
    isCentral: repo.uri === central.uri,
  };

  const children = await Promise.all([
    guard(ctx, "image-pull:image", () => checkImagePresent(ctx, source)),
    ...(repo.registryId !== target.account ? [guard(ctx, "image-pull:repository-policy", () => checkRepositoryPolicy(ctx, source))] : []),
    guard(ctx, "image-pull:execution-role", () => checkExecutionRolePull(ctx, source)),
  ]);
  // Passing, the parent carries its children's evidence (the repository side last: it names the method).
  const evidence = Object.assign({}, ...[...children].reverse().map((c) => c.evidence ?? {})) as Record<string, unknown>;
  return parentOf(head, children, `${ctx.desired.image.digest} is pullable from ${repo.uri} by ${target.executionRole}`, evidence);
}

/** A sub-check that threw (a bug) fails with INTERNAL instead of sinking its parent. */
async function guard(ctx: CheckContext, id: string, run: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await run();
  } catch (e) {
    const error = targetError(ctx.target, {
      code: "INTERNAL",
      message: `check ${id} crashed: ${errorMessage(e)}`,
      hint: "This is a deployer bug.",
    });
    return verdict({ id, title: id, target: ctx.target }, "fail", { message: error.message, error });
  }
}

// ---------- image-pull:image ----------

async function checkImagePresent(ctx: CheckContext, s: PullSource): Promise<CheckResult> {
  const { target } = ctx;
  const digest = ctx.desired.image.digest;
  const head = { id: "image-pull:image", title: "the image digest is in the repository the task pulls from", target };
  const evidence = { method: s.isCentral ? "central-repository" : "replica", repository: s.repo.uri, digest };
  if (s.isCentral) {
    return verdict(head, "pass", { message: `${digest} was resolved in the central repository ${s.repo.uri}`, evidence });
  }
  // A replica in the target's account: read as the deploy role; in the central account: with the
  // identity that reads the central registry (base credentials or image.registryRole).
  let ecr: EcrPort | undefined;
  let found;
  if (s.repo.registryId === target.account) {
    found = await ctx.reads.image(s.repo, digest);
  } else {
    try {
      ecr = await ctx.registryEcr?.(s.repo.region);
    } catch (e) {
      found = { ok: false as const, error: awsFailure(target, e, "ecr:DescribeImages", s.repo.uri) };
    }
    if (!found) {
      found = ecr
        ? await ecr.findImage(s.repo, { digest }).then(
            (value) => ({ ok: true as const, value }),
            (e: unknown) => ({ ok: false as const, error: awsFailure(target, e, "ecr:DescribeImages", s.repo.uri) }),
          )
        : {
            ok: false as const,
            error: targetError(target, { code: "INTERNAL", message: "no way to read the central registry's replica" }),
          };
    }
  }
  const reader = s.repo.registryId === target.account ? target.deployRole : "the identity deployer reads the central registry with";
  if (!found.ok) {
    const error = found.error;
    if (isAccessDenied(error)) {
      return verdict(head, "unverified", {
        message: `could not look ${digest} up in the replica ${s.repo.uri}: ecr:DescribeImages denied`,
        hint: `Allow ${reader} ecr:DescribeImages on ${repositoryArn(s.repo)}. --strict turns this warning into an error.`,
        error,
        evidence,
      });
    }
    if (error.awsCode === "RepositoryNotFoundException") {
      const e2 = targetError(target, {
        code: "IMAGE_NOT_PULLABLE",
        message: `replica repository ${s.repo.uri} does not exist`,
        action: "ecr:DescribeImages",
        resource: s.repo.uri,
        awsCode: error.awsCode,
        awsMessage: error.awsMessage,
        ...locationOf(target, "imageRepository"),
        hint: `Create the replica (an ECR replication rule from ${s.central.uri} to ${s.repo.region} of ${s.repo.registryId}) or fix \`imageRepository\` in ${whereWritten(target, "imageRepository")}.`,
      });
      return verdict(head, "fail", { message: e2.message, error: e2, evidence });
    }
    return verdict(head, "fail", { message: error.message, error, evidence });
  }
  if (!found.value) {
    const error = targetError(target, {
      code: "IMAGE_NOT_PULLABLE",
      message: `${digest} is not in the replica ${s.repo.uri}`,
      action: "ecr:DescribeImages",
      resource: s.repo.uri,
      ...locationOf(target, "imageRepository"),
      hint: `ECR replication may still be copying it (re-run in a minute), or no replication rule of ${s.central.registryId} covers ${s.repo.region}/${s.repo.name}${s.repo.registryId === s.central.registryId ? "" : ` in ${s.repo.registryId}`}: check the registry's replication configuration.`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence });
  }
  return verdict(head, "pass", { message: `${digest} is in the replica ${s.repo.uri}`, evidence });
}

// ---------- image-pull:repository-policy ----------

async function readPolicy(
  ctx: CheckContext,
  s: PullSource,
): Promise<{ ok: true; value: PolicyDocument | undefined } | { ok: false; error: DeployerError }> {
  try {
    const ecr = s.isCentral ? ctx.centralEcr : await ctx.registryEcr?.(s.repo.region);
    if (!ecr) throw targetError(ctx.target, { code: "INTERNAL", message: "no way to read the central registry's replica" });
    return { ok: true, value: await ecr.getRepositoryPolicy(s.repo) };
  } catch (e) {
    return { ok: false, error: awsFailure(ctx.target, e, "ecr:GetRepositoryPolicy", s.repo.uri) };
  }
}

/** The repository policy evaluated for the execution role: both pull actions, with organisation grants tried. */
function evaluatePullPolicy(policy: PolicyDocument, repo: RepositoryRef, account: string, executionRole: string) {
  const principal = { type: "AWS" as const, id: executionRole };
  const context: RequestContext = { "aws:PrincipalAccount": account, "aws:PrincipalArn": executionRole };
  const evaluate = (ctxValues: RequestContext) =>
    PULL_ACTIONS.map((action) => ({
      action,
      result: evaluateResourcePolicy({
        policy: { name: "repository-policy", document: policy },
        principal,
        action,
        resource: repositoryArn(repo),
        context: ctxValues,
      }),
    }));
  let results = evaluate(context);
  let viaOrg: string | undefined;
  if (
    !results.every((r) => r.result.decision === "allowed" && !r.result.uncertain) &&
    !results.some((r) => r.result.decision === "explicitDeny")
  ) {
    // deployer cannot see which organisation (or OU) the target belongs to: try the ones the policy
    // names; a grant that way is reported as a grant to the organisation, never as a plain pass.
    for (const candidate of organisationCandidates(policy)) {
      const withOrg = evaluate({ ...context, ...candidate.context });
      if (withOrg.every((r) => r.result.decision === "allowed" && !r.result.uncertain)) {
        results = withOrg;
        viaOrg = candidate.label;
        break;
      }
    }
  }
  return { results, viaOrg };
}

async function checkRepositoryPolicy(ctx: CheckContext, s: PullSource): Promise<CheckResult> {
  const { target } = ctx;
  const head = {
    id: "image-pull:repository-policy",
    title: `the repository policy lets the execution role pull (${s.repo.registryId} is another account)`,
    target,
  };
  const what = s.isCentral ? "the central repository" : "the replica";
  const base = { method: s.isCentral ? "central-repository" : "replica", repository: s.repo.uri, digest: ctx.desired.image.digest };
  const read = await readPolicy(ctx, s);
  if (!read.ok) {
    return verdict(head, "unverified", {
      message: `could not read the repository policy of ${s.repo.uri} (${read.error.awsCode ?? read.error.code}): whether ${target.account} may pull is unverified`,
      hint: `Allow the identity deployer reads the registry with ecr:GetRepositoryPolicy on ${repositoryArn(s.repo)}. --strict turns this warning into an error.`,
      error: read.error,
      evidence: base,
    });
  }
  const policy = read.value;
  const replicaNote = s.isCentral ? "" : " (repository policies are not replicated: the replica needs its own)";
  const grantHint = `Add to the repository policy of ${s.repo.uri}${replicaNote} (aws ecr set-repository-policy --region ${s.repo.region}): ${JSON.stringify(pullGrantStatement(target.account, target.region))}`;
  if (!policy) {
    const error = targetError(target, {
      code: "IMAGE_NOT_PULLABLE",
      message: `${s.repo.uri} has no repository policy: account ${target.account} cannot pull from it`,
      action: "ecr:GetRepositoryPolicy",
      resource: s.repo.uri,
      hint: s.isCentral ? `${grantHint}, or give the target a replica with \`imageRepository\`.` : grantHint,
    });
    return verdict(head, "fail", { message: error.message, error, evidence: { ...base, policy: null } });
  }

  const { results, viaOrg } = evaluatePullPolicy(policy, s.repo, target.account, target.executionRole);
  const evidence = {
    ...base,
    principal: target.executionRole,
    decisions: Object.fromEntries(results.map((r) => [r.action, r.result.uncertain ? "unverified" : r.result.decision])),
    matchedStatements: [...new Set(results.flatMap((r) => r.result.matched))],
  };

  const denied = results.find((r) => r.result.decision === "explicitDeny");
  if (denied) {
    const error = targetError(target, {
      code: "IMAGE_NOT_PULLABLE",
      message: `the repository policy of ${s.repo.uri} denies ${target.account} ${denied.action} (${denied.result.matched.join(", ")})`,
      action: denied.action,
      resource: s.repo.uri,
      hint: `Narrow the Deny statement (${denied.result.matched.join(", ")}) in the repository policy of ${s.repo.uri}.`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence });
  }
  const uncertain = results.filter((r) => r.result.uncertain);
  if (uncertain.length > 0) {
    const unsupported = [...new Set(uncertain.flatMap((r) => r.result.unsupported))];
    return verdict(head, "unverified", {
      message: `the repository policy of ${s.repo.uri} has conditions deployer cannot evaluate before the task runs (${unsupported.join(", ")})`,
      hint: `Check by hand that it grants ${target.executionRole} ${PULL_ACTIONS.join(" and ")} when ECS pulls. --strict turns this warning into an error.`,
      evidence: { ...evidence, unsupported },
    });
  }
  const missing = results.filter((r) => r.result.decision !== "allowed");
  if (missing.length > 0) {
    const error = targetError(target, {
      code: "IMAGE_NOT_PULLABLE",
      message: `the repository policy of ${s.repo.uri} does not grant ${target.account} ${missing.map((r) => r.action).join(" and ")}`,
      action: missing[0]!.action,
      resource: s.repo.uri,
      hint: s.isCentral ? `${grantHint}, or give the target a replica with \`imageRepository\`.` : grantHint,
    });
    return verdict(head, "fail", { message: error.message, error, evidence });
  }

  const grants = results.flatMap((r) => r.result.statements);
  if (viaOrg) {
    return verdict(head, "warn", {
      message: `${s.repo.uri} grants pulls to every account of ${viaOrg}, not to ${target.account} by name; deployer cannot tell whether ${target.account} is a member`,
      hint: `Every account of ${viaOrg} can pull this image. To grant only the deploy targets: ${JSON.stringify(pullGrantStatement(target.account, target.region))}`,
      evidence: { ...evidence, grantedTo: viaOrg },
    });
  }
  if (grants.some((g) => isPublicPrincipal(g.statement))) {
    const conditioned = grants.every((g) => !isPublicPrincipal(g.statement) || g.statement.Condition !== undefined);
    return verdict(head, "warn", {
      message: conditioned
        ? `${s.repo.uri} grants pulls to Principal "*" (restricted by conditions): ${target.account} can pull, and so can other accounts meeting them`
        : `${s.repo.uri} grants pulls to Principal "*": anyone with AWS credentials can pull this image`,
      hint: `Grant the deploy accounts by name instead: ${JSON.stringify(pullGrantStatement(target.account, target.region))}`,
      evidence: { ...evidence, grantedTo: "*" },
    });
  }
  return verdict(head, "pass", { message: `the repository policy of ${what} ${s.repo.uri} grants ${target.account} pulls`, evidence });
}

// ---------- image-pull:execution-role ----------

async function checkExecutionRolePull(ctx: CheckContext, s: PullSource): Promise<CheckResult> {
  const { target } = ctx;
  const role = target.executionRole;
  const head = { id: "image-pull:execution-role", title: "the execution role may get an ECR token and pull", target };
  const facts = await executionRoleFacts(ctx);
  const arn = repositoryArn(s.repo);
  const token = executionAnswer(facts, "ecr:GetAuthorizationToken", "*");
  const pulls = PULL_ACTIONS.map((action) => ({ action, answer: executionAnswer(facts, action, arn) }));
  const evidence: Record<string, unknown> = {
    role,
    repository: s.repo.uri,
    "ecr:GetAuthorizationToken": answerEvidence(token),
    ...Object.fromEntries(pulls.map((p) => [p.action, answerEvidence(p.answer)])),
  };
  const sameAccount = s.repo.registryId === target.account;

  // Within one account a repository-policy grant stands in for a missing identity Allow.
  let grantedByRepository: EvaluationResult[] | undefined;
  let repositoryUnreadable: DeployerError | undefined;
  if (sameAccount && pulls.some((p) => p.answer.verdict === "denied" && p.answer.by === "no-allow")) {
    const read = s.isCentral ? await readPolicy(ctx, s) : await ctx.reads.repositoryPolicy(s.repo);
    if (!read.ok) repositoryUnreadable = read.error;
    else if (read.value) {
      const { results } = evaluatePullPolicy(read.value, s.repo, target.account, role);
      grantedByRepository = results.map((r) => r.result);
      evidence.repositoryPolicy = Object.fromEntries(results.map((r) => [r.action, r.result.uncertain ? "unverified" : r.result.decision]));
    }
  }
  const effective = (p: { action: string; answer: PermissionAnswer }, i: number): PermissionAnswer => {
    if (p.answer.verdict !== "denied" || p.answer.by !== "no-allow" || !grantedByRepository) return p.answer;
    const r = grantedByRepository[i]!;
    if (r.uncertain)
      return {
        verdict: "unverified",
        method: p.answer.method,
        why: `the repository policy has conditions deployer cannot evaluate (${r.unsupported.join(", ")})`,
      };
    return r.decision === "allowed"
      ? { verdict: "allowed", method: p.answer.method, matched: r.matched, note: "granted by the repository policy" }
      : p.answer;
  };
  const all = [
    { action: "ecr:GetAuthorizationToken", resource: "*", answer: token },
    ...pulls.map((p, i) => ({ action: p.action, resource: arn, answer: effective(p, i) })),
  ];

  const denied = all.filter((a) => a.answer.verdict === "denied");
  if (denied.length > 0) {
    if (
      repositoryUnreadable &&
      denied.every((d) => d.action !== "ecr:GetAuthorizationToken" && d.answer.verdict === "denied" && d.answer.by === "no-allow")
    ) {
      return verdict(head, "unverified", {
        message: `${role}'s policies do not allow ${denied.map((d) => d.action).join(" and ")} on ${s.repo.uri}, and its repository policy could not be read (${repositoryUnreadable.awsCode ?? repositoryUnreadable.code}) to see whether it grants them`,
        hint: `Allow ${target.deployRole} ecr:GetRepositoryPolicy on ${arn}, or add to a policy of ${role}: ${JSON.stringify(allowStatement([...PULL_ACTIONS], arn))}. --strict turns this warning into an error.`,
        evidence,
      });
    }
    const first = denied[0]!;
    const by = first.answer.verdict === "denied" ? first.answer.by : "no-allow";
    const matched = first.answer.verdict === "denied" ? first.answer.matched : [];
    const statements = [
      ...(denied.some((d) => d.action === "ecr:GetAuthorizationToken") ? [allowStatement("ecr:GetAuthorizationToken", "*")] : []),
      ...(denied.some((d) => d.action !== "ecr:GetAuthorizationToken") ? [allowStatement([...PULL_ACTIONS], arn)] : []),
    ];
    const message = `${denied.map((d) => denialText(d.answer.verdict === "denied" ? d.answer.by : "no-allow", role, d.action, d.resource, { matched: d.answer.verdict === "denied" ? d.answer.matched : [] })).join("; ")}: ECS would stop the tasks with CannotPullContainerError`;
    const hint =
      by === "no-allow"
        ? `Add to a policy of ${role}: ${statements.map((st) => JSON.stringify(st)).join(" and ")} (or attach ${taskExecutionPolicyArn(target.region)}).`
        : denialHint(by, role, statements.length === 1 ? statements[0]! : { Statement: statements }, { matched });
    const error = targetError(target, {
      code: "EXECUTION_ROLE_DENIED",
      message,
      action: first.action,
      resource: first.resource,
      ...locationOf(target, "executionRole"),
      hint,
    });
    return verdict(head, "fail", { message, error, evidence });
  }
  const unverified = all.filter((a) => a.answer.verdict === "unverified");
  if (unverified.length > 0) {
    return verdict(head, "unverified", {
      message: `could not verify that ${role} may ${unverified.map((u) => u.action).join(", ")}: ${unverified.map((u) => (u.answer.verdict === "unverified" ? u.answer.why : "")).join("; ")}`,
      hint: `Check by hand that ${role} may pull from ${s.repo.uri} when ECS starts the task (the managed policy ${taskExecutionPolicyArn(target.region)} has every ECR permission it needs). --strict turns this warning into an error.`,
      evidence,
    });
  }
  const sides = sameAccount ? "" : " (its side of the cross-account pull)";
  return verdict(head, "pass", {
    message: `${role} may get an ECR token and pull from ${s.repo.uri}${sides}`,
    evidence,
  });
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
