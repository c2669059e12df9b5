// Check `service-connect`: a Service Connect namespace of another account is visible from the
// target's account. ECS Service Connect may use a Cloud Map namespace another account owns and
// shares through AWS RAM (with AWSRAMPermissionCloudMapECSFullPermission, in the service's Region,
// named by ARN: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-shared-namespaces.html);
// when it is not shared with the account, or the invitation is not accepted
// (https://docs.aws.amazon.com/ram/latest/userguide/working-with-shared-invitations.html), the service
// update fails with NamespaceNotFoundException. Before any write, deployer asks Cloud Map from the
// target's session (servicediscovery:GetNamespace by ARN: "For namespaces shared with your AWS account,
// specify the namespace ARN", https://docs.aws.amazon.com/cloud-map/latest/api/API_GetNamespace.html);
// when it is not found, AWS RAM says why: the invitations the account received from the owner
// (GetResourceShareInvitations) and, when the owner is an account of the fleet with a viewer role,
// the owner's shares of the namespace and their principal associations (GetResourceShareAssociations).
//
// The namespaces are those the live service's deployments use (Deployment.serviceConnectConfiguration:
// deployer's UpdateService keeps the service's configuration, so the new deployment uses them too).
import type { NamespaceInfo, ShareAssociationInfo, ShareInvitationInfo, TargetSession } from "../aws/ports.js";
import { partitionOf } from "../config/aws-names.js";
import type { DeployerError } from "../errors.js";
import { awsFailure, isAccessDenied, parentOf, targetError, verdict, type CheckResult } from "./check-result.js";
import type { CheckContext } from "./context.js";

export const SERVICE_CONNECT_CHECK = {
  id: "service-connect",
  title: "Service Connect namespaces of other accounts are shared with the target's account",
} as const;

export const ECS_SHARE_PERMISSION = "AWSRAMPermissionCloudMapECSFullPermission";

const NAMESPACE_ARN = /^arn:(aws|aws-cn|aws-us-gov):servicediscovery:([a-z0-9-]+):(\d{12}):namespace\/(ns-[A-Za-z0-9]+)$/;

export interface NamespaceRef {
  arn: string;
  region: string;
  owner: string;
  /** Where it is used: `deployment ecs-svc/…` of the live service. */
  usedBy: string[];
}

/** The namespaces of other accounts (by ARN) the live service's deployments use. */
export function crossAccountNamespaces(
  deployments: Array<{ id: string; status: string; serviceConnectNamespace?: string }>,
  account: string,
): NamespaceRef[] {
  const out = new Map<string, NamespaceRef>();
  for (const d of deployments) {
    const ns = d.serviceConnectNamespace;
    if (!ns || d.status === "INACTIVE") continue;
    const m = NAMESPACE_ARN.exec(ns);
    // A name (not an ARN) finds only the account's own namespaces.
    if (!m || m[3] === account) continue;
    const ref = out.get(ns) ?? { arn: ns, region: m[2]!, owner: m[3]!, usedBy: [] };
    ref.usedBy.push(`deployment ${d.id} (${d.status})`);
    out.set(ns, ref);
  }
  return [...out.values()];
}

export async function checkServiceConnect(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...SERVICE_CONNECT_CHECK, target };
  const service = await ctx.reads.service();
  if (!service.ok || !service.value)
    return verdict(head, "skip", { message: "not run: the service could not be read (see the service check)" });
  const refs = crossAccountNamespaces(service.value.deployments, target.account);
  if (refs.length === 0) {
    return verdict(head, "pass", { message: "the service uses no Service Connect namespace of another account" });
  }
  const children = await Promise.all(refs.map((ref) => checkNamespace(ctx, ref)));
  return parentOf(head, children, `${refs.length} shared namespace${refs.length === 1 ? "" : "s"} visible from ${target.account}`);
}

async function checkNamespace(ctx: CheckContext, ref: NamespaceRef): Promise<CheckResult> {
  const { target } = ctx;
  const head = {
    id: `service-connect:${ref.arn}`,
    title: `namespace ${ref.arn} (owner ${ref.owner}) is visible from ${target.account}`,
    target,
  };
  const evidence = { namespace: ref.arn, owner: ref.owner, usedBy: ref.usedBy };
  if (ref.region !== target.region) {
    const error = targetError(target, {
      code: "NAMESPACE_NOT_SHARED",
      message: `the service uses namespace ${ref.arn} of ${ref.region}, but ECS Service Connect needs a namespace in the service's Region ${target.region}`,
      resource: ref.arn,
      hint: `Use a namespace of ${target.region} (shared from ${ref.owner} through AWS RAM).`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence });
  }
  const session = await readerOf(ctx);
  const sd = session.serviceDiscovery;
  if (!sd) return verdict(head, "unverified", { message: "deployer cannot read Cloud Map with this session", evidence });
  let ns: NamespaceInfo | undefined;
  try {
    ns = await sd.getNamespace(ref.region, ref.arn);
  } catch (e) {
    const error = awsFailure(target, e, "servicediscovery:GetNamespace", ref.arn);
    return verdict(head, isAccessDenied(error) ? "unverified" : "fail", {
      message: `could not read namespace ${ref.arn}: ${error.message}`,
      hint: `Allow ${session.identity.arn} servicediscovery:GetNamespace (and ram:GetResourceShareInvitations) so deployer can check the share. --strict turns this warning into an error.`,
      error,
      evidence,
    });
  }
  if (ns) {
    return verdict(head, "pass", {
      message: `${ref.arn} (${ns.name}, owner ${ns.owner ?? ref.owner}) is visible from ${target.account}`,
      evidence: { ...evidence, name: ns.name },
    });
  }
  const why = await diagnose(ctx, session, ref);
  const error = targetError(target, {
    code: "NAMESPACE_NOT_SHARED",
    message: `namespace ${ref.arn} of account ${ref.owner} is not visible from ${target.account} (Cloud Map: NamespaceNotFound): ${why.message}; the service update would fail with NamespaceNotFoundException`,
    action: "servicediscovery:GetNamespace",
    resource: ref.arn,
    awsCode: "NamespaceNotFound",
    hint: why.hint,
  });
  return verdict(head, "fail", { message: error.message, error, evidence: { ...evidence, ...why.evidence } });
}

interface Diagnosis {
  message: string;
  hint: string;
  evidence: Record<string, unknown>;
}

/**
 * Whose session reads Cloud Map and RAM in the target's account: its viewer role when the fleet has
 * one there (read-only, and what `deployer iam` grants these reads to), else the target's session.
 * Visibility is the account's: any principal of it sees the same namespaces.
 */
async function readerOf(ctx: CheckContext): Promise<TargetSession> {
  const viewer = await ctx.fleet?.session(ctx.target.account);
  return viewer?.ok ? viewer.session : ctx.session;
}

async function diagnose(ctx: CheckContext, session: TargetSession, ref: NamespaceRef): Promise<Diagnosis> {
  const { target } = ctx;
  const region = ref.region;
  const permissionArn = `arn:${partitionOf(region)}:ram::aws:permission/${ECS_SHARE_PERMISSION}`;
  const createShare = `in account ${ref.owner}: aws ram create-resource-share --region ${region} --name <name> --resource-arns ${ref.arn} --principals ${target.account} --permission-arns ${permissionArn}`;
  const associate = (shareArn: string) =>
    `in account ${ref.owner}: aws ram associate-resource-share --region ${region} --resource-share-arn ${shareArn} --principals ${target.account}`;
  const accept = (i: ShareInvitationInfo) =>
    `in account ${target.account}: aws ram accept-resource-share-invitation --region ${region} --resource-share-invitation-arn ${i.arn}`;

  // The owner's side, when the owner is an account of the fleet: which shares hold the namespace, and
  // where the target's account stands in each.
  const owner = await ownerSide(ctx, ref);
  // The target's side: the invitations it received from the owner.
  let invitations: ShareInvitationInfo[] | undefined;
  let invitationsError: DeployerError | undefined;
  if (session.ram) {
    try {
      invitations = (await session.ram.listInvitations(region)).filter((i) => i.sender === ref.owner);
    } catch (e) {
      invitationsError = awsFailure(target, e, "ram:GetResourceShareInvitations", "*");
    }
  }
  const evidence: Record<string, unknown> = {
    invitations: invitations?.map((i) => ({ share: i.shareName, shareArn: i.shareArn, status: i.status })) ?? null,
    ...(invitationsError ? { invitationsError: invitationsError.message } : {}),
    ownerShares: owner.shares ?? null,
    ...(owner.unavailable ? { ownerUnavailable: owner.unavailable } : {}),
  };
  const invitationOf = (shareArn: string) => invitations?.find((i) => i.shareArn === shareArn);

  if (owner.shares) {
    if (owner.shares.length === 0) {
      return {
        message: `no RAM share of ${ref.owner} includes it`,
        hint: `Share it with ${target.account} through AWS RAM, ${createShare}`,
        evidence,
      };
    }
    // A share naming the account (or its organization) whose association is not ASSOCIATED yet: an invitation to accept.
    for (const s of owner.shares) {
      if (!s.principal) continue;
      const inv = invitationOf(s.arn);
      if (s.principal.status === "ASSOCIATING" || inv?.status === "PENDING") {
        return {
          message: `the RAM share ${s.name} (${s.arn}) of ${ref.owner} names ${target.account}, but its invitation is ${inv?.status ?? "not accepted"}`,
          hint: inv
            ? `Accept the invitation, ${accept(inv)}`
            : `Accept the invitation to ${s.name} in account ${target.account} (AWS RAM console, Shared with me).`,
          evidence,
        };
      }
    }
    const s = owner.shares.find((x) => x.principal) ?? owner.shares[0]!;
    if (s.principal) {
      return {
        message: `the RAM share ${s.name} (${s.arn}) of ${ref.owner} names ${target.account}, but its association is ${s.principal.status}${invitationOf(s.arn) ? ` (invitation ${invitationOf(s.arn)!.status})` : ""}`,
        hint: `Associate the account with the share again (a new invitation to accept), ${associate(s.arn)}`,
        evidence,
      };
    }
    return {
      message: `the RAM share ${s.name} (${s.arn}) of ${ref.owner} includes it but does not name ${target.account}`,
      hint: `Add the account to the share, ${associate(s.arn)}; then accept the invitation in ${target.account}.`,
      evidence,
    };
  }

  // Only the target's side is known.
  if (invitations) {
    const pending = invitations.find((i) => i.status === "PENDING");
    if (pending) {
      return {
        message: `the RAM share ${pending.shareName} (${pending.shareArn}) from ${ref.owner} is not accepted: its invitation is PENDING`,
        hint: `Accept the invitation, ${accept(pending)}`,
        evidence,
      };
    }
    const closed = invitations.find((i) => i.status === "REJECTED" || i.status === "EXPIRED");
    if (closed) {
      return {
        message: `the invitation to the RAM share ${closed.shareName} (${closed.shareArn}) from ${ref.owner} is ${closed.status}`,
        hint: `The owner must invite the account again, ${associate(closed.shareArn)}; then accept the invitation in ${target.account}.`,
        evidence,
      };
    }
    const accepted = invitations.find((i) => i.status === "ACCEPTED");
    if (accepted) {
      return {
        message: `${target.account} accepted the RAM share ${accepted.shareName} (${accepted.shareArn}) from ${ref.owner}, but the namespace is not in it (or not with ${ECS_SHARE_PERMISSION})`,
        hint: `In account ${ref.owner}, add the namespace to a share with ${target.account} using the managed permission ${permissionArn}: aws ram associate-resource-share --region ${region} --resource-share-arn ${accepted.shareArn} --resource-arns ${ref.arn}`,
        evidence,
      };
    }
    return {
      message: `no RAM share from ${ref.owner} reaches ${target.account} (no invitation received)${owner.unavailable ? `; the owner's shares were not read: ${owner.unavailable}` : ""}`,
      hint: `Share it with ${target.account} through AWS RAM, ${createShare}; then accept the invitation in ${target.account}.`,
      evidence,
    };
  }
  return {
    message: `why could not be read (${invitationsError?.message ?? "no RAM access"})`,
    hint: `Share it with ${target.account} through AWS RAM (${createShare}) and accept the invitation in ${target.account}; or allow ${session.identity.arn} ram:GetResourceShareInvitations so deployer can name the share.`,
    evidence,
  };
}

interface OwnerShare {
  arn: string;
  name: string;
  /** The association of the target's account (or of an organization) with the share, when there is one. */
  principal?: ShareAssociationInfo;
}

async function ownerSide(ctx: CheckContext, ref: NamespaceRef): Promise<{ shares?: OwnerShare[]; unavailable?: string }> {
  if (!ctx.fleet) return { unavailable: "no session in the owner's account" };
  const s = await ctx.fleet.session(ref.owner);
  if (!s.ok) return { unavailable: s.reason };
  const ram = s.session.ram;
  if (!ram) return { unavailable: "no RAM access" };
  try {
    const resources = await ram.listAssociations(ref.region, { type: "RESOURCE", resourceArn: ref.arn });
    const held = resources.filter((a) => a.entity === ref.arn && a.status === "ASSOCIATED");
    const arns = [...new Set(held.map((a) => a.shareArn))];
    if (arns.length === 0) return { shares: [] };
    const principals = await ram.listAssociations(ref.region, { type: "PRINCIPAL", shareArns: arns });
    return {
      shares: arns.map((arn) => {
        const p =
          principals.find((a) => a.shareArn === arn && a.entity === ctx.target.account) ??
          principals.find((a) => a.shareArn === arn && a.entity.includes(":organization/"));
        return { arn, name: held.find((a) => a.shareArn === arn)?.shareName ?? arn, ...(p ? { principal: p } : {}) };
      }),
    };
  } catch (e) {
    return { unavailable: `reading the owner's RAM shares as ${s.role} failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
