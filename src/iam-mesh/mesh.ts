// The IAM mesh of a deploy repository, as data: every account's roles (trust and inline policy) and
// the central repository's policy, built from the configuration, each target's rendered task
// definition and the actions table (actions.ts). Pure: no AWS call, no file. The formats
// (format-json.ts, format-terraform.ts, format-cloudformation.ts) only write it out.
//
//   CI account        deployer-ci    (GitHub OIDC: main / environments)  -> assumes deploy + viewer roles
//                     deployer-plan  (GitHub OIDC: pull_request)         -> assumes viewer roles only
//   registry account  [image.registryRole]                               -> reads the central repository
//                     central repository policy                          -> the targets' execution roles may pull
//   each target       deployRole     (trusts deployer-ci + ExternalId)   -> exactly what a rollout sends
//                     viewRole       (trusts both CI roles + ExternalId) -> reads + SimulatePrincipalPolicy on deployRole
//                     taskRole       (trusts ECS tasks of its account)   -> trust only: its permissions are the application's
//                     executionRole  (trusts ECS tasks of its account)   -> pull, logs, secrets of the rendered definition
import type { PolicyDocument, PolicyStatement } from "../aws/ports.js";
import type { Project } from "../config/types.js";
import { DeployerError, DeployerErrors, type SourceLocation } from "../errors.js";
import { accountRootArn, parseEcrRepository, parseRoleArn, partitionOf, repositoryArn } from "../config/aws-names.js";
import { collectSensitiveValues, containsSensitive } from "../render/redact.js";
import { REQUIRED_ACTIONS, actionsFor, type ActionCondition, type MeshRoleKind, type ResourceKind } from "./actions.js";
import { targetResources, type MeshTarget, type Resolved } from "./resources.js";
import {
  branchSubject,
  ciRolesTrust,
  ecsTasksTrust,
  environmentSubject,
  githubOidcProviderArn,
  githubTrust,
  pullRequestSubject,
  type GithubRepository,
} from "./trust.js";

export type { MeshTarget } from "./resources.js";

/** The kinds of role in the mesh: those with a policy from the table, and the task role (trust only). */
export type RoleKind = MeshRoleKind | "task";

export interface MeshOptions {
  github: GithubRepository & {
    /** Branches the deploy CI role is assumable from (`refs/heads/…`). */
    branches: string[];
    /** GitHub Environments the deploy CI role is assumable from (jobs with `environment:`). */
    environments: string[];
  };
  /** The account of the CI roles; default: the central repository's. */
  ciAccount?: string;
  /** Names of the CI roles; default deployer-ci and deployer-plan. */
  ciRoleNames?: { deploy?: string; plan?: string };
  /** The OIDC audience; default sts.amazonaws.com. */
  audience?: string;
}

export type TrustSpec =
  | { kind: "github"; providerArn: string; audience: string; subjects: string[] }
  | { kind: "ci-roles"; ciAccount: string; principals: string[]; externalIds: string[] }
  | { kind: "ecs-tasks"; sourceAccount: string };

export interface MeshRole {
  arn: string;
  account: string;
  partition: string;
  /** The name without its path. */
  name: string;
  /** `/` or `/a/b/`. */
  path: string;
  kinds: RoleKind[];
  /** Targets whose configuration names this role (none for the CI roles). */
  targets: string[];
  description: string;
  trust: TrustSpec;
  trustPolicy: PolicyDocument;
  /** The resources of its statements, per kind (the union over its targets). */
  resources: Resolved;
  /** Its inline policy; absent for a task role (the application's permissions are not deployer's). */
  policy?: { name: string; document: PolicyDocument };
  /** A deploy role whose targets all have a viewer role: preflight reads as the viewer, so it gets only what a rollout sends. */
  readsByViewer?: true;
}

export interface MeshRepositoryPolicy {
  account: string;
  region: string;
  repository: string;
  arn: string;
  /** Accounts and execution roles granted the pull; accounts and CI roles granted the reads. */
  pullers: { accounts: string[]; roles: string[] };
  readers: { accounts: string[]; roles: string[] };
  policy: PolicyDocument;
}

export interface MeshAccount {
  account: string;
  partition: string;
  roles: MeshRole[];
  repositoryPolicies: MeshRepositoryPolicy[];
}

export interface IamMesh {
  ci: {
    account: string;
    partition: string;
    providerArn: string;
    audience: string;
    deployRole: string;
    /** Absent when no target has a viewer role (the plan role could reach nothing). */
    planRole?: string;
    subjects: { deploy: string[]; plan: string[] };
  };
  accounts: MeshAccount[];
  /** What the person applying the mesh must know (printed with it). */
  notes: string[];
}

/** Inline policy name per kind. */
export const POLICY_NAME: Record<MeshRoleKind, string> = {
  "ci-deploy": "deployer-ci",
  "ci-plan": "deployer-plan",
  registry: "deployer-registry",
  deploy: "deploy",
  view: "view",
  execution: "execution",
};

const KIND_ORDER: RoleKind[] = ["ci-deploy", "ci-plan", "registry", "deploy", "view", "task", "execution"];

/** IAM's limit on a role's inline policies, in characters without whitespace (IAM and STS quotas). */
export const ROLE_POLICY_LIMIT = 10240;

export interface StatementGroup {
  sid: string;
  actions: string[];
  resources: ResourceKind[];
  condition?: ActionCondition;
  onlyWith?: ResourceKind;
  /** Every row of the group is sent by preflight only (actions.ts preflightOnly). */
  preflightOnly?: true;
}

/** The statements of a role kind, from the actions table: rows with the same sid form one statement (actions and resources united). */
export function statementGroups(kind: MeshRoleKind): StatementGroup[] {
  const groups: StatementGroup[] = [];
  for (const row of actionsFor(kind)) {
    const g = groups.find((x) => x.sid === row.sid);
    if (g) {
      if (!row.preflightOnly) delete g.preflightOnly;
      if (!g.actions.includes(row.action)) g.actions.push(row.action);
      for (const r of row.resources) if (!g.resources.includes(r)) g.resources.push(r);
      continue;
    }
    groups.push({
      sid: row.sid,
      actions: [row.action],
      resources: [...row.resources],
      ...(row.condition ? { condition: row.condition } : {}),
      ...(row.onlyWith ? { onlyWith: row.onlyWith } : {}),
      ...(row.preflightOnly ? { preflightOnly: true as const } : {}),
    });
  }
  return groups;
}

/**
 * The Resource list of a statement group for these resources (empty: the statement is left out).
 * `readsByViewer`: the role is a deploy role whose targets all have a viewer role, which reads in
 * preflight instead (issue 18): its preflight-only statements are left out.
 */
export function groupResources(g: StatementGroup, resolved: Resolved, o: { kind?: RoleKind; readsByViewer?: boolean } = {}): string[] {
  if (g.onlyWith && (resolved[g.onlyWith] ?? []).length === 0) return [];
  if (o.readsByViewer && o.kind === "deploy" && g.preflightOnly) return [];
  return [...new Set(g.resources.flatMap((r) => resolved[r] ?? []))];
}

/** A statement group's Condition element. */
export function groupCondition(g: StatementGroup): PolicyStatement["Condition"] {
  return g.condition ? { [g.condition.operator]: { [g.condition.key]: one(g.condition.values) } } : undefined;
}

/** The inline policy of a role of `kinds` with these resources (undefined: no statement applies). */
export function policyDocument(kinds: RoleKind[], resolved: Resolved, o: { readsByViewer?: boolean } = {}): PolicyDocument | undefined {
  const statements: PolicyStatement[] = [];
  for (const kind of kinds) {
    if (kind === "task") continue;
    for (const g of statementGroups(kind)) {
      const resources = groupResources(g, resolved, { kind, readsByViewer: o.readsByViewer });
      if (resources.length === 0) continue;
      const s: PolicyStatement = {
        Sid: g.sid,
        Effect: "Allow",
        Action: g.actions,
        Resource: resources.length === 1 ? resources[0]! : resources,
      };
      const condition = groupCondition(g);
      if (condition) s.Condition = condition;
      statements.push(s);
    }
  }
  return statements.length > 0 ? { Version: "2012-10-17", Statement: statements } : undefined;
}

export function trustPolicy(spec: TrustSpec, ciRegion: string): PolicyDocument {
  switch (spec.kind) {
    case "github":
      return githubTrust(spec.providerArn, spec.audience, spec.subjects);
    case "ci-roles":
      return ciRolesTrust({ ciAccount: spec.ciAccount, ciRegion, principals: spec.principals, externalIds: spec.externalIds });
    case "ecs-tasks":
      return ecsTasksTrust(spec.sourceAccount);
  }
}

interface RoleDraft {
  arn: string;
  kinds: Set<RoleKind>;
  targets: string[];
  resolved: Resolved;
  /** ExternalIds per trusting kind (deploy, view): target -> its id or undefined. */
  externalIds: Map<string, string | undefined>;
  /** Deploy role: how many of its targets have no viewer role (they read in preflight as the deploy role). */
  withoutViewer: number;
  /** Where the role was named first, for errors. */
  firstSeen: { target: string; field: string; location?: SourceLocation };
}

const FIELD_OF: Record<"deploy" | "view" | "task" | "execution", string> = {
  deploy: "deployRole",
  view: "viewRole",
  task: "taskRole",
  execution: "executionRole",
};

/**
 * Builds the mesh. Throws DeployerErrors (CONFIG_INVALID) for configurations no mesh fits: a role
 * used for two purposes, targets in another partition than the CI account, a deploy role whose
 * targets disagree on having an ExternalId, a resource written from a sensitive value.
 */
export function buildMesh(project: Project, targets: MeshTarget[], o: MeshOptions): IamMesh {
  const errors: DeployerError[] = [];
  const notes: string[] = [];
  const central = parseEcrRepository(project.config.image.repository);
  if (!central)
    throw new DeployerError({
      code: "CONFIG_INVALID",
      message: `image.repository ${project.config.image.repository} is not an ECR repository URI`,
    });
  const centralArn = repositoryArn(central);
  const ciAccount = o.ciAccount ?? central.registryId;
  const ciRegion = central.region;
  const ciPartition = partitionOf(ciRegion);
  const audience = o.audience ?? "sts.amazonaws.com";
  const ciRoleArn = (name: string) => `arn:${ciPartition}:iam::${ciAccount}:role/${name}`;
  const ciDeployArn = ciRoleArn(o.ciRoleNames?.deploy ?? "deployer-ci");
  const registryRole = project.config.image.registryRole;

  const drafts = new Map<string, RoleDraft>();
  const add = (arn: string, kind: RoleKind, mt: MeshTarget | undefined, resolved: Resolved, externalId?: string): void => {
    const t = mt?.target;
    const field = t && kind in FIELD_OF ? FIELD_OF[kind as keyof typeof FIELD_OF] : undefined;
    let d = drafts.get(arn);
    if (!d) {
      d = {
        arn,
        kinds: new Set(),
        targets: [],
        resolved: {},
        externalIds: new Map(),
        withoutViewer: 0,
        firstSeen: { target: t?.name ?? "", field: field ?? kind, location: field ? t?.locations[field] : undefined },
      };
      drafts.set(arn, d);
    }
    const compatible = d.kinds.size === 0 || d.kinds.has(kind) || [...d.kinds, kind].every((k) => k === "task" || k === "execution");
    if (!compatible) {
      const was = [...d.kinds].join(" and ");
      errors.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `${arn} is ${t ? `the ${kind} role of target "${t.name}"` : `the ${kind} role`} and the ${was} role${d.firstSeen.target ? ` of target "${d.firstSeen.target}"` : ""}`,
          ...(t ? { target: t.name, account: t.account } : {}),
          ...(field && t?.locations[field] ? { location: t.locations[field], field } : {}),
          hint: "Each role of the mesh has one purpose (a deploy role writes, a viewer role only reads, a CI role only assumes): give this one a name of its own.",
        }),
      );
      return;
    }
    d.kinds.add(kind);
    if (t && !d.targets.includes(t.name)) d.targets.push(t.name);
    for (const [k, v] of Object.entries(resolved) as Array<[ResourceKind, string[]]>)
      d.resolved[k] = [...new Set([...(d.resolved[k] ?? []), ...v])];
    if (t && (kind === "deploy" || kind === "view")) d.externalIds.set(t.name, externalId);
    if (t && kind === "deploy" && !t.viewRole) d.withoutViewer++;
  };

  // ---------- the targets' roles ----------
  const deployRoles: string[] = [];
  const viewRoles: string[] = [];
  for (const mt of targets) {
    const t = mt.target;
    const partition = partitionOf(t.region);
    if (partition !== ciPartition) {
      errors.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `target "${t.name}" is in partition ${partition} (region ${t.region}), the CI account ${ciAccount} in ${ciPartition}: a role cannot trust a principal of another partition`,
          target: t.name,
          account: t.account,
          ...(t.locations["region"] ? { location: t.locations["region"], field: "region" } : {}),
          hint: `Generate the mesh of each partition separately (deployer iam --env …) with a CI account in that partition (--ci-account).`,
        }),
      );
      continue;
    }
    const resolved = targetResources(mt);
    const sensitive = collectSensitiveValues(t, mt.taskDefinition);
    const leaked = Object.entries(resolved).find(([, arns]) => arns.some((a) => containsSensitive(a, sensitive)));
    if (leaked) {
      errors.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `a ${leaked[0]} resource of target "${t.name}" is written from a sensitive value: deployer does not put it in a policy`,
          target: t.name,
          account: t.account,
          hint: "IAM policies name their resources in clear text. Take the value out of `sensitive`, or write that policy statement yourself.",
        }),
      );
      continue;
    }
    const pick = (...kinds: ResourceKind[]): Resolved => Object.fromEntries(kinds.map((k) => [k, resolved[k] ?? []]));
    const reads: ResourceKind[] = [
      "*",
      "cluster",
      "service",
      "service-deployments",
      "service-revisions",
      "task-role",
      "execution-role",
      "deploy-role",
      "replica-repository",
      "task-assumes",
      "service-connect-namespaces",
      // preflight's metadata reads of what tasks need at launch (issue 13)
      "ssm-parameters",
      "secrets",
      "secret-keys",
      "log-streams",
    ];
    add(t.deployRole, "deploy", mt, pick(...reads, "task-definition-revisions", "task-definition-family", "cluster-tasks"), t.externalId);
    deployRoles.push(t.deployRole);
    if (t.viewRole) {
      add(t.viewRole, "view", mt, pick(...reads), t.viewExternalId);
      viewRoles.push(t.viewRole);
    }
    add(t.taskRole, "task", mt, {});
    add(t.executionRole, "execution", mt, pick("*", "pull-repositories", "log-streams", "log-groups-created", "ssm-parameters", "secrets"));
  }

  // ---------- the CI account (and the registry role) ----------
  const gh = o.github;
  const deploySubjects = [...gh.branches.map((b) => branchSubject(gh, b)), ...gh.environments.map((e) => environmentSubject(gh, e))];
  const planSubjects = [pullRequestSubject(gh)];
  const providerArn = githubOidcProviderArn(ciAccount, ciPartition);
  const ciReads: Resolved = registryRole ? { "registry-role": [registryRole] } : { "central-repository": [centralArn] };
  add(ciDeployArn, "ci-deploy", undefined, { "deploy-roles": uniq(deployRoles), "view-roles": uniq(viewRoles), ...ciReads });
  const planArn = viewRoles.length > 0 ? ciRoleArn(o.ciRoleNames?.plan ?? "deployer-plan") : undefined;
  if (planArn) add(planArn, "ci-plan", undefined, { "view-roles": uniq(viewRoles), ...ciReads });
  else notes.push("No target has a viewRole: no pull-request plan role was generated (it could only assume viewer roles).");
  const ciPrincipals = [ciDeployArn, ...(planArn ? [planArn] : [])];
  if (registryRole) add(registryRole, "registry", undefined, { "central-repository": [centralArn] });

  if (errors.length > 0) throw new DeployerErrors(errors, "the IAM mesh cannot be generated");

  // ---------- trust, policies, accounts ----------
  const roles: MeshRole[] = [];
  for (const d of drafts.values()) {
    const kinds = KIND_ORDER.filter((k) => d.kinds.has(k));
    const trust = trustOf(
      d,
      kinds,
      {
        ciAccount,
        ciPrincipals,
        ciDeployArn,
        providerArn,
        audience,
        deploySubjects,
        planSubjects,
        registryExternalId: project.config.image.registryExternalId,
      },
      errors,
      notes,
    );
    const parsed = parseRoleArn(d.arn)!;
    const slash = parsed.name.lastIndexOf("/");
    const readsByViewer = d.kinds.has("deploy") && d.withoutViewer === 0;
    const document = policyDocument(kinds, d.resolved, { readsByViewer });
    const main = kinds.find((k): k is MeshRoleKind => k !== "task");
    roles.push({
      arn: d.arn,
      account: parsed.account,
      partition: parsed.partition,
      name: parsed.name.slice(slash + 1),
      path: slash < 0 ? "/" : `/${parsed.name.slice(0, slash + 1)}`,
      kinds,
      targets: d.targets,
      description: description(kinds, d.targets),
      trust,
      trustPolicy: trustPolicy(trust, ciRegion),
      resources: d.resolved,
      ...(readsByViewer ? { readsByViewer: true as const } : {}),
      ...(document && main ? { policy: { name: POLICY_NAME[main], document } } : {}),
    });
  }
  if (errors.length > 0) throw new DeployerErrors(errors, "the IAM mesh cannot be generated");

  for (const r of roles) {
    const size = policySize(r.policy?.document);
    if (size > ROLE_POLICY_LIMIT)
      notes.push(
        `The inline policy of ${r.arn} is ${size} characters, over IAM's ${ROLE_POLICY_LIMIT} for a role: split the targets across more roles (role ARN patterns with {stage} or {name}).`,
      );
  }

  const repositoryPolicy = centralPolicy(roles, { centralArn, central, ciAccount, ciPrincipals, registryRole });
  const accounts = new Map<string, MeshAccount>();
  const accountOf = (id: string, partition: string) => {
    let a = accounts.get(id);
    if (!a) accounts.set(id, (a = { account: id, partition, roles: [], repositoryPolicies: [] }));
    return a;
  };
  for (const r of roles) accountOf(r.account, r.partition).roles.push(r);
  if (repositoryPolicy) accountOf(repositoryPolicy.account, ciPartition).repositoryPolicies.push(repositoryPolicy);
  for (const a of accounts.values())
    a.roles.sort(
      (x, y) => KIND_ORDER.indexOf(x.kinds[0]!) - KIND_ORDER.indexOf(y.kinds[0]!) || (x.arn < y.arn ? -1 : x.arn > y.arn ? 1 : 0),
    );

  notes.push(
    `The CI roles trust the GitHub OIDC provider ${providerArn}: create it once in ${ciAccount} if it does not exist (aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list ${audience}).`,
    "Task roles get their trust policy only: their permissions are the application's (attach them in your baseline); the JSON format replaces a role whole, policies included.",
  );
  if (repositoryPolicy)
    notes.push(
      `The repository policy of ${repositoryPolicy.arn} replaces the repository's whole policy: keep any other statement it needs in it.`,
    );
  if (roles.some((r) => (r.resources["ssm-parameters"] ?? []).length + (r.resources.secrets ?? []).length > 0))
    notes.push(
      "Secrets encrypted with a customer managed KMS key also need kms:Decrypt on that key for the execution role: the key is not in the task definition, so it is not generated.",
    );
  if (ciPartition === "aws-cn")
    notes.push(
      "aws-cn: the task trust uses ecs-tasks.amazonaws.com, as AWS's managed policies do; no source confirms it for China (unverified).",
    );

  return {
    ci: {
      account: ciAccount,
      partition: ciPartition,
      providerArn,
      audience,
      deployRole: ciDeployArn,
      ...(planArn ? { planRole: planArn } : {}),
      subjects: { deploy: deploySubjects, plan: planSubjects },
    },
    accounts: [...accounts.values()].sort((a, b) => (a.account < b.account ? -1 : 1)),
    notes,
  };
}

function trustOf(
  d: RoleDraft,
  kinds: RoleKind[],
  c: {
    ciAccount: string;
    ciPrincipals: string[];
    ciDeployArn: string;
    providerArn: string;
    audience: string;
    deploySubjects: string[];
    planSubjects: string[];
    registryExternalId?: string;
  },
  errors: DeployerError[],
  notes: string[],
): TrustSpec {
  const account = parseRoleArn(d.arn)!.account;
  if (kinds.includes("ci-deploy")) return { kind: "github", providerArn: c.providerArn, audience: c.audience, subjects: c.deploySubjects };
  if (kinds.includes("ci-plan")) return { kind: "github", providerArn: c.providerArn, audience: c.audience, subjects: c.planSubjects };
  if (kinds.includes("registry"))
    return {
      kind: "ci-roles",
      ciAccount: c.ciAccount,
      principals: c.ciPrincipals,
      externalIds: c.registryExternalId ? [c.registryExternalId] : [],
    };
  if (kinds.includes("deploy") || kinds.includes("view")) {
    const ids = [...d.externalIds.entries()];
    const missing = ids.filter(([, id]) => id === undefined).map(([t]) => t);
    const given = uniq(ids.map(([, id]) => id).filter((x): x is string => x !== undefined));
    const field = kinds.includes("deploy") ? "externalId" : "viewExternalId";
    if (missing.length > 0 && given.length > 0) {
      errors.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `${d.arn} is assumed with an ${field} by some of its targets and without one by ${missing.map((t) => `"${t}"`).join(", ")}`,
          target: missing[0],
          hint: `Its trust policy can require an ExternalId or not, not both: set ${field} for every target of this role (once, in _defaults.yaml).`,
        }),
      );
    } else if (missing.length > 0) {
      notes.push(`${d.arn} trusts the CI role${kinds.includes("view") ? "s" : ""} without an ExternalId (no ${field} is set).`);
    }
    return {
      kind: "ci-roles",
      ciAccount: c.ciAccount,
      principals: kinds.includes("deploy") ? [c.ciDeployArn] : c.ciPrincipals,
      externalIds: given,
    };
  }
  // task and/or execution role
  return { kind: "ecs-tasks", sourceAccount: account };
}

/** The central repository's policy: the targets' execution roles pulling across accounts (and the CI roles' reads, when they are in another account). */
function centralPolicy(
  roles: MeshRole[],
  c: {
    centralArn: string;
    central: { registryId: string; region: string; name: string };
    ciAccount: string;
    ciPrincipals: string[];
    registryRole?: string;
  },
): MeshRepositoryPolicy | undefined {
  const pullActions = uniq(
    REQUIRED_ACTIONS.filter((a) => a.roles.includes("execution") && a.resources.includes("pull-repositories")).map((a) => a.action),
  );
  const readActions = uniq(
    REQUIRED_ACTIONS.filter((a) => a.roles.includes("ci-deploy") && a.resources.includes("central-repository")).map((a) => a.action),
  );
  const pullers = { accounts: [] as string[], roles: [] as string[] };
  for (const r of roles) {
    if (!r.kinds.includes("execution") || r.account === c.central.registryId) continue;
    if (!(r.resources["pull-repositories"] ?? []).includes(c.centralArn)) continue;
    pullers.accounts.push(r.account);
    pullers.roles.push(r.arn);
  }
  const readers = { accounts: [] as string[], roles: [] as string[] };
  if (!c.registryRole && c.ciAccount !== c.central.registryId) {
    readers.accounts.push(c.ciAccount);
    readers.roles.push(...c.ciPrincipals);
  }
  if (pullers.roles.length === 0 && readers.roles.length === 0) return undefined;
  const region = c.central.region;
  const statements: PolicyStatement[] = [];
  if (pullers.roles.length > 0)
    statements.push({
      Sid: "PullByTargetExecutionRoles",
      Effect: "Allow",
      Principal: { AWS: one(uniq(pullers.accounts).map((a) => accountRootArn(a, region))) },
      Action: pullActions,
      Condition: { ArnEquals: { "aws:PrincipalArn": one(uniq(pullers.roles)) } },
    });
  if (readers.roles.length > 0)
    statements.push({
      Sid: "ReadByDeployerCi",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(c.ciAccount, region) },
      Action: readActions,
      Condition: { ArnEquals: { "aws:PrincipalArn": one(uniq(readers.roles)) } },
    });
  return {
    account: c.central.registryId,
    region,
    repository: c.central.name,
    arn: c.centralArn,
    pullers: { accounts: uniq(pullers.accounts), roles: uniq(pullers.roles) },
    readers,
    policy: { Version: "2012-10-17", Statement: statements },
  };
}

const KIND_TEXT: Record<RoleKind, string> = {
  "ci-deploy": "deployer CI role: deploys (GitHub OIDC), assumes the deploy and viewer roles",
  "ci-plan": "deployer CI role for pull requests (GitHub OIDC): assumes the viewer roles only",
  registry: "deployer registry role: reads the central image repository",
  deploy: "deployer deploy role",
  view: "deployer viewer role (read only)",
  task: "task role",
  execution: "task execution role",
};

/** IAM role descriptions: at most 1000 characters of printable ASCII and Latin-1 (IAM CreateRole). */
function description(kinds: RoleKind[], targets: string[]): string {
  const what = kinds.map((k) => KIND_TEXT[k]).join("; ");
  const shown = targets.slice(0, 8).join(", ") + (targets.length > 8 ? ` and ${targets.length - 8} more` : "");
  return `${what}${targets.length > 0 ? ` (targets ${shown})` : ""}; generated by deployer iam`.slice(0, 1000);
}

/** A policy's size as IAM counts it: without whitespace. */
export function policySize(doc: PolicyDocument | undefined): number {
  return doc ? JSON.stringify(doc).length : 0;
}

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}

function one(values: string[]): string | string[] {
  return values.length === 1 ? values[0]! : values;
}
