// AWS Cloud Map namespaces and AWS RAM resource shares: who owns a namespace, who it is shared with,
// where each invitation stands, and so whether an account can see (and ECS can use) a namespace.
// Used by services/servicediscovery.ts, services/ram.ts and the Service Connect checks of services/ecs.ts.
//
// Sources (each rule below names the one it follows):
// [CM]  https://docs.aws.amazon.com/cloud-map/latest/dg/sharing-namespaces.html — namespaces are shared
//       through RAM; consumers are "specific AWS accounts inside its organization", an OU of it, or
//       the whole organization; a namespace shared with you cannot be re-shared.
// [RAM] https://docs.aws.amazon.com/ram/latest/APIReference/Welcome.html — "If you specify an AWS
//       account that doesn't exist in the same organization as the account that owns the resource
//       share, the owner of the specified account receives an invitation … After the owner accepts the
//       invitation, they can access the resources"; with sharing with AWS Organizations enabled,
//       accounts of the organization get access without invitations
//       (https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html#getting-started-sharing-orgs;
//       Terraform's aws_ram_resource_share_accepter: "invitations are not used" then).
// [TF]  hashicorp/terraform-provider-aws internal/service/ram/principal_association.go: "AWS Account ID
//       principals need to be accepted to become ASSOCIATED" (until then the principal association
//       is ASSOCIATING). States: botocore ram/2018-01-04 (ResourceShareInvitationStatus PENDING |
//       ACCEPTED | REJECTED | EXPIRED; ResourceShareAssociationStatus ASSOCIATING | ASSOCIATED | …).
// [ECS] https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-shared-namespaces.html —
//       Service Connect with a namespace of another account: the share must use the managed permission
//       AWSRAMPermissionCloudMapECSFullPermission, the namespace must be in the service's Region, and
//       the service must name it by ARN.
//
// Where the sources are silent the stricter reading is modelled, and said so beside it.
import { createHash } from "node:crypto";
import type { Fixture, NamespaceFixture, OrganizationFixture, ResourceShareFixture } from "./fixture.js";

export const ECS_SHARE_PERMISSION = "AWSRAMPermissionCloudMapECSFullPermission";
export const managedPermissionArn = (name: string) => `arn:aws:ram::aws:permission/${name}`;

export interface CloudMapNamespace {
  id: string;
  arn: string;
  name: string;
  type: "HTTP" | "DNS_PRIVATE" | "DNS_PUBLIC";
  owner: string;
  region: string;
  description?: string;
  createdAt: number;
}

export type InvitationStatus = "PENDING" | "ACCEPTED" | "REJECTED" | "EXPIRED";
export type AssociationStatus = "ASSOCIATING" | "ASSOCIATED" | "DISASSOCIATED";

export interface ShareInvitation {
  arn: string;
  shareArn: string;
  shareName: string;
  sender: string;
  receiver: string;
  status: InvitationStatus;
  createdAt: number;
}

export interface PrincipalAssociation {
  /** An account id, or an organization ARN. */
  principal: string;
  /** Outside the owner's organization. */
  external: boolean;
  createdAt: number;
  updatedAt: number;
  /** For an account principal that had to be invited. */
  invitation?: ShareInvitation;
}

export interface ResourceShare {
  arn: string;
  name: string;
  owner: string;
  region: string;
  allowExternalPrincipals: boolean;
  permissionName: string;
  resources: { arn: string; createdAt: number }[];
  principals: PrincipalAssociation[];
  createdAt: number;
  updatedAt: number;
}

export interface Organization {
  id: string;
  arn: string;
  managementAccount: string;
  accounts: Set<string>;
  ramSharingEnabled: boolean;
}

/** A stable, UUID-shaped id from a seed (fixture ARNs must not change between runs). */
function stableUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const NAMESPACE_ARN = /^arn:aws:servicediscovery:([a-z0-9-]+):(\d{12}):namespace\/(ns-[a-z0-9]+)$/;

export function parseNamespaceArn(arn: string): { region: string; account: string; id: string } | undefined {
  const m = NAMESPACE_ARN.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, id: m[3]! } : undefined;
}

export class SharingState {
  /** By ARN. */
  readonly namespaces = new Map<string, CloudMapNamespace>();
  readonly shares: ResourceShare[] = [];
  readonly organizations: Organization[] = [];

  organizationOf(account: string): Organization | undefined {
    return this.organizations.find((o) => o.accounts.has(account));
  }

  addOrganization(f: OrganizationFixture): Organization {
    if (!/^o-[a-z0-9]{10,32}$/.test(f.id))
      throw new Error(`sandbox fixture: organization id ${f.id} is not o- and 10-32 lower-case letters or digits`);
    const accounts = new Set([f.managementAccount, ...f.accounts]);
    for (const a of accounts) {
      const other = this.organizationOf(a);
      if (other) throw new Error(`sandbox fixture: account ${a} is in two organizations (${other.id}, ${f.id})`);
    }
    const org: Organization = {
      id: f.id,
      arn: `arn:aws:organizations::${f.managementAccount}:organization/${f.id}`,
      managementAccount: f.managementAccount,
      accounts,
      ramSharingEnabled: f.ramSharingEnabled ?? false,
    };
    this.organizations.push(org);
    return org;
  }

  addNamespace(owner: string, f: NamespaceFixture, createdAt: number): CloudMapNamespace {
    const id = f.id ?? `ns-${createHash("sha256").update(`${owner}/${f.region}/${f.name}`).digest("hex").slice(0, 16)}`;
    if (!/^ns-[a-z0-9]{8,64}$/.test(id)) throw new Error(`sandbox fixture: namespace id ${id} is not ns- and lower-case letters or digits`);
    const type = f.type ?? "HTTP";
    if (!["HTTP", "DNS_PRIVATE", "DNS_PUBLIC"].includes(type))
      throw new Error(`sandbox fixture: namespace ${f.name}: type ${type} is not HTTP, DNS_PRIVATE or DNS_PUBLIC`);
    const ns: CloudMapNamespace = {
      id,
      arn: `arn:aws:servicediscovery:${f.region}:${owner}:namespace/${id}`,
      name: f.name,
      type,
      owner,
      region: f.region,
      description: f.description,
      createdAt,
    };
    this.namespaces.set(ns.arn, ns);
    return ns;
  }

  /** A share owned by `owner` (validated as RAM and Cloud Map would let it be made). */
  addShare(owner: string, f: ResourceShareFixture, createdAt: number): ResourceShare {
    const where = `sandbox fixture: resource share ${f.name} of account ${owner}`;
    const arn = `arn:aws:ram:${f.region}:${owner}:resource-share/${stableUuid(`${owner}/${f.region}/${f.name}`)}`;
    const share: ResourceShare = {
      arn,
      name: f.name,
      owner,
      region: f.region,
      allowExternalPrincipals: f.allowExternalPrincipals ?? true,
      permissionName: f.permission ?? ECS_SHARE_PERMISSION,
      resources: [],
      principals: [],
      createdAt,
      updatedAt: createdAt,
    };
    for (const ref of f.resources ?? []) {
      const ns = ref.startsWith("arn:")
        ? this.namespaces.get(ref)
        : [...this.namespaces.values()].find((n) => n.owner === owner && n.region === f.region && n.name === ref);
      if (!ns) throw new Error(`${where}: no namespace ${ref} in account ${owner} region ${f.region}`);
      // [CM] "To share a namespace, you must own it"; RAM shares are regional.
      if (ns.owner !== owner || ns.region !== f.region)
        throw new Error(`${where}: namespace ${ns.arn} is not this account's in ${f.region}`);
      share.resources.push({ arn: ns.arn, createdAt });
    }
    const ownerOrg = this.organizationOf(owner);
    for (const p of f.principals ?? []) {
      const principal = typeof p === "string" ? p : p.account;
      const invitation = typeof p === "string" ? undefined : p.invitation;
      if (/^arn:aws:organizations::\d{12}:organization\/o-[a-z0-9]+$/.test(principal)) {
        // Sharing with an organization needs sharing with AWS Organizations enabled [RAM].
        if (!ownerOrg || ownerOrg.arn !== principal) throw new Error(`${where}: ${principal} is not the owner's organization`);
        if (!ownerOrg.ramSharingEnabled)
          throw new Error(`${where}: sharing with the organization needs RAM sharing with AWS Organizations enabled`);
        share.principals.push({ principal, external: false, createdAt, updatedAt: createdAt });
        continue;
      }
      if (!/^\d{12}$/.test(principal)) throw new Error(`${where}: principal ${principal} is neither an account id nor an organization ARN`);
      if (principal === owner) throw new Error(`${where}: a share's principals are other accounts, not its owner`);
      const inOrg = ownerOrg?.accounts.has(principal) ?? false;
      // [CM] namespace consumers are accounts inside the owner's organization. (RAM itself allows
      // external principals where allowExternalPrincipals is true; for namespaces the Cloud Map guide
      // lists only consumers inside the organization: the stricter reading, refused here.)
      if (!inOrg)
        throw new Error(
          `${where}: account ${principal} is not in the owner's organization; Cloud Map namespaces are shared only inside it`,
        );
      const auto = ownerOrg?.ramSharingEnabled ?? false;
      if (auto && invitation)
        throw new Error(`${where}: no invitation is used for ${principal} (same organization, RAM sharing with Organizations enabled)`);
      const assoc: PrincipalAssociation = { principal, external: false, createdAt, updatedAt: createdAt };
      if (!auto) {
        const status = invitation ?? "PENDING";
        if (!["PENDING", "ACCEPTED", "REJECTED", "EXPIRED"].includes(status))
          throw new Error(`${where}: invitation ${status} is not PENDING, ACCEPTED, REJECTED or EXPIRED`);
        assoc.invitation = {
          arn: `arn:aws:ram:${f.region}:${owner}:resource-share-invitation/${stableUuid(`${arn}/${principal}`)}`,
          shareArn: arn,
          shareName: f.name,
          sender: owner,
          receiver: principal,
          status,
          createdAt,
        };
      }
      share.principals.push(assoc);
    }
    this.shares.push(share);
    return share;
  }

  /**
   * The principal association's status [TF]: an invited account is ASSOCIATING until it accepts,
   * ASSOCIATED after. What a REJECTED or EXPIRED invitation leaves is not documented in the sources
   * read: modelled as DISASSOCIATED (no access), the stricter reading.
   */
  associationStatus(a: PrincipalAssociation): AssociationStatus {
    if (!a.invitation) return "ASSOCIATED";
    return a.invitation.status === "ACCEPTED" ? "ASSOCIATED" : a.invitation.status === "PENDING" ? "ASSOCIATING" : "DISASSOCIATED";
  }

  /** The association through which `account` is a principal of `share`, if any. */
  associationFor(share: ResourceShare, account: string): PrincipalAssociation | undefined {
    return (
      share.principals.find((p) => p.principal === account) ??
      share.principals.find((p) => p.principal.startsWith("arn:aws:organizations:") && this.organizationOf(account)?.arn === p.principal)
    );
  }

  /** Whether `account` has access to `share` now (an ASSOCIATED principal association). */
  hasAccess(share: ResourceShare, account: string): boolean {
    const a = this.associationFor(share, account);
    return a !== undefined && this.associationStatus(a) === "ASSOCIATED";
  }

  /** Shares through which `account` currently reaches `ns` (none for the owner, who needs none). */
  sharesGranting(ns: CloudMapNamespace, account: string): ResourceShare[] {
    return this.shares.filter(
      (s) => s.owner === ns.owner && s.region === ns.region && s.resources.some((r) => r.arn === ns.arn) && this.hasAccess(s, account),
    );
  }

  /** [CM]/[RAM]: the owner sees its namespace; another account once a share grants it access. */
  visibleTo(ns: CloudMapNamespace, account: string): boolean {
    return ns.owner === account || this.sharesGranting(ns, account).length > 0;
  }

  /**
   * A namespace as GetNamespace's Id names it, seen from `account` in `region`: an ARN (own or
   * shared namespace), or an ID (own namespaces only: "For namespaces shared with your AWS account,
   * specify the namespace ARN", https://docs.aws.amazon.com/cloud-map/latest/api/API_GetNamespace.html).
   */
  lookup(ref: string, account: string, region: string): CloudMapNamespace | undefined {
    const arn = parseNamespaceArn(ref);
    const ns = arn
      ? this.namespaces.get(ref)
      : [...this.namespaces.values()].find((n) => n.owner === account && n.region === region && n.id === ref);
    if (!ns || ns.region !== region || !this.visibleTo(ns, account)) return undefined;
    return ns;
  }

  /** Namespaces `account` sees in `region` (ListNamespaces: "created by … and shared with" it). */
  visibleIn(account: string, region: string): CloudMapNamespace[] {
    return [...this.namespaces.values()].filter((n) => n.region === region && this.visibleTo(n, account));
  }

  /**
   * What ECS's serviceConnectConfiguration.namespace resolves to for a service of `account` in
   * `region` ("The namespace name or full ARN", botocore ecs ServiceConnectConfiguration.namespace):
   * a name finds only the account's own namespaces, an ARN also a shared one [ECS] — provided the
   * share uses AWSRAMPermissionCloudMapECSFullPermission [ECS]. What ECS answers for a share with
   * another permission is not documented: modelled as the same NamespaceNotFoundException (stricter).
   */
  usableByEcs(ref: string, account: string, region: string): CloudMapNamespace | undefined {
    const arn = parseNamespaceArn(ref);
    if (!arn) return [...this.namespaces.values()].find((n) => n.owner === account && n.region === region && n.name === ref);
    const ns = this.namespaces.get(ref);
    if (!ns || ns.region !== region) return undefined;
    if (ns.owner === account) return ns;
    return this.sharesGranting(ns, account).some((s) => s.permissionName === ECS_SHARE_PERMISSION) ? ns : undefined;
  }

  /** Invitations `account` has received. */
  invitationsFor(account: string): ShareInvitation[] {
    return this.shares.flatMap((s) =>
      s.principals.flatMap((p) => (p.invitation && p.invitation.receiver === account ? [p.invitation] : [])),
    );
  }

  shareByArn(arn: string): ResourceShare | undefined {
    return this.shares.find((s) => s.arn === arn);
  }

  /** Builds the sharing state of a fixture: organizations first, then namespaces, then shares. */
  seed(
    fixture: Fixture,
    accounts: { id: string; namespaces?: NamespaceFixture[]; resourceShares?: ResourceShareFixture[] }[],
    createdAt: number,
  ): void {
    for (const o of fixture.organizations ?? []) this.addOrganization(o);
    for (const a of accounts) for (const n of a.namespaces ?? []) this.addNamespace(a.id, n, createdAt);
    for (const a of accounts) for (const s of a.resourceShares ?? []) this.addShare(a.id, s, createdAt);
  }
}
