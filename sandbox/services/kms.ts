// KMS (JSON 1.1, TrentService): DescribeKey only — what a preflight reads about the key of a secret
// or parameter (metadata, never key material) — plus the kms:Decrypt check that SSM, Secrets
// Manager and task start make on the caller's behalf. A key's key policy must allow the principal
// (directly, or by delegating to the account's IAM policies with the default key policy): "IAM role
// trust policies and KMS key policies are exceptions" to resource policies being optional
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import { evaluate, identityPolicies, requestContext, scpsFor, type Evaluation } from "../iam-eval.js";
import { findKmsKey, type KmsKey } from "../launch-resources.js";
import type { IamRole, IamUser, World } from "../world.js";

type Json = Record<string, unknown>;
export type KmsAction = (ctx: CallContext, input: Json) => Promise<Json>;

/** Who asks KMS: a caller of the API, or an execution role session at task start. */
export interface KmsPrincipal {
  /** The session (or user) ARN, as the denial names it. */
  arn: string;
  account: string;
  userId: string;
  entity: IamRole | IamUser;
  user?: string;
}

/**
 * Whether `principal` may use `action` (kms:Decrypt, kms:DescribeKey) on `key`. AWS managed keys
 * (aws/ssm, aws/secretsmanager) serve every principal of their own account through the service and
 * nobody else ("you can't use the AWS managed key aws/secretsmanager for cross-account access":
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html).
 * A customer managed key needs its key policy AND, across accounts or when the key policy delegates
 * to the account, the principal's IAM policies (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
export async function kmsAccess(world: World, principal: KmsPrincipal, key: KmsKey, action: string, region: string): Promise<Evaluation> {
  if (key.keyManager === "AWS") {
    const ok = principal.account === key.account;
    return { decision: ok ? "allowed" : "implicitDeny", deniedBy: ok ? undefined : "resource", matchedPolicies: [], matched: [] };
  }
  const boundaryArn = principal.entity.permissionsBoundary;
  return evaluate({
    principalArn: principal.arn,
    principalAccount: principal.account,
    policies: identityPolicies(world, principal.entity),
    boundary: boundaryArn ? world.policyByArn(boundaryArn)?.document : undefined,
    action,
    resource: key.arn,
    resourceAccount: key.account,
    resourcePolicy: key.policy,
    context: requestContext(
      { arn: principal.entity.arn, account: principal.account, userId: principal.userId, user: principal.user },
      region,
      Date.now(),
    ),
    scps: scpsFor(world, principal.account),
  });
}

function notFound(ref: string, ctx: CallContext): AwsError {
  // KMS's NotFoundException texts (botocore kms NotFoundException: "The request was rejected because the specified entity or resource could not be found").
  if (/alias\//.test(ref)) {
    const arn = ref.startsWith("arn:") ? ref : `arn:aws:kms:${ctx.region}:${ctx.account}:${ref}`;
    return new AwsError("NotFoundException", `Alias ${arn} is not found.`);
  }
  const arn = ref.startsWith("arn:") ? ref : `arn:aws:kms:${ctx.region}:${ctx.account}:key/${ref}`;
  return new AwsError("NotFoundException", `Key '${arn}' does not exist`);
}

/** KeyMetadata (botocore kms/2014-11-01 KeyMetadata). */
export function renderKeyMetadata(k: KmsKey): Json {
  return {
    AWSAccountId: k.account,
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: k.createdAt / 1000,
    Enabled: k.enabled,
    Description: k.description,
    KeyUsage: "ENCRYPT_DECRYPT",
    KeyState: k.enabled ? "Enabled" : "Disabled",
    Origin: "AWS_KMS",
    KeyManager: k.keyManager,
    CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
    KeySpec: "SYMMETRIC_DEFAULT",
    EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
    MultiRegion: false,
  };
}

export const kmsActions: Record<string, KmsAction> = {
  /**
   * https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html: KeyId is a key id,
   * key ARN, alias name or alias ARN; "To specify a KMS key in a different AWS account, you must use
   * the key ARN or alias ARN".
   */
  async DescribeKey(ctx, input) {
    const ref = typeof input.KeyId === "string" ? input.KeyId : "";
    if (!ref)
      throw new AwsError(
        "ValidationException",
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      );
    const key = findKmsKey(ctx.world, ctx.account, ctx.region, ref);
    if (!key) throw notFound(ref, ctx);
    const c = ctx.caller;
    const e = await kmsAccess(
      ctx.world,
      { arn: c.arn, account: c.account, userId: c.userId, entity: c.entity, user: c.ref.kind === "user" ? c.ref.userName : undefined },
      key,
      "kms:DescribeKey",
      ctx.region,
    );
    if (e.decision !== "allowed") throw ctx.denied("kms:DescribeKey", key.arn, e);
    return { KeyMetadata: renderKeyMetadata(key) };
  },
};
