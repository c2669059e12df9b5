// STS: AssumeRole (trust policy + caller's identity policy, ExternalId, DurationSeconds) and
// GetCallerIdentity. Issued credentials act inside the role's account as assumed-role/ROLE/SESSION.
import { randomBytes } from "node:crypto";
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import { str, type QueryParams, type XmlValue } from "../protocol-query.js";
import { randomId } from "../world.js";

const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;

async function assumeRole(ctx: CallContext, p: QueryParams): Promise<XmlValue> {
  const roleArn = str(p, "RoleArn");
  const sessionName = str(p, "RoleSessionName");
  if (!roleArn || roleArn.length < 20) throw new AwsError("ValidationError", "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20");
  if (!sessionName) throw new AwsError("ValidationError", "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  if (!SESSION_NAME_RE.test(sessionName)) {
    throw new AwsError("ValidationError", `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
  }
  const externalId = str(p, "ExternalId");
  const durationRaw = str(p, "DurationSeconds");
  const duration = durationRaw ? Number(durationRaw) : 3600;
  if (!Number.isInteger(duration) || duration < 900) {
    throw new AwsError("ValidationError", `1 validation error detected: Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
  }

  const role = ctx.world.roleByArn(roleArn);
  const resourceAccount = /^arn:aws:iam::(\d{12}):/.exec(roleArn)?.[1] ?? ctx.account;
  const context: Record<string, string> = { "sts:RoleSessionName": sessionName };
  if (externalId !== undefined) context["sts:ExternalId"] = externalId;
  if (!role) {
    // AWS does not reveal whether the role exists.
    throw new AwsError("AccessDenied", `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
  }
  await ctx.authorize("sts:AssumeRole", role.arn, { resourceAccount, context, resourcePolicy: role.trustPolicy, withReason: false });

  if (duration > role.maxSessionDuration) {
    throw new AwsError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  if (ctx.caller.ref.kind === "assumed-role" && duration > 3600) {
    throw new AwsError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  }
  const lifetime = Math.min(duration, ctx.settings.maxSessionSeconds ?? Infinity);
  const expiresAt = ctx.now + lifetime * 1000;
  const accessKeyId = randomId("ASIA", 16);
  const secret = randomBytes(30).toString("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, 40).padEnd(40, "x");
  const sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(96).toString("base64")}`;
  ctx.world.accessKeys.set(accessKeyId, {
    accessKeyId,
    secret,
    sessionToken,
    expiresAt,
    principal: { kind: "assumed-role", account: role.account, roleName: role.name, sessionName },
  });
  return {
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: secret,
      SessionToken: sessionToken,
      Expiration: new Date(expiresAt),
    },
    AssumedRoleUser: {
      AssumedRoleId: `${role.roleId}:${sessionName}`,
      Arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
    },
  };
}

async function getCallerIdentity(ctx: CallContext): Promise<XmlValue> {
  return { UserId: ctx.caller.userId, Account: ctx.caller.account, Arn: ctx.caller.arn };
}

export const stsActions: Record<string, (ctx: CallContext, p: QueryParams) => Promise<XmlValue>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};
