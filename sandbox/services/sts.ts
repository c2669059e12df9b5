// STS: AssumeRole (trust policy + caller's identity policy, ExternalId, DurationSeconds, session
// tags, the role-chaining cap, regions), AssumeRoleWithWebIdentity (unsigned: an OIDC token instead
// of credentials) and GetCallerIdentity. Issued credentials act inside the role's account as
// assumed-role/ROLE/SESSION. Shapes and limits: botocore sts/2011-06-15/service-2.json.
import { createVerify, randomBytes } from "node:crypto";
import { AwsError } from "../aws-error.js";
import type { CallContext, SandboxSettings } from "../call-context.js";
import { parseJwt } from "../github-oidc.js";
import { list, str, type QueryParams, type XmlValue } from "../protocol-query.js";
import type { PolicyDocument, PolicyStatement } from "../fixture.js";
import { randomId, type IamRole, type World } from "../world.js";

// roleSessionNameType: [\w+=,.@-]*, 2-64 characters.
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;
// tagKeyType / tagValueType: [\p{L}\p{Z}\p{N}_.:/=+\-@], keys 1-128, values 0-256; at most 50 tags.
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function validateSessionName(sessionName: string | undefined): string {
  if (!sessionName)
    throw new AwsError(
      "ValidationError",
      "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
    );
  if (!SESSION_NAME_RE.test(sessionName)) {
    throw new AwsError(
      "ValidationError",
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  return sessionName;
}

/** DurationSeconds: default 3600, at least 900 (roleDurationSecondsType), at most the role's MaxSessionDuration. */
function durationOf(p: QueryParams, role: IamRole): number {
  const raw = str(p, "DurationSeconds");
  const duration = raw ? Number(raw) : 3600;
  if (!Number.isInteger(duration) || duration < 900) {
    throw new AwsError(
      "ValidationError",
      `1 validation error detected: Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
    );
  }
  if (duration > role.maxSessionDuration) {
    throw new AwsError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  return duration;
}

function validateRoleArn(roleArn: string | undefined): string {
  if (!roleArn || roleArn.length < 20)
    throw new AwsError(
      "ValidationError",
      "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    );
  return roleArn;
}

/** Session tags (Tags.member.N.Key / .Value), validated as botocore's tag shapes say. */
function sessionTags(p: QueryParams): { key: string; value: string }[] {
  const tags = list(p, "Tags").map((t) => {
    const o = (t ?? {}) as Record<string, unknown>;
    return { key: typeof o.Key === "string" ? o.Key : "", value: typeof o.Value === "string" ? o.Value : "" };
  });
  if (tags.length > 50)
    throw new AwsError(
      "ValidationError",
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  for (const t of tags) {
    if (t.key.length < 1 || t.key.length > 128 || !TAG_CHARS.test(t.key) || t.value.length > 256 || !TAG_CHARS.test(t.value)) {
      throw new AwsError(
        "ValidationError",
        `1 validation error detected: Value '${t.key}' at 'tags' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`,
      );
    }
  }
  return tags;
}

/** New temporary credentials acting as ROLE/SESSION, living `duration` seconds (capped by the sandbox setting). */
function issue(world: World, settings: SandboxSettings, role: IamRole, sessionName: string, duration: number, now: number): XmlValue {
  const lifetime = Math.min(duration, settings.maxSessionSeconds ?? Infinity);
  const expiresAt = now + lifetime * 1000;
  const accessKeyId = randomId("ASIA", 16);
  const secret = randomBytes(30)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 40)
    .padEnd(40, "x");
  const sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(96).toString("base64")}`;
  world.accessKeys.set(accessKeyId, {
    accessKeyId,
    secret,
    sessionToken,
    expiresAt,
    principal: { kind: "assumed-role", account: role.account, roleName: role.name, sessionName },
  });
  return {
    Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: secret, SessionToken: sessionToken, Expiration: new Date(expiresAt) },
    AssumedRoleUser: {
      AssumedRoleId: `${role.roleId}:${sessionName}`,
      Arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
    },
  };
}

async function assumeRole(ctx: CallContext, p: QueryParams): Promise<XmlValue> {
  const roleArn = validateRoleArn(str(p, "RoleArn"));
  const sessionName = validateSessionName(str(p, "RoleSessionName"));
  const externalId = str(p, "ExternalId");
  const tags = sessionTags(p);

  const role = ctx.world.roleByArn(roleArn);
  const resourceAccount = /^arn:aws:iam::(\d{12}):/.exec(roleArn)?.[1] ?? ctx.account;
  const context: Record<string, string | string[]> = { "sts:RoleSessionName": sessionName };
  if (externalId !== undefined) context["sts:ExternalId"] = externalId;
  if (!role) {
    // AWS does not reveal whether the role exists.
    throw new AwsError("AccessDenied", `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
  }
  await ctx.authorize("sts:AssumeRole", role.arn, { resourceAccount, context, resourcePolicy: role.trustPolicy, withReason: false });
  if (tags.length > 0) {
    // Passing session tags needs sts:TagSession, allowed by the role's trust policy (and, across
    // accounts, the caller's identity policy); without it AssumeRole is denied naming sts:TagSession
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required).
    const withTags: Record<string, string | string[]> = { ...context, "aws:TagKeys": tags.map((t) => t.key) };
    for (const t of tags) withTags[`aws:RequestTag/${t.key}`] = t.value;
    // Which request keys the sts:TagSession evaluation sees is not documented beyond the Service
    // Authorization Reference's condition keys for it (aws:RequestTag/*, aws:TagKeys, …, not
    // sts:ExternalId: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html).
    // Stricter model: a trust statement allowing sts:TagSession only with an sts:ExternalId condition
    // does not allow it; a statement of its own for sts:TagSession does.
    await ctx.authorize("sts:TagSession", role.arn, {
      resourceAccount,
      context: withTags,
      resourcePolicy: role.trustPolicy,
      withReason: false,
    });
  }
  // The role's account must have STS in this region (an opt-in region it has not enabled: regions.ts).
  if (!ctx.world.regionEnabled(role.account, ctx.region)) {
    throw new AwsError(
      "RegionDisabledException",
      `STS is not activated in this region for account:${role.account}. Your account administrator can activate STS in this region using the IAM Console.`,
      403,
    );
  }

  const duration = durationOf(p, role);
  // Role chaining (a role session assuming a role) caps the new session at 1 hour, and asking for
  // more fails (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining,
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
  if (ctx.caller.ref.kind === "assumed-role" && duration > 3600) {
    throw new AwsError(
      "ValidationError",
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  }
  return issue(ctx.world, ctx.settings, role, sessionName, duration, ctx.now);
}

async function getCallerIdentity(ctx: CallContext): Promise<XmlValue> {
  return { UserId: ctx.caller.userId, Account: ctx.caller.account, Arn: ctx.caller.arn };
}

export const stsActions: Record<string, (ctx: CallContext, p: QueryParams) => Promise<XmlValue>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};

// ---------- AssumeRoleWithWebIdentity (no credentials: the token is the proof) ----------

export interface WebIdentityContext {
  world: World;
  settings: SandboxSettings;
  /** Unknown for an unsigned request sent to one endpoint for every region (the sandbox's). */
  region?: string;
  now: number;
}

/** What the request log records for an unsigned call: the role's account, and who the token named. */
export interface WebIdentityOutcome {
  result: XmlValue;
  account: string;
  principal: string;
}

const NOT_AUTHORIZED = () => new AwsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403);
// botocore: InvalidIdentityToken (400), "could not be validated by Amazon Web Services".
const INVALID_TOKEN = (why: string) => new AwsError("InvalidIdentityToken", why, 400);

/**
 * AssumeRoleWithWebIdentity (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html):
 * the token must be a JWT from an issuer for which the role's account has an IAM OIDC provider
 * (else "No OpenIDConnect provider found in your account for URL", real output:
 * https://github.com/aws-actions/configure-aws-credentials/issues/721), signed by the issuer's key,
 * not expired (ExpiredTokenException), with an audience the provider lists; the role's trust policy
 * must allow sts:AssumeRoleWithWebIdentity for that provider (else AccessDenied "Not authorized to
 * perform sts:AssumeRoleWithWebIdentity", https://github.com/aws-actions/configure-aws-credentials/issues/318).
 */
export function assumeRoleWithWebIdentity(ctx: WebIdentityContext, p: QueryParams): WebIdentityOutcome {
  const roleArn = validateRoleArn(str(p, "RoleArn"));
  const sessionName = validateSessionName(str(p, "RoleSessionName"));
  const token = str(p, "WebIdentityToken") ?? "";
  if (token.length < 4 || token.length > 20_000) {
    throw new AwsError(
      "ValidationError",
      "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
    );
  }
  const jwt = parseJwt(token);
  if (!jwt || jwt.header.alg !== "RS256" || typeof jwt.claims.iss !== "string") {
    throw INVALID_TOKEN(
      "The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request.",
    );
  }
  const role = ctx.world.roleByArn(roleArn);
  if (!role) throw NOT_AUTHORIZED();
  const account = ctx.world.account(role.account)!;
  const issuer = jwt.claims.iss.replace(/\/+$/, "");
  const provider = [...account.oidcProviders.values()].find((o) => o.url === issuer);
  if (!provider) throw INVALID_TOKEN(`No OpenIDConnect provider found in your account for ${issuer}`);

  const key = jwt.header.kid ? ctx.world.issuerKeys.get(issuer)?.get(jwt.header.kid) : undefined;
  if (!key || !createVerify("RSA-SHA256").update(jwt.signingInput).verify(key, jwt.signature)) {
    throw INVALID_TOKEN(
      "The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request.",
    );
  }
  const nowSeconds = Math.floor(ctx.now / 1000);
  if (typeof jwt.claims.exp !== "number" || jwt.claims.exp <= nowSeconds) {
    // botocore: ExpiredTokenException (400), "The web identity token that was passed is expired or is not valid".
    throw new AwsError(
      "ExpiredTokenException",
      "The web identity token that was passed is expired or is not valid. Get a new identity token from the identity provider and then retry the request.",
      400,
    );
  }
  const audiences = Array.isArray(jwt.claims.aud) ? jwt.claims.aud : [jwt.claims.aud ?? ""];
  if (!audiences.some((a) => provider.clientIds.includes(a))) throw INVALID_TOKEN("Incorrect token audience");

  const host = issuer.replace(/^https:\/\//, "");
  const claims: Record<string, string[]> = {
    [`${host}:aud`]: audiences,
    [`${host}:sub`]: [String(jwt.claims.sub ?? "")],
    [`${host}:iss`]: [issuer],
  };
  if (!webIdentityTrusted(role.trustPolicy, provider.arn, claims)) throw NOT_AUTHORIZED();
  if (ctx.region !== undefined && !ctx.world.regionEnabled(role.account, ctx.region)) {
    throw new AwsError(
      "RegionDisabledException",
      `STS is not activated in this region for account:${role.account}. Your account administrator can activate STS in this region using the IAM Console.`,
      403,
    );
  }

  const duration = durationOf(p, role);
  const result = issue(ctx.world, ctx.settings, role, sessionName, duration, ctx.now) as Record<string, XmlValue>;
  return {
    account: role.account,
    principal: String(jwt.claims.sub ?? ""),
    result: { ...result, SubjectFromWebIdentityToken: String(jwt.claims.sub ?? ""), Provider: host, Audience: audiences[0] },
  };
}

/**
 * The trust policy's verdict for a federated (OIDC) principal, evaluated here rather than by the
 * IAM simulator (which has no federated callers): an explicit Deny wins; else some Allow statement
 * for sts:AssumeRoleWithWebIdentity naming the provider in Principal.Federated whose conditions all
 * hold. Condition operators other than StringEquals / StringLike (optionally ForAnyValue: /
 * ForAllValues:) never hold: stricter than AWS where the sandbox does not model an operator.
 */
export function webIdentityTrusted(policy: PolicyDocument, providerArn: string, claims: Record<string, string[]>): boolean {
  const statements: PolicyStatement[] = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const applies = (s: PolicyStatement): boolean => {
    const actions = ([] as unknown[]).concat(s.Action ?? []);
    if (!actions.some((a) => typeof a === "string" && (a === "*" || a === "sts:*" || a.toLowerCase() === "sts:assumerolewithwebidentity")))
      return false;
    const federated = ([] as unknown[]).concat(((s.Principal ?? {}) as Record<string, unknown>).Federated ?? []);
    return federated.includes(providerArn) && conditionsHold(s.Condition as Record<string, Record<string, unknown>> | undefined, claims);
  };
  if (statements.some((s) => s.Effect === "Deny" && applies(s))) return false;
  return statements.some((s) => s.Effect === "Allow" && applies(s));
}

function conditionsHold(condition: Record<string, Record<string, unknown>> | undefined, claims: Record<string, string[]>): boolean {
  for (const [op, entries] of Object.entries(condition ?? {})) {
    const m = /^(ForAnyValue:|ForAllValues:)?(StringEquals|StringLike)$/.exec(op);
    if (!m) return false;
    const match = (v: string, pattern: string) =>
      m[2] === "StringEquals"
        ? v === pattern
        : new RegExp(
            `^${pattern
              .replace(/[.+^${}()|[\]\\]/g, "\\$&")
              .replace(/\*/g, ".*")
              .replace(/\?/g, ".")}$`,
          ).test(v);
    for (const [key, want] of Object.entries(entries)) {
      const values = claims[key];
      if (!values) return false;
      const patterns = ([] as unknown[]).concat(want).map(String);
      const ok = (v: string) => patterns.some((pat) => match(v, pat));
      if (m[1] === "ForAllValues:" ? !values.every(ok) : !values.some(ok)) return false;
    }
  }
  return true;
}
