// Secrets Manager (JSON 1.1, secretsmanager): DescribeSecret (metadata only, for a preflight) and
// GetSecretValue (what the ECS agent calls for `secrets[].valueFrom` naming a secret). Shapes:
// botocore secretsmanager/2017-10-17/service-2.json.
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import { findKmsKey, type Secret } from "../launch-resources.js";
import type { World } from "../world.js";
import { kmsAccess } from "./kms.js";

type Json = Record<string, unknown>;
export type SecretsManagerAction = (ctx: CallContext, input: Json) => Promise<Json>;

/** Real text: https://github.com/lgallard/terraform-aws-secrets-manager/issues/24, https://github.com/quipper/monorepo-deploy-actions/pull/1237 */
export function secretNotFound(): AwsError {
  return new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
}

/**
 * SecretId: "The ARN or name of the secret ... For an ARN, we recommend that you specify a complete
 * ARN rather than a partial ARN"; a secret in another account must be named by ARN
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html). A partial
 * ARN lacks the "-XXXXXX" suffix. ECS's valueFrom may add ":json-key:version-stage:version-id"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
 */
export function resolveSecretRef(
  world: World,
  account: string,
  region: string,
  ref: string,
): { account: string; region: string; secret?: Secret; arn: string; jsonKey?: string } {
  const m = /^arn:aws:secretsmanager:([^:]+):(\d{12}):secret:([^:]+)(?::([^:]*)(?::([^:]*)(?::([^:]*))?)?)?$/.exec(ref);
  if (!m) {
    const secret = world.account(account)?.regions.get(region)?.secrets.get(ref);
    return { account, region, secret, arn: secret?.arn ?? `arn:aws:secretsmanager:${region}:${account}:secret:${ref}` };
  }
  const [, reg, acct, id, jsonKey] = m;
  const secrets = [...(world.account(acct!)?.regions.get(reg!)?.secrets.values() ?? [])];
  const secret = secrets.find((s) => s.arn === `arn:aws:secretsmanager:${reg}:${acct}:secret:${id}`) ?? secrets.find((s) => s.name === id);
  return {
    account: acct!,
    region: reg!,
    secret,
    arn: secret?.arn ?? `arn:aws:secretsmanager:${reg}:${acct}:secret:${id}`,
    ...(jsonKey ? { jsonKey } : {}),
  };
}

function secretId(input: Json): string {
  const id = typeof input.SecretId === "string" ? input.SecretId : "";
  if (!id)
    throw new AwsError(
      "ValidationException",
      "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
    );
  return id;
}

export const secretsManagerActions: Record<string, SecretsManagerAction> = {
  /** https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html (never the value). */
  async DescribeSecret(ctx, input) {
    const r = resolveSecretRef(ctx.world, ctx.account, ctx.region, secretId(input));
    await ctx.authorize("secretsmanager:DescribeSecret", r.arn, { resourceAccount: r.account, resourcePolicy: r.secret?.policy });
    if (!r.secret) throw secretNotFound();
    const s = r.secret;
    return {
      ARN: s.arn,
      Name: s.name,
      ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
      LastChangedDate: s.createdAt / 1000,
      CreatedDate: s.createdAt / 1000,
      VersionIdsToStages: { [s.versionId]: ["AWSCURRENT"] },
    };
  },

  /**
   * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html: needs
   * secretsmanager:GetSecretValue (identity policy, and across accounts the secret's resource policy
   * too) and kms:Decrypt on a customer managed key. A KMS denial reads "Access to KMS is not allowed"
   * (real output: https://github.com/GiamPy5/terraform-aws-directus/issues/10).
   */
  async GetSecretValue(ctx, input) {
    const r = resolveSecretRef(ctx.world, ctx.account, ctx.region, secretId(input));
    await ctx.authorize("secretsmanager:GetSecretValue", r.arn, { resourceAccount: r.account, resourcePolicy: r.secret?.policy });
    if (!r.secret) throw secretNotFound();
    const s = r.secret;
    const key = findKmsKey(ctx.world, r.account, r.region, s.kmsKeyId ?? "alias/aws/secretsmanager");
    const c = ctx.caller;
    const e = key
      ? await kmsAccess(
          ctx.world,
          { arn: c.arn, account: c.account, userId: c.userId, entity: c.entity, user: c.ref.kind === "user" ? c.ref.userName : undefined },
          key,
          "kms:Decrypt",
          ctx.region,
        )
      : undefined;
    if (!e || e.decision !== "allowed") throw new AwsError("AccessDeniedException", "Access to KMS is not allowed");
    if (input.VersionStage !== undefined && input.VersionStage !== "AWSCURRENT") throw secretNotFound();
    if (input.VersionId !== undefined && input.VersionId !== s.versionId) throw secretNotFound();
    return {
      ARN: s.arn,
      Name: s.name,
      VersionId: s.versionId,
      SecretString: s.value,
      VersionStages: ["AWSCURRENT"],
      CreatedDate: s.createdAt / 1000,
    };
  },
};
