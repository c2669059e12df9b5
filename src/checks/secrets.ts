// Check `secrets`: every `secrets[].valueFrom` (and `logConfiguration.secretOptions[].valueFrom`) names
// a parameter or secret that exists, and the execution role may read it — ssm:GetParameters or
// secretsmanager:GetSecretValue, and kms:Decrypt for a customer managed key
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
// Otherwise ECS stops the tasks with ResourceInitializationError ("unable to pull secrets or registry
// auth"). Metadata only: preflight never reads a value (DescribeParameters, DescribeSecret, DescribeKey).
// What deployer cannot see is unverified, never a failure: a parameter of another account (shared
// through AWS RAM at best; the ECS guide is silent), the resource policy of another account's secret,
// a parameter that references Secrets Manager.
import { templateOf } from "../config/types.js";
import type { CheckContext } from "./context.js";
import { parentOf, targetError, verdict, type CheckResult, type Verdict } from "./check-result.js";
import { answerEvidence, customerKey, executionAnswer, executionRoleFacts, type SecretFacts } from "./execution-role.js";
import { allowStatement, denialHint, denialText } from "./simulation.js";
import type { DeployerError } from "../errors.js";
import { isAccessDenied } from "./check-result.js";
import { dnsSuffixOf } from "../config/aws-names.js";

export const SECRETS_CHECK = { id: "secrets", title: "every secret exists and the execution role can read it" } as const;

interface Finding {
  verdict: Verdict;
  message: string;
  hint?: string;
  error?: DeployerError;
}

export async function checkSecrets(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...SECRETS_CHECK, target };
  const facts = await executionRoleFacts(ctx);
  if (facts.secrets.length === 0) return verdict(head, "pass", { message: "the task definition reads no secrets" });
  const children = facts.secrets.map((f) => secretCheck(ctx, f, facts));
  return parentOf(
    head,
    children,
    `${facts.secrets.length} secret${facts.secrets.length === 1 ? "" : "s"} found and readable by ${target.executionRole}`,
  );
}

function secretCheck(ctx: CheckContext, f: SecretFacts, facts: Awaited<ReturnType<typeof executionRoleFacts>>): CheckResult {
  const { target } = ctx;
  const role = target.executionRole;
  const n = f.need;
  const s = n.source;
  const head = { id: `secrets:${n.container}/${n.name}`, title: `${n.name} of container ${n.container} (${n.valueFrom})`, target };
  const findings: Finding[] = [];
  const evidence: Record<string, unknown> = { valueFrom: n.valueFrom, field: n.field, source: s.kind };
  const add = (x: Finding) => findings.push(x);
  const fail = (code: "SECRET_NOT_FOUND" | "EXECUTION_ROLE_DENIED", message: string, hint: string, action?: string, resource?: string) =>
    add({ verdict: "fail", message, hint, error: targetError(target, { code, message, hint, action, resource }) });
  const unreadable = (what: string, action: string, error: DeployerError) =>
    add({
      verdict: "unverified",
      message: `could not read ${what} (${action}: ${error.awsCode ?? error.code})`,
      hint: isAccessDenied(error)
        ? `Allow ${target.deployRole} ${action} (metadata only: deployer never reads a value). --strict turns this warning into an error.`
        : (error.hint ?? "--strict turns this warning into an error."),
      error,
    });
  const permission = (action: string, resource: string, statement: Record<string, unknown>) => {
    const a = executionAnswer(facts, action, resource);
    evidence[action] = answerEvidence(a);
    if (a.verdict === "denied") {
      const message = `${denialText(a.by, role, action, resource, { matched: a.matched })}: ECS would stop the tasks with ResourceInitializationError`;
      fail("EXECUTION_ROLE_DENIED", message, denialHint(a.by, role, statement, { matched: a.matched }), action, resource);
    } else if (a.verdict === "unverified") {
      add({
        verdict: "unverified",
        message: `could not verify ${action} on ${resource} for ${role}: ${a.why}`,
        hint: `Check by hand that ${role} may: ${JSON.stringify(statement)}. --strict turns this warning into an error.`,
      });
    }
    return a;
  };
  const keyChecks = (via: string) => {
    if (!f.key) return;
    if (!f.key.ok) return unreadable(`the KMS key ${f.keyRef}`, "kms:DescribeKey", f.key.error);
    const key = f.key.value;
    if (!key) {
      return fail(
        "SECRET_NOT_FOUND",
        `the KMS key ${f.keyRef} that encrypts ${n.valueFrom} does not exist`,
        `Fix the key of ${n.valueFrom}, or re-encrypt it with an existing key.`,
        "kms:DescribeKey",
        f.keyRef,
      );
    }
    evidence.key = { arn: key.arn, keyManager: key.keyManager, state: key.keyState ?? (key.enabled ? "Enabled" : "Disabled") };
    if (!key.enabled) {
      return fail(
        "SECRET_NOT_FOUND",
        `the KMS key ${key.arn} that encrypts ${n.valueFrom} is ${key.keyState ?? "disabled"}: nothing can decrypt it`,
        `Enable the key (aws kms enable-key --key-id ${key.arn}).`,
        "kms:Decrypt",
        key.arn,
      );
    }
    const ck = customerKey(f);
    if (ck) permission("kms:Decrypt", ck.arn, allowStatement("kms:Decrypt", ck.arn, { StringEquals: { "kms:ViaService": via } }));
  };

  if (s.kind === "invalid") {
    fail(
      "SECRET_NOT_FOUND",
      `valueFrom ${n.valueFrom} is ${s.why}`,
      `Write an SSM parameter ARN or name, or a Secrets Manager secret ARN, in ${templateOf(ctx.project, ctx.target).file}.`,
    );
  } else if (s.kind === "ssm-secret-reference") {
    add({
      verdict: "unverified",
      message: `${n.valueFrom} reads a Secrets Manager secret through SSM (${s.name}): deployer does not check those`,
      hint: `Check by hand that the secret exists and that ${role} may ssm:GetParameters and secretsmanager:GetSecretValue on it. --strict turns this warning into an error.`,
    });
  } else if (s.kind === "ssm") {
    if (s.account !== target.account) {
      add({
        verdict: "unverified",
        message: `${n.valueFrom} is a parameter of account ${s.account}: readable across accounts only when shared through AWS RAM (advanced parameters), which deployer does not check`,
        hint: `Prefer a parameter in ${target.account}, or a Secrets Manager secret with a resource policy. --strict turns this warning into an error.`,
      });
    } else if (f.read && !f.read.ok) {
      unreadable(`the parameter ${s.name}`, "ssm:DescribeParameters", f.read.error);
    } else if (f.read && !f.read.value) {
      fail(
        "SECRET_NOT_FOUND",
        `SSM parameter ${s.name} does not exist in ${s.account}/${s.region}: ECS would stop the tasks with ResourceInitializationError (invalid parameters)`,
        `Create it (aws ssm put-parameter --region ${s.region} --name ${s.name} --type SecureString --value …), or fix valueFrom in ${templateOf(ctx.project, ctx.target).file}.`,
        "ssm:GetParameters",
        s.arn,
      );
    } else {
      evidence.parameter = { arn: s.arn, type: f.read?.ok ? f.read.value?.type : undefined, keyId: f.keyRef };
      permission("ssm:GetParameters", s.arn, allowStatement("ssm:GetParameters", s.arn));
      keyChecks(`ssm.${s.region}.${dnsSuffixOf(s.region)}`);
    }
  } else {
    const cross = s.account !== target.account;
    if (f.read && !f.read.ok) {
      unreadable(`the secret ${s.secretId}`, "secretsmanager:DescribeSecret", f.read.error);
    } else if (f.read && !f.read.value) {
      fail(
        "SECRET_NOT_FOUND",
        `Secrets Manager secret ${s.secretId} does not exist: ECS would stop the tasks with ResourceInitializationError`,
        `Create it (aws secretsmanager create-secret --region ${s.region} --name …), or fix valueFrom in ${templateOf(ctx.project, ctx.target).file}.`,
        "secretsmanager:GetSecretValue",
        s.secretId,
      );
    } else {
      const arn = f.resourceArn ?? s.secretId;
      evidence.secret = { arn, kmsKeyId: f.keyRef ?? "aws/secretsmanager" };
      permission("secretsmanager:GetSecretValue", arn, allowStatement("secretsmanager:GetSecretValue", arn));
      if (cross && (!f.keyRef || f.keyRef === "alias/aws/secretsmanager" || (f.key?.ok && f.key.value?.keyManager === "AWS"))) {
        fail(
          "EXECUTION_ROLE_DENIED",
          `${arn} is a secret of account ${s.account} encrypted with the AWS managed key aws/secretsmanager, which cannot be used across accounts`,
          "Encrypt the secret with a customer managed key whose key policy allows the execution role (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html).",
          "kms:Decrypt",
          arn,
        );
      } else keyChecks(`secretsmanager.${s.region}.${dnsSuffixOf(s.region)}`);
      if (cross && !findings.some((x) => x.verdict === "fail")) {
        add({
          verdict: "unverified",
          message: `${arn} is a secret of account ${s.account}: its resource policy must also allow ${role} secretsmanager:GetSecretValue, and deployer does not read it`,
          hint: `Check the secret's resource policy (aws secretsmanager get-resource-policy --secret-id ${arn}). --strict turns this warning into an error.`,
        });
      }
    }
    if (s.jsonKey) evidence.jsonKey = `${s.jsonKey} (not checked: that would read the value)`;
  }

  const worst = findings.reduce<Verdict>((w, x) => (rank(x.verdict) > rank(w) ? x.verdict : w), "pass");
  if (worst === "pass") {
    return verdict(head, "pass", { message: `${n.valueFrom} exists and ${role} may read it`, evidence });
  }
  const shown = findings.filter((x) => x.verdict === worst);
  return verdict(head, worst, {
    message: shown.map((x) => x.message).join("; "),
    ...(shown[0]!.hint
      ? {
          hint: shown
            .map((x) => x.hint)
            .filter(Boolean)
            .join(" "),
        }
      : {}),
    ...(shown[0]!.error ? { error: shown[0]!.error } : {}),
    evidence,
  });
}

function rank(v: Verdict): number {
  return { skip: 0, pass: 1, warn: 2, unverified: 3, fail: 4 }[v];
}
