// SSM Parameter Store (JSON 1.1, AmazonSSM): GetParameters (what the ECS agent calls for
// `secrets[].valueFrom` naming a parameter) and DescribeParameters (metadata only, for a preflight
// that must never read values). Shapes: botocore ssm/2014-11-06/service-2.json.
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import { findKmsKey, type SsmParameter } from "../launch-resources.js";
import type { RegionState } from "../world.js";
import { kmsAccess } from "./kms.js";

type Json = Record<string, unknown>;
export type SsmAction = (ctx: CallContext, input: Json) => Promise<Json>;

/**
 * A name or ARN as GetParameters takes it ("Names: The names or Amazon Resource Names (ARNs) of the
 * parameters"; a parameter shared from another account must be named by its full ARN: botocore
 * GetParametersRequest.Names). `name:version` / `name:label` selectors are accepted and ignored.
 */
export function resolveParameterRef(
  ctx: { world: CallContext["world"]; account: string; region: string },
  ref: string,
): { account: string; region: string; name: string; param?: SsmParameter } {
  const m = /^arn:aws:ssm:([^:]+):(\d{12}):parameter(\/.*)$/.exec(ref);
  const [account, region, full] = m ? [m[2]!, m[1]!, m[3]!] : [ctx.account, ctx.region, ref];
  // Names never contain ":" (API_PutParameter: a-zA-Z0-9_.-/), so ":3" or ":label" is a selector.
  const name = full.split(":")[0]!;
  const state: RegionState | undefined = ctx.world.account(account)?.regions.get(region);
  // An ARN's resource part drops the leading slash of a name that has one: arn:...:parameter/a/b is "/a/b", arn:...:parameter/x is "x" or "/x".
  const param = state?.parameters.get(name) ?? (m ? state?.parameters.get(name.slice(1)) : undefined);
  return { account, region, name: param?.name ?? name, param };
}

function renderParameterMetadata(p: SsmParameter): Json {
  return {
    Name: p.name,
    ARN: p.arn,
    Type: p.type,
    ...(p.keyId ? { KeyId: p.keyId } : {}),
    LastModifiedDate: p.lastModifiedDate / 1000,
    LastModifiedUser: p.lastModifiedUser,
    Version: p.version,
    Tier: p.tier,
    Policies: [],
    DataType: "text",
  };
}

export const ssmActions: Record<string, SsmAction> = {
  /**
   * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html: at most 10
   * names; a name that does not exist is no error but comes back in InvalidParameters. ssm:GetParameters
   * is authorised on each parameter's ARN; a SecureString read WithDecryption needs kms:Decrypt on a
   * customer managed key (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html).
   */
  async GetParameters(ctx, input) {
    const names = Array.isArray(input.Names) ? (input.Names as unknown[]).filter((n): n is string => typeof n === "string") : [];
    if (names.length === 0 || names.length > 10) {
      throw new AwsError(
        "ValidationException",
        `1 validation error detected: Value '[${names.join(", ")}]' at 'names' failed to satisfy constraint: Member must have length ${names.length === 0 ? "greater than or equal to 1" : "less than or equal to 10"}`,
      );
    }
    const parameters: Json[] = [];
    const invalid: string[] = [];
    for (const ref of names) {
      const r = resolveParameterRef(ctx, ref);
      const arn = r.param?.arn ?? `arn:aws:ssm:${r.region}:${r.account}:parameter${r.name.startsWith("/") ? "" : "/"}${r.name}`;
      await ctx.authorize("ssm:GetParameters", arn, { resourceAccount: r.account });
      if (!r.param) {
        invalid.push(ref);
        continue;
      }
      const p = r.param;
      let value = p.value;
      if (p.type === "SecureString") {
        if (input.WithDecryption === true) {
          const key = findKmsKey(ctx.world, r.account, r.region, p.keyId ?? "alias/aws/ssm");
          if (!key) throw new AwsError("InvalidKeyId", `The key ${p.keyId ?? ""} is not valid.`);
          const c = ctx.caller;
          const e = await kmsAccess(
            ctx.world,
            {
              arn: c.arn,
              account: c.account,
              userId: c.userId,
              entity: c.entity,
              user: c.ref.kind === "user" ? c.ref.userName : undefined,
            },
            key,
            "kms:Decrypt",
            ctx.region,
          );
          // Strict assumption: SSM passes KMS's AccessDeniedException through (no public real text found).
          if (e.decision !== "allowed") throw ctx.denied("kms:Decrypt", key.arn, e);
        } else {
          value = Buffer.from(`sandbox-ciphertext:${p.arn}:${p.version}`).toString("base64");
        }
      }
      parameters.push({
        Name: p.name,
        Type: p.type,
        Value: value,
        Version: p.version,
        LastModifiedDate: p.lastModifiedDate / 1000,
        ARN: p.arn,
        DataType: "text",
      });
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  },

  /**
   * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeParameters.html:
   * metadata only (no Value); ParameterFilters Key "Name" with Option "Equals" or "BeginsWith"
   * (and the legacy Filters Key "Name"); MaxResults 1..50 (default 50), NextToken. ssm:DescribeParameters
   * has no resource-level permissions (resource "*").
   */
  async DescribeParameters(ctx, input) {
    await ctx.authorize("ssm:DescribeParameters", "*");
    const state = ctx.world.account(ctx.account)?.regions.get(ctx.region);
    type Filter = { Key?: string; Option?: string; Values?: string[] };
    const filters: Filter[] = [
      ...((input.ParameterFilters as Filter[] | undefined) ?? []),
      ...((input.Filters as Filter[] | undefined) ?? []).map((f) => ({ ...f, Option: "Equals" })),
    ];
    for (const f of filters) {
      if (f.Key !== "Name") throw new AwsError("InvalidFilterKey", `The sandbox supports only the Name filter (got ${String(f.Key)}).`);
      if (f.Option && f.Option !== "Equals" && f.Option !== "BeginsWith")
        throw new AwsError("InvalidFilterOption", `The filter option "${f.Option}" is not valid for key "Name".`);
    }
    const all = [...(state?.parameters.values() ?? [])]
      .filter((p) => filters.every((f) => (f.Values ?? []).some((v) => (f.Option === "BeginsWith" ? p.name.startsWith(v) : p.name === v))))
      .sort((a, b) => a.name.localeCompare(b.name));
    const max = input.MaxResults === undefined ? 50 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 50) {
      throw new AwsError(
        "ValidationException",
        `1 validation error detected: Value '${String(input.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50`,
      );
    }
    const from = typeof input.NextToken === "string" ? Number(Buffer.from(input.NextToken, "base64").toString("utf8")) : 0;
    if (!Number.isInteger(from) || from < 0) throw new AwsError("InvalidNextToken", "The specified token is not valid.");
    const out: Json = { Parameters: all.slice(from, from + max).map(renderParameterMetadata) };
    if (from + max < all.length) out.NextToken = Buffer.from(String(from + max)).toString("base64");
    return out;
  },
};
