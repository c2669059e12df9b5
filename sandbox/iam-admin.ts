// Admin side of IAM (issue 18): apply an IAM "mesh" document to the sandbox's accounts, remove one
// action from it again, read it back, and hand out a task role's credentials as ECS would give them
// to a running task. These are not AWS APIs (no AWS caller is involved); the documents they accept
// are checked as IAM checks them, so a mesh the sandbox accepts is one IAM would accept too.
//
// The document (POST /_sandbox/iam/apply, SandboxAdmin.applyIam) — see sandbox/README.md:
//
//   { "accounts": [ {
//       "account": "222222222222",
//       "roles": [ { "name": "deployer", "path": "/", "description": "…", "maxSessionDuration": 3600,
//                    "trustPolicy": {…}, "inlinePolicies": { "deploy": {…} },
//                    "managedPolicies": ["arn:aws:iam::222222222222:policy/x"], "permissionsBoundary": "arn:…" } ],
//       "policies": [ { "name": "x", "path": "/", "description": "…", "document": {…} } ],
//       "users": [ { "name": "ci", "inlinePolicies": {…}, "managedPolicies": […] } ],
//       "oidcProviders": [ { "url": "https://token.actions.githubusercontent.com", "clientIds": ["sts.amazonaws.com"] } ],
//       "repositoryPolicies": [ { "region": "eu-west-1", "repository": "shop/api", "policy": {…} } ]
//   } ] }
//
// Each role, policy and user named is created or replaced whole (a role keeps its unique id when it
// already exists, as UpdateAssumeRolePolicy / PutRolePolicy would); entities the document does not
// name are left alone; a user keeps its access keys. Every account must exist in the sandbox and
// every repository of `repositoryPolicies` too. Nothing is changed unless the whole document is valid.
import { randomBytes } from "node:crypto";
import { evaluate } from "./iam-eval.js";
import type { ManagedPolicyFixture, PolicyDocument, PolicyStatement, RoleFixture, UserFixture } from "./fixture.js";
import { randomId, type IamRole, type IamUser, type World } from "./world.js";

export interface IamApplyAccount {
  account: string;
  roles?: RoleFixture[];
  policies?: ManagedPolicyFixture[];
  users?: Omit<UserFixture, "accessKeys">[];
  oidcProviders?: { url: string; clientIds: string[] }[];
  repositoryPolicies?: { region: string; repository: string; policy: PolicyDocument | null }[];
}

export interface IamApplyDocument {
  accounts: IamApplyAccount[];
}

export interface IamApplyResult {
  /** "ACCOUNT role NAME", "ACCOUNT policy NAME", "ACCOUNT user NAME", "ACCOUNT repository REGION/NAME", "ACCOUNT oidc-provider URL". */
  applied: string[];
}

/** POST /_sandbox/iam/remove-action */
export interface RemoveActionRequest {
  account: string;
  /** The action as written in the policy (matched case-insensitively, wildcards literally). */
  action: string;
  /** Where from (exactly one): a role's or a user's identity policies (inline and this account's customer managed ones attached), or a repository's policy. */
  role?: string;
  user?: string;
  repository?: { region: string; name: string };
  /** With `role`: "identity" (default) or "trust" (the role's trust policy). */
  from?: "identity" | "trust";
  /** Only this inline policy name or customer managed policy name. */
  policy?: string;
}

export interface RemovedAction {
  /** e.g. "role deployer inline policy deploy", "role deployer trust policy", "repository eu-west-1/shop/api policy". */
  where: string;
  /** The statement's Sid, or its index ("#2") when it has none. */
  statement: string;
  /** True when the statement had no other action and was removed. */
  statementRemoved: boolean;
}

export class IamAdminError extends Error {}

// ---------- policy validation (as IAM validates documents it stores) ----------

const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);
const ACTION_RE = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;

/**
 * Structural checks IAM makes on a policy it stores (MalformedPolicyDocument otherwise):
 * Version 2012-10-17 / 2008-10-17, Statement non-empty, Effect Allow|Deny, one of Action/NotAction;
 * identity policies need Resource/NotResource and must not name a Principal ("Policy document should
 * not specify a principal.": https://github.com/hashicorp/terraform/issues/13449); trust and resource
 * policies must name one ("The passed in policy has a statement with no principals!":
 * https://github.com/terraform-aws-modules/terraform-aws-iam/issues/47). Grammar:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
export function policyErrors(doc: unknown, kind: "identity" | "trust" | "resource"): string[] {
  const errors: string[] = [];
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return ["not a JSON object"];
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!["Version", "Id", "Statement"].includes(k)) errors.push(`unknown element ${k}`);
  if (d.Version !== undefined && d.Version !== "2012-10-17" && d.Version !== "2008-10-17")
    errors.push(`Version ${String(d.Version)} is not 2012-10-17`);
  const statements = Array.isArray(d.Statement) ? d.Statement : d.Statement !== undefined ? [d.Statement] : [];
  if (statements.length === 0) errors.push("no Statement");
  statements.forEach((raw, i) => {
    const at = `Statement[${i}]`;
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
      errors.push(`${at} is not an object`);
      return;
    }
    const s = raw as Record<string, unknown>;
    for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) errors.push(`${at}: unknown element ${k}`);
    if (s.Effect !== "Allow" && s.Effect !== "Deny") errors.push(`${at}: Effect must be Allow or Deny`);
    const actions = s.Action ?? s.NotAction;
    if ((s.Action === undefined) === (s.NotAction === undefined)) errors.push(`${at}: exactly one of Action or NotAction`);
    const list = ([] as unknown[]).concat(actions ?? []);
    if (actions !== undefined && list.length === 0) errors.push(`${at}: empty Action`);
    for (const a of list)
      if (typeof a !== "string" || !ACTION_RE.test(a)) errors.push(`${at}: action ${JSON.stringify(a)} is not service:Action`);
    const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
    if (kind === "identity") {
      if (hasPrincipal) errors.push(`${at}: Policy document should not specify a principal`);
      if (s.Resource === undefined && s.NotResource === undefined) errors.push(`${at}: one of Resource or NotResource is required`);
    } else if (!hasPrincipal) {
      errors.push(`${at}: The passed in policy has a statement with no principals`);
    }
    if (s.Condition !== undefined && (typeof s.Condition !== "object" || s.Condition === null || Array.isArray(s.Condition)))
      errors.push(`${at}: Condition must be an object`);
  });
  return errors;
}

function principalArns(doc: PolicyDocument): string[] {
  const statements: PolicyStatement[] = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const out: string[] = [];
  for (const s of statements) {
    const p = s.Principal as Record<string, unknown> | string | undefined;
    if (!p || typeof p === "string") continue;
    for (const v of ([] as unknown[]).concat(p.AWS ?? [])) if (typeof v === "string") out.push(v);
  }
  return out;
}

// ---------- apply ----------

/** Validates the whole document first, then applies it. Throws IamAdminError listing every problem. */
export function applyIam(world: World, doc: IamApplyDocument, now = Date.now()): IamApplyResult {
  if (!doc || typeof doc !== "object" || !Array.isArray(doc.accounts))
    throw new IamAdminError('the document must be { "accounts": [ … ] }');
  const problems: string[] = [];
  const check = (where: string, policy: unknown, kind: "identity" | "trust" | "resource") => {
    for (const e of policyErrors(policy, kind)) problems.push(`${where}: MalformedPolicyDocument: ${e}`);
  };
  // Roles and users that will exist afterwards (for "Invalid principal in policy").
  const willExist = new Set<string>();
  for (const a of doc.accounts) {
    for (const r of a.roles ?? []) willExist.add(`arn:aws:iam::${a.account}:role${r.path ?? "/"}${r.name}`);
    for (const u of a.users ?? []) willExist.add(`arn:aws:iam::${a.account}:user${u.path ?? "/"}${u.name}`);
  }
  const exists = (arn: string) => willExist.has(arn) || world.roleByArn(arn)?.arn === arn || world.userByArn(arn)?.arn === arn;

  for (const a of doc.accounts) {
    const acct = typeof a.account === "string" ? world.account(a.account) : undefined;
    if (!acct) {
      problems.push(`account ${String(a.account)}: not an account of this sandbox`);
      continue;
    }
    const newPolicies = new Set((a.policies ?? []).map((p) => `arn:aws:iam::${a.account}:policy${p.path ?? "/"}${p.name}`));
    const managedOk = (arn: string) => newPolicies.has(arn) || world.policyByArn(arn) !== undefined;
    for (const p of a.policies ?? []) {
      if (typeof p.name !== "string" || !/^[\w+=,.@-]{1,128}$/.test(p.name))
        problems.push(`account ${a.account} policy ${String(p.name)}: not a valid policy name`);
      check(`account ${a.account} policy ${p.name}`, p.document, "identity");
    }
    for (const r of a.roles ?? []) {
      const where = `account ${a.account} role ${String(r.name)}`;
      if (typeof r.name !== "string" || !/^[\w+=,.@-]{1,64}$/.test(r.name)) problems.push(`${where}: not a valid role name`);
      check(`${where} trustPolicy`, r.trustPolicy, "trust");
      for (const [name, p] of Object.entries(r.inlinePolicies ?? {})) check(`${where} inline policy ${name}`, p, "identity");
      for (const arn of r.managedPolicies ?? []) if (!managedOk(arn)) problems.push(`${where}: NoSuchEntity: policy ${arn} does not exist`);
      if (r.permissionsBoundary && !managedOk(r.permissionsBoundary))
        problems.push(`${where}: NoSuchEntity: boundary ${r.permissionsBoundary} does not exist`);
      if (
        r.maxSessionDuration !== undefined &&
        !(Number.isInteger(r.maxSessionDuration) && r.maxSessionDuration >= 3600 && r.maxSessionDuration <= 43200)
      )
        problems.push(`${where}: maxSessionDuration must be 3600-43200`);
      // A role or user ARN in a trust policy must exist: IAM stores it as that principal's unique id
      // ("Invalid principal in policy": https://github.com/aws-actions/configure-aws-credentials/issues/332 ,
      // https://github.com/hashicorp/terraform-provider-aws/issues/8905). Only checked for accounts of this sandbox.
      if (r.trustPolicy && policyErrors(r.trustPolicy, "trust").length === 0) {
        for (const arn of principalArns(r.trustPolicy)) {
          const m = /^arn:aws:iam::(\d{12}):(role|user)\//.exec(arn);
          if (m && world.account(m[1]!) && !exists(arn))
            problems.push(`${where} trustPolicy: MalformedPolicyDocument: Invalid principal in policy: "AWS":"${arn}"`);
        }
      }
    }
    for (const u of a.users ?? []) {
      const where = `account ${a.account} user ${String(u.name)}`;
      if (typeof u.name !== "string" || !/^[\w+=,.@-]{1,64}$/.test(u.name)) problems.push(`${where}: not a valid user name`);
      for (const [name, p] of Object.entries(u.inlinePolicies ?? {})) check(`${where} inline policy ${name}`, p, "identity");
      for (const arn of u.managedPolicies ?? []) if (!managedOk(arn)) problems.push(`${where}: NoSuchEntity: policy ${arn} does not exist`);
    }
    for (const o of a.oidcProviders ?? []) {
      if (typeof o.url !== "string" || !o.url.startsWith("https://"))
        problems.push(`account ${a.account} oidc provider ${String(o.url)}: the URL must start with https://`);
      if (!Array.isArray(o.clientIds) || o.clientIds.length === 0)
        problems.push(`account ${a.account} oidc provider ${String(o.url)}: clientIds must not be empty`);
    }
    for (const rp of a.repositoryPolicies ?? []) {
      const where = `account ${a.account} repository ${String(rp.region)}/${String(rp.repository)}`;
      if (!acct.regions.get(rp.region)?.repositories.get(rp.repository))
        problems.push(`${where}: RepositoryNotFoundException: no such repository`);
      if (rp.policy !== null) check(`${where} policy`, rp.policy, "resource");
    }
  }
  if (problems.length > 0) throw new IamAdminError(`IAM document refused (nothing applied):\n  ${problems.join("\n  ")}`);

  const applied: string[] = [];
  for (const a of doc.accounts) {
    const acct = world.account(a.account)!;
    // World.addAccount creates or replaces entities by name; keep what AWS would keep.
    const keep = new Map([...acct.roles.values()].map((r) => [r.name, r]));
    const keepUsers = new Map([...acct.users.values()].map((u) => [u.name, u]));
    world.addAccount(
      {
        id: a.account,
        roles: structuredClone(a.roles ?? []),
        policies: structuredClone(a.policies ?? []),
        users: structuredClone((a.users ?? []).map((u) => ({ ...u, accessKeys: [] }))),
        oidcProviders: structuredClone(a.oidcProviders ?? []),
      },
      now,
    );
    for (const r of a.roles ?? []) {
      const before = keep.get(r.name);
      const after = acct.roles.get(r.name)!;
      if (before) Object.assign(after, { roleId: before.roleId, createdAt: before.createdAt });
      applied.push(`${a.account} role ${r.name}`);
    }
    for (const u of a.users ?? []) {
      const before = keepUsers.get(u.name);
      if (before) Object.assign(acct.users.get(u.name)!, { userId: before.userId, createdAt: before.createdAt });
      applied.push(`${a.account} user ${u.name}`);
    }
    for (const p of a.policies ?? []) applied.push(`${a.account} policy ${p.name}`);
    for (const o of a.oidcProviders ?? []) applied.push(`${a.account} oidc-provider ${o.url}`);
    for (const rp of a.repositoryPolicies ?? []) {
      const repo = acct.regions.get(rp.region)!.repositories.get(rp.repository)!;
      repo.policy = rp.policy === null ? undefined : structuredClone(rp.policy);
      applied.push(`${a.account} repository ${rp.region}/${rp.repository}`);
    }
  }
  return { applied };
}

// ---------- export ----------

export function exportIam(world: World, account: string): IamApplyAccount {
  const acct = world.account(account);
  if (!acct) throw new IamAdminError(`account ${account}: not an account of this sandbox`);
  const role = (r: IamRole): RoleFixture => ({
    name: r.name,
    path: r.path,
    ...(r.description ? { description: r.description } : {}),
    maxSessionDuration: r.maxSessionDuration,
    trustPolicy: structuredClone(r.trustPolicy),
    inlinePolicies: structuredClone(Object.fromEntries(r.inlinePolicies)),
    managedPolicies: [...r.managedPolicies],
    ...(r.permissionsBoundary ? { permissionsBoundary: r.permissionsBoundary } : {}),
  });
  const user = (u: IamUser) => ({
    name: u.name,
    path: u.path,
    inlinePolicies: structuredClone(Object.fromEntries(u.inlinePolicies)),
    managedPolicies: [...u.managedPolicies],
    ...(u.permissionsBoundary ? { permissionsBoundary: u.permissionsBoundary } : {}),
  });
  const repositoryPolicies: NonNullable<IamApplyAccount["repositoryPolicies"]> = [];
  for (const [region, r] of acct.regions) {
    for (const repo of r.repositories.values())
      if (repo.policy) repositoryPolicies.push({ region, repository: repo.name, policy: structuredClone(repo.policy) });
  }
  return {
    account,
    roles: [...acct.roles.values()].map(role),
    policies: [...acct.policies.values()].map((p) => ({
      name: p.name,
      path: p.path,
      ...(p.description ? { description: p.description } : {}),
      document: structuredClone(p.document),
    })),
    users: [...acct.users.values()].map(user),
    oidcProviders: [...acct.oidcProviders.values()].map((o) => ({ url: o.url, clientIds: [...o.clientIds] })),
    repositoryPolicies,
  };
}

// ---------- remove one action ----------

/** Removes `action` from every statement that lists it (Action only; NotAction statements are left alone). */
function removeFrom(doc: PolicyDocument, action: string, where: string, out: RemovedAction[]): PolicyDocument {
  const statements: PolicyStatement[] = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const kept: PolicyStatement[] = [];
  statements.forEach((s, i) => {
    const actions = ([] as unknown[]).concat(s.Action ?? []);
    const rest = actions.filter((a) => !(typeof a === "string" && a.toLowerCase() === action.toLowerCase()));
    if (s.Action === undefined || rest.length === actions.length) {
      kept.push(s);
      return;
    }
    const statement = typeof s.Sid === "string" && s.Sid ? s.Sid : `#${i}`;
    out.push({ where, statement, statementRemoved: rest.length === 0 });
    if (rest.length > 0) kept.push({ ...s, Action: rest.length === 1 ? rest[0] : rest });
  });
  return { ...doc, Statement: kept };
}

export function removeAction(world: World, req: RemoveActionRequest): RemovedAction[] {
  const acct = typeof req.account === "string" ? world.account(req.account) : undefined;
  if (!acct) throw new IamAdminError(`account ${String(req.account)}: not an account of this sandbox`);
  if (typeof req.action !== "string" || !req.action) throw new IamAdminError("action is required");
  const targets = [req.role, req.user, req.repository].filter((x) => x !== undefined).length;
  if (targets !== 1) throw new IamAdminError("name exactly one of role, user or repository");
  const out: RemovedAction[] = [];
  if (req.repository) {
    const repo = acct.regions.get(req.repository.region)?.repositories.get(req.repository.name);
    if (!repo) throw new IamAdminError(`account ${req.account}: no repository ${req.repository.region}/${req.repository.name}`);
    if (repo.policy)
      repo.policy = removeFrom(repo.policy, req.action, `repository ${req.repository.region}/${req.repository.name} policy`, out);
  } else {
    const entity = req.role !== undefined ? acct.roles.get(req.role) : acct.users.get(req.user!);
    const label = req.role !== undefined ? `role ${req.role}` : `user ${String(req.user)}`;
    if (!entity) throw new IamAdminError(`account ${req.account}: no ${label}`);
    if (req.from === "trust") {
      if (req.role === undefined) throw new IamAdminError('from "trust" needs a role');
      const role = entity as IamRole;
      role.trustPolicy = removeFrom(role.trustPolicy, req.action, `${label} trust policy`, out);
    } else {
      for (const [name, doc] of entity.inlinePolicies) {
        if (req.policy !== undefined && req.policy !== name) continue;
        entity.inlinePolicies.set(name, removeFrom(doc, req.action, `${label} inline policy ${name}`, out));
      }
      for (const arn of entity.managedPolicies) {
        const p = world.policyByArn(arn);
        // AWS managed policies cannot be edited; customer managed ones of this account can.
        if (!p || !arn.startsWith(`arn:aws:iam::${req.account}:`) || (req.policy !== undefined && req.policy !== p.name)) continue;
        p.document = removeFrom(p.document, req.action, `${label} managed policy ${p.name}`, out);
      }
    }
  }
  if (out.length === 0) throw new IamAdminError(`${req.action} is not in any matching policy statement (nothing removed)`);
  return out;
}

// ---------- task-role credentials ----------

export interface TaskRoleCredentialsRequest {
  account: string;
  /** Role name (or ARN) of the task role. */
  role: string;
  /** Region and cluster of the (pretend) task: they make its aws:SourceArn (default eu-west-1, "default"). */
  region?: string;
  cluster?: string;
  /** The session name (default: a random 32-hex task id). */
  taskId?: string;
  /** Lifetime in seconds (default 3600). */
  seconds?: number;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  /** arn:aws:sts::ACCOUNT:assumed-role/ROLE/TASK_ID */
  arn: string;
}

/**
 * The credentials a task running with `role` gets: a session of the role, issued only when the
 * role's trust lets ecs-tasks.amazonaws.com assume it with the task's aws:SourceAccount and
 * aws:SourceArn (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID), the keys ECS sends for the confused-
 * deputy conditions (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html;
 * a task-ARN wildcard works, a cluster-scoped one does not:
 * https://github.com/awsdocs/amazon-ecs-developer-guide/issues/208). What the session may then do —
 * e.g. sts:AssumeRole into another account — goes through the same evaluation as any caller (the
 * STS AssumeRole handler, services/sts.ts).
 */
export async function issueTaskRoleCredentials(
  world: World,
  req: TaskRoleCredentialsRequest,
  now = Date.now(),
): Promise<IssuedCredentials> {
  const name = typeof req.role === "string" ? req.role.replace(/^arn:aws:iam::\d{12}:role\/(?:.*\/)?/, "") : "";
  const role = world.account(String(req.account))?.roles.get(name);
  if (!role) throw new IamAdminError(`no role ${String(req.role)} in account ${String(req.account)}`);
  const region = req.region ?? "eu-west-1";
  const taskId = req.taskId ?? randomBytes(16).toString("hex");
  if (!/^[\w+=,.@-]{2,64}$/.test(taskId)) throw new IamAdminError(`taskId ${taskId} is not a valid session name`);
  const seconds = req.seconds ?? 3600;
  if (!(typeof seconds === "number" && seconds > 0)) throw new IamAdminError(`seconds must be a number > 0 (got ${String(seconds)})`);
  const trust = await evaluate({
    principalArn: "ecs-tasks.amazonaws.com",
    principalAccount: role.account,
    policies: [],
    action: "sts:AssumeRole",
    resource: role.arn,
    resourceAccount: role.account,
    context: {
      "aws:SourceAccount": role.account,
      "aws:SourceArn": `arn:aws:ecs:${region}:${role.account}:task/${req.cluster ?? "default"}/${taskId}`,
    },
    resourcePolicy: role.trustPolicy,
  });
  if (trust.decision !== "allowed")
    throw new IamAdminError(`role ${role.arn} does not let ecs-tasks.amazonaws.com assume it: ECS cannot give a task its credentials`);
  const accessKeyId = randomId("ASIA", 16);
  const secretAccessKey = randomBytes(30).toString("base64url").slice(0, 40);
  const sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(96).toString("base64")}`;
  const expiresAt = now + seconds * 1000;
  world.accessKeys.set(accessKeyId, {
    accessKeyId,
    secret: secretAccessKey,
    sessionToken,
    expiresAt,
    principal: { kind: "assumed-role", account: role.account, roleName: role.name, sessionName: taskId },
  });
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    expiration: new Date(expiresAt).toISOString(),
    arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${taskId}`,
  };
}
