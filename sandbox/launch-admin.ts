// The admin side of what tasks need at launch and of IAM guardrails: what a test changes "from
// outside AWS" to plant one launch-time failure (a missing secret, a log group deleted, an execution
// role without ECR pull, an SCP denying iam:PassRole, a boundary, a key without kms:Decrypt …).
// In-process through SandboxAdmin (admin.ts), over HTTP under /_sandbox/ (routes below).
import type { PolicyDocument } from "./fixture.js";
import {
  createKmsKey,
  createLogGroup,
  organizationMembership,
  putParameter,
  putSecret,
  type KmsKeyFixture,
  type OrganizationFixture,
  type ParameterFixture,
  type SecretFixture,
} from "./launch-resources.js";
import { parseRepositoryUri } from "./fixture.js";
import type { IamRole, World } from "./world.js";

export interface RoleRef {
  account: string;
  /** The role's name (not its ARN). */
  role: string;
}

export interface LaunchAdmin {
  /** Adds or replaces an inline policy of a role (iam:PutRolePolicy). */
  putRolePolicy(a: RoleRef & { name: string; document: PolicyDocument }): void;
  /** Removes an inline policy of a role. */
  deleteRolePolicy(a: RoleRef & { name: string }): void;
  /** Attaches a managed policy (arn:aws:iam::aws:policy/… or a customer managed one of the account). */
  attachRolePolicy(a: RoleRef & { policyArn: string }): void;
  /** Detaches a managed policy, e.g. AmazonECSTaskExecutionRolePolicy from shop-api-exec. */
  detachRolePolicy(a: RoleRef & { policyArn: string }): void;
  /**
   * Sets a role's permissions boundary: a policy document (stored as the customer managed policy
   * `<role>-boundary`), an existing policy ARN, or null to remove it. Returns the boundary's ARN.
   */
  setPermissionsBoundary(a: RoleRef & { document?: PolicyDocument; policyArn?: string | null }): string | undefined;
  /** Makes the account a member of an organization with these SCPs (FullAWSAccess too unless fullAWSAccess: false); null: no organization. */
  setServiceControlPolicies(a: { account: string; organization: OrganizationFixture | null }): void;
  /** SSM parameter (default SecureString under the AWS managed key): created or overwritten. Returns its ARN. */
  putParameter(a: { account: string } & ParameterFixture): string;
  deleteParameter(a: { account: string; region: string; name: string }): void;
  /** Secrets Manager secret: created or overwritten. Returns its ARN (with the six-character suffix). */
  putSecret(a: { account: string } & SecretFixture): string;
  deleteSecret(a: { account: string; region: string; name: string }): void;
  createLogGroup(a: { account: string; region: string; name: string }): string;
  deleteLogGroup(a: { account: string; region: string; name: string }): void;
  /** A customer managed KMS key (default key policy unless `policy`). Returns its id and ARN. */
  createKmsKey(a: { account: string } & KmsKeyFixture): { keyId: string; arn: string };
  /** Sets (or with null removes) an ECR repository's policy, by repository URI. */
  setRepositoryPolicy(a: { repositoryUri: string; policy: PolicyDocument | null }): void;
}

export class LaunchAdminImpl implements LaunchAdmin {
  constructor(protected readonly launchWorld: World) {}

  private role(a: RoleRef): IamRole {
    const r = this.launchWorld.account(a.account)?.roles.get(a.role);
    if (!r) throw new Error(`no role ${a.role} in account ${a.account}`);
    return r;
  }

  putRolePolicy(a: RoleRef & { name: string; document: PolicyDocument }): void {
    if (!a.name || !a.document) throw new Error("putRolePolicy: name and document are required");
    this.role(a).inlinePolicies.set(a.name, structuredClone(a.document));
  }

  deleteRolePolicy(a: RoleRef & { name: string }): void {
    if (!this.role(a).inlinePolicies.delete(a.name)) throw new Error(`role ${a.role} has no inline policy ${a.name}`);
  }

  attachRolePolicy(a: RoleRef & { policyArn: string }): void {
    if (!this.launchWorld.policyByArn(a.policyArn)) throw new Error(`no managed policy ${a.policyArn}`);
    const r = this.role(a);
    if (!r.managedPolicies.includes(a.policyArn)) r.managedPolicies.push(a.policyArn);
  }

  detachRolePolicy(a: RoleRef & { policyArn: string }): void {
    const r = this.role(a);
    const before = r.managedPolicies.length;
    r.managedPolicies = r.managedPolicies.filter((p) => p !== a.policyArn);
    if (r.managedPolicies.length === before) throw new Error(`role ${a.role} has no attached policy ${a.policyArn}`);
  }

  setPermissionsBoundary(a: RoleRef & { document?: PolicyDocument; policyArn?: string | null }): string | undefined {
    const r = this.role(a);
    if (a.policyArn === null) {
      delete r.permissionsBoundary;
      return undefined;
    }
    if (a.policyArn) {
      if (!this.launchWorld.policyByArn(a.policyArn)) throw new Error(`no managed policy ${a.policyArn}`);
      r.permissionsBoundary = a.policyArn;
      return a.policyArn;
    }
    if (!a.document) throw new Error("setPermissionsBoundary: document, policyArn or policyArn: null is required");
    this.launchWorld.addAccount({
      id: a.account,
      policies: [{ name: `${a.role}-boundary`, description: "Permissions boundary (sandbox admin).", document: a.document }],
    });
    r.permissionsBoundary = `arn:aws:iam::${a.account}:policy/${a.role}-boundary`;
    return r.permissionsBoundary;
  }

  setServiceControlPolicies(a: { account: string; organization: OrganizationFixture | null }): void {
    const acct = this.launchWorld.account(a.account);
    if (!acct) throw new Error(`no account ${a.account}`);
    if (a.organization === null) delete acct.organization;
    else acct.organization = organizationMembership(a.organization);
  }

  putParameter(a: { account: string } & ParameterFixture): string {
    return putParameter(this.launchWorld, a.account, a, "arn:aws:sts::" + a.account + ":assumed-role/admin/human").arn;
  }

  deleteParameter(a: { account: string; region: string; name: string }): void {
    if (!this.launchWorld.account(a.account)?.regions.get(a.region)?.parameters.delete(a.name)) throw new Error(`no parameter ${a.name}`);
  }

  putSecret(a: { account: string } & SecretFixture): string {
    return putSecret(this.launchWorld, a.account, a).arn;
  }

  deleteSecret(a: { account: string; region: string; name: string }): void {
    if (!this.launchWorld.account(a.account)?.regions.get(a.region)?.secrets.delete(a.name)) throw new Error(`no secret ${a.name}`);
  }

  createLogGroup(a: { account: string; region: string; name: string }): string {
    return createLogGroup(this.launchWorld, a.account, a).arn;
  }

  deleteLogGroup(a: { account: string; region: string; name: string }): void {
    if (!this.launchWorld.account(a.account)?.regions.get(a.region)?.logGroups.delete(a.name)) throw new Error(`no log group ${a.name}`);
  }

  createKmsKey(a: { account: string } & KmsKeyFixture): { keyId: string; arn: string } {
    const k = createKmsKey(this.launchWorld, a.account, a);
    return { keyId: k.keyId, arn: k.arn };
  }

  setRepositoryPolicy(a: { repositoryUri: string; policy: PolicyDocument | null }): void {
    const ref = parseRepositoryUri(a.repositoryUri);
    const repo = ref ? this.launchWorld.account(ref.account)?.regions.get(ref.region)?.repositories.get(ref.name) : undefined;
    if (!repo) throw new Error(`no repository ${a.repositoryUri}`);
    if (a.policy === null) delete repo.policy;
    else repo.policy = structuredClone(a.policy);
  }
}

/** POST /_sandbox/<route> → the LaunchAdmin method (JSON body = its argument; the answer is its result). */
export const LAUNCH_ADMIN_ROUTES: Record<string, keyof LaunchAdmin> = {
  "/_sandbox/iam/role-policy": "putRolePolicy",
  "/_sandbox/iam/role-policy/delete": "deleteRolePolicy",
  "/_sandbox/iam/role-policy/attach": "attachRolePolicy",
  "/_sandbox/iam/role-policy/detach": "detachRolePolicy",
  "/_sandbox/iam/permissions-boundary": "setPermissionsBoundary",
  "/_sandbox/organizations/scps": "setServiceControlPolicies",
  "/_sandbox/ssm/parameters": "putParameter",
  "/_sandbox/ssm/parameters/delete": "deleteParameter",
  "/_sandbox/secrets": "putSecret",
  "/_sandbox/secrets/delete": "deleteSecret",
  "/_sandbox/logs/log-groups": "createLogGroup",
  "/_sandbox/logs/log-groups/delete": "deleteLogGroup",
  "/_sandbox/kms/keys": "createKmsKey",
  "/_sandbox/ecr/repository-policy": "setRepositoryPolicy",
};

export function handleLaunchAdminRoute(
  admin: LaunchAdmin,
  method: string,
  path: string,
  input: Record<string, unknown>,
): { result: unknown } | undefined {
  const name = method === "POST" ? LAUNCH_ADMIN_ROUTES[path] : undefined;
  if (!name) return undefined;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with `admin` as `this` below
  const fn = admin[name] as (a: unknown) => unknown;
  return { result: fn.call(admin, input) ?? { ok: true } };
}
