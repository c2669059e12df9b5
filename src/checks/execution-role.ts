// What the execution role must be allowed when ECS starts a task, asked of IAM with the execution role
// as policy source (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html):
//  - ecr:GetAuthorizationToken on "*" (no resource-level permissions; identity policy only:
//    https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html), and
//    ecr:BatchGetImage + ecr:GetDownloadUrlForLayer on each ECR repository an image comes from;
//  - ssm:GetParameters on each parameter of `valueFrom`, secretsmanager:GetSecretValue on each secret,
//    kms:Decrypt on each customer managed key they are encrypted with
//    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html,
//    secrets-envvar-secrets-manager.html), asked with kms:ViaService = the service that decrypts;
//  - logs:CreateLogStream + logs:PutLogEvents on the awslogs stream, and logs:CreateLogGroup on the
//    group when `awslogs-create-group` is "true" (using_awslogs.html: "your IAM policy must include
//    the logs:CreateLogGroup permission"; Docker's awslogs driver fails on any CreateLogGroup error but
//    ResourceAlreadyExistsException, so it is needed even when the group exists).
// Resources are named from the metadata preflight reads (parameters, secrets, keys, log groups). The
// questions are shared by the image-pull, secrets and logs checks through TargetReads.
import { dnsSuffixOf } from "../config/aws-names.js";
import type { KeyMetadata } from "../aws/ports.js";
import type { CheckContext } from "./context.js";
import { launchNeeds, logGroupArn, logStreamArn, type LaunchNeeds, type SecretNeed } from "./launch-needs.js";
import { answerPermissions, contextEntries, type PermissionAnswer, type PermissionAnswers, type PermissionAsk } from "./permission.js";
import type { Outcome } from "./target-reads.js";
import type { DeployerError } from "../errors.js";
import { repositoryArn } from "../config/aws-names.js";

/** What preflight learnt about one secret reference (metadata only). */
export interface SecretFacts {
  need: SecretNeed;
  /** The parameter's or secret's metadata read: undefined value = it does not exist. */
  read?: Outcome<{ arn: string; keyId?: string; type?: string } | undefined>;
  /** The KMS key it is encrypted with, when a customer managed key (or unreadable). */
  key?: Outcome<KeyMetadata | undefined>;
  /** The key reference (id, alias or ARN) as the parameter or secret names it. */
  keyRef?: string;
  /** What IAM authorises: the parameter or secret ARN. */
  resourceArn?: string;
}

export interface ExecutionRoleFacts {
  needs: LaunchNeeds;
  secrets: SecretFacts[];
  answers: Map<string, PermissionAnswer>;
  /** The simulations' failures, when the role's policies were evaluated locally instead (or not at all). */
  simulateError?: DeployerError;
  readError?: DeployerError;
}

const AWS_MANAGED_KEY_ALIASES = new Set(["alias/aws/ssm", "alias/aws/secretsmanager"]);

function askKey(action: string, resource: string): string {
  return `${action} ${resource}`;
}

/** The execution role's answer for one (action, resource). */
export function executionAnswer(facts: ExecutionRoleFacts, action: string, resource: string): PermissionAnswer {
  return (
    facts.answers.get(askKey(action, resource)) ?? {
      verdict: "unverified",
      method: "none",
      why: `no answer for ${action} on ${resource}`,
    }
  );
}

/** Metadata of every secret reference (parameter or secret, and its customer managed key). */
async function secretFacts(ctx: CheckContext, need: SecretNeed): Promise<SecretFacts> {
  const s = need.source;
  const facts: SecretFacts = { need };
  if (s.kind === "ssm") {
    facts.resourceArn = s.arn;
    // A parameter of another account is shared through AWS RAM (advanced tier) at best, and the ECS
    // guide is silent on it: never read, always unverified (see secrets.ts).
    if (s.account !== ctx.target.account) return facts;
    const read = await ctx.reads.parameter(s.region, s.name);
    facts.read = read.ok
      ? { ok: true, value: read.value && { arn: read.value.arn ?? s.arn, keyId: read.value.keyId, type: read.value.type } }
      : read;
    if (read.ok && read.value?.type === "SecureString") {
      const keyRef = read.value.keyId ?? "alias/aws/ssm";
      facts.keyRef = keyRef;
      if (!AWS_MANAGED_KEY_ALIASES.has(keyRef)) facts.key = await ctx.reads.kmsKey(s.region, keyRef);
    }
    return facts;
  }
  if (s.kind === "secretsmanager") {
    facts.resourceArn = s.secretId;
    const read = await ctx.reads.secret(s.region, s.secretId);
    facts.read = read.ok ? { ok: true, value: read.value && { arn: read.value.arn, keyId: read.value.kmsKeyId } } : read;
    if (read.ok && read.value) {
      facts.resourceArn = read.value.arn;
      if (read.value.kmsKeyId) {
        facts.keyRef = read.value.kmsKeyId;
        if (!AWS_MANAGED_KEY_ALIASES.has(read.value.kmsKeyId)) facts.key = await ctx.reads.kmsKey(s.region, read.value.kmsKeyId);
      }
    }
    return facts;
  }
  return facts;
}

/** The customer managed key a secret needs kms:Decrypt on, once read. */
export function customerKey(f: SecretFacts): KeyMetadata | undefined {
  return f.key?.ok && f.key.value && f.key.value.keyManager !== "AWS" ? f.key.value : undefined;
}

/** Everything the execution role must be allowed, answered (once per target). */
export function executionRoleFacts(ctx: CheckContext): Promise<ExecutionRoleFacts> {
  return ctx.reads.shared("execution-role", async () => {
    const { target } = ctx;
    const role = target.executionRole;
    const needs = launchNeeds(ctx.desired.taskDefinition, target);
    const secrets = await Promise.all(needs.secrets.map((n) => secretFacts(ctx, n)));

    // Questions grouped by the request context they need (one simulation each).
    const groups = new Map<string, { asks: PermissionAsk[]; context: Record<string, string> }>();
    const ask = (group: string, context: Record<string, string>, a: PermissionAsk) => {
      const g = groups.get(group) ?? { asks: [], context };
      if (!g.asks.some((x) => x.action === a.action && x.resource === a.resource)) g.asks.push(a);
      groups.set(group, g);
    };
    const cross = (account: string) => account !== target.account;

    const repos = needs.images.flatMap((i) => (i.repository ? [i.repository] : []));
    if (repos.length > 0) ask("star", {}, { action: "ecr:GetAuthorizationToken", resource: "*" });
    for (const repo of repos) {
      for (const action of ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]) {
        ask("main", {}, { action, resource: repositoryArn(repo), crossAccountResource: cross(repo.registryId) });
      }
    }
    for (const f of secrets) {
      const s = f.need.source;
      if (s.kind === "ssm")
        ask("main", {}, { action: "ssm:GetParameters", resource: f.resourceArn!, crossAccountResource: cross(s.account) });
      if (s.kind === "secretsmanager") {
        ask("main", {}, { action: "secretsmanager:GetSecretValue", resource: f.resourceArn!, crossAccountResource: cross(s.account) });
      }
      const key = customerKey(f);
      if (key && (s.kind === "ssm" || s.kind === "secretsmanager")) {
        // The service decrypts on the task's behalf: kms:ViaService is e.g. ssm.eu-west-1.amazonaws.com
        // (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
        const via = `${s.kind}.${s.region}.${dnsSuffixOf(s.region)}`;
        ask(
          `kms:${via}`,
          { "kms:ViaService": via },
          { action: "kms:Decrypt", resource: key.arn, crossAccountResource: cross(key.account) },
        );
      }
    }
    for (const l of needs.logs) {
      if (l.createGroup) ask("main", {}, { action: "logs:CreateLogGroup", resource: logGroupArn(l.region, target.account, l.group) });
      for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
        ask("main", {}, { action, resource: logStreamArn(l, target.account) });
      }
    }

    const answers = new Map<string, PermissionAnswer>();
    let simulateError: DeployerError | undefined;
    let readError: DeployerError | undefined;
    const results = await Promise.all(
      [...groups.entries()].map(async ([group, g]): Promise<[PermissionAsk[], PermissionAnswers]> => {
        const resources = group === "star" ? [] : [...new Set(g.asks.map((a) => a.resource))];
        const question = {
          key: `execution-role:${group}`,
          policySourceArn: role,
          actions: [...new Set(g.asks.map((a) => a.action))],
          resources,
          context: contextEntries(g.context),
        };
        return [g.asks, await answerPermissions(ctx, question, g.asks)];
      }),
    );
    for (const [asks, got] of results) {
      asks.forEach((a, i) => answers.set(askKey(a.action, a.resource), got.answers[i]!));
      simulateError ??= got.simulateError;
      readError ??= got.readError;
    }
    return { needs, secrets, answers, ...(simulateError ? { simulateError } : {}), ...(readError ? { readError } : {}) };
  });
}

/** A short evidence record of an answer. */
export function answerEvidence(a: PermissionAnswer): Record<string, unknown> {
  switch (a.verdict) {
    case "allowed":
      return { method: a.method, decision: "allowed", matchedStatements: a.matched, ...(a.identityOnly ? { side: "identity" } : {}) };
    case "denied":
      return { method: a.method, decision: "denied", deniedBy: a.by, matchedStatements: a.matched };
    case "unverified":
      return {
        method: a.method,
        decision: "unverified",
        why: a.why,
        ...(a.missing ? { missingContextValues: a.missing } : {}),
        ...(a.unsupported ? { unsupported: a.unsupported } : {}),
      };
  }
}
