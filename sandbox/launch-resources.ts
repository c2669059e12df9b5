// What ECS needs when it launches a task, besides the image: SSM parameters and Secrets Manager
// secrets named by `secrets[].valueFrom`, the CloudWatch Logs group of the `awslogs` driver, the
// KMS keys those are encrypted with — and the AWS Organizations SCPs that limit every principal of a
// member account. Seeded from the fixture (accounts[] or targets[]), changed by the admin API,
// served by services/ssm.ts, secretsmanager.ts, logs.ts and kms.ts, and checked at task start
// (task-start.ts).
import { createHash } from "node:crypto";
import type { AccountFixture, PolicyDocument } from "./fixture.js";
import { isOptInRegion } from "./regions.js";
import type { Account, World } from "./world.js";

// ---------- state ----------

/** https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Parameter.html */
export interface SsmParameter {
  name: string;
  arn: string;
  type: "String" | "StringList" | "SecureString";
  value: string;
  /** SecureString only: the KMS key (alias/aws/ssm, the AWS managed key, unless a customer managed key is named). */
  keyId?: string;
  version: number;
  lastModifiedDate: number;
  lastModifiedUser: string;
  tier: "Standard" | "Advanced";
}

/** https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html */
export interface Secret {
  name: string;
  /** arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX (six random characters). */
  arn: string;
  value: string;
  /** Absent: the AWS managed key aws/secretsmanager. */
  kmsKeyId?: string;
  /** The secret's resource policy (needed for cross-account GetSecretValue). */
  policy?: PolicyDocument;
  versionId: string;
  createdAt: number;
}

/** https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html */
export interface LogGroup {
  name: string;
  /** arn:aws:logs:REGION:ACCOUNT:log-group:NAME (the `logGroupArn`; `arn` adds ":*"). */
  arn: string;
  createdAt: number;
  retentionInDays?: number;
  kmsKeyId?: string;
}

/** https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html */
export interface KmsKey {
  keyId: string;
  arn: string;
  account: string;
  region: string;
  description: string;
  /** CUSTOMER: a customer managed key; AWS: an AWS managed key (aws/ssm, aws/secretsmanager). */
  keyManager: "CUSTOMER" | "AWS";
  aliases: string[];
  policy: PolicyDocument;
  enabled: boolean;
  createdAt: number;
}

/** The SCPs that apply to a member account (every level from the root to the account, flattened). */
export interface OrganizationMembership {
  serviceControlPolicies: { name: string; document: PolicyDocument }[];
}

// ---------- fixture ----------

export interface ParameterFixture {
  region: string;
  /** As SSM names it: "/shop-api/database-url" or "plain-name". */
  name: string;
  /** Default SecureString. */
  type?: "String" | "StringList" | "SecureString";
  value?: string;
  /** SecureString: key id, key ARN or alias (default alias/aws/ssm, the AWS managed key). */
  keyId?: string;
  tier?: "Standard" | "Advanced";
}

export interface SecretFixture {
  region: string;
  name: string;
  value?: string;
  /** Key id, ARN or alias of a customer managed key (default: the AWS managed key aws/secretsmanager). */
  kmsKeyId?: string;
  policy?: PolicyDocument;
}

export interface LogGroupFixture {
  region: string;
  name: string;
  retentionInDays?: number;
}

export interface KmsKeyFixture {
  region: string;
  /** "alias/NAME" */
  alias?: string;
  description?: string;
  /** The key policy (default: the default key policy, which delegates to IAM policies of the account). */
  policy?: PolicyDocument;
  enabled?: boolean;
}

/**
 * Membership of an AWS Organization. Every entity has FullAWSAccess attached unless it is detached
 * ("When you create an organization, AWS Organizations automatically creates ... FullAWSAccess ...
 * attached to every root, OU, and account": https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html);
 * `fullAWSAccess: false` models an allow-list strategy where only the listed SCPs allow.
 */
export interface OrganizationFixture {
  serviceControlPolicies?: { name: string; document: PolicyDocument }[];
  fullAWSAccess?: boolean;
}

export interface LaunchResourcesFixture {
  parameters?: ParameterFixture[];
  secrets?: SecretFixture[];
  logGroups?: LogGroupFixture[];
  kmsKeys?: KmsKeyFixture[];
  /** Present: the account is a member of an organization, and these SCPs apply to it. */
  organization?: OrganizationFixture;
}

/** The list-valued keys above (merged when a target is expanded into an explicit account). */
export const LAUNCH_FIXTURE_LISTS = ["parameters", "secrets", "logGroups", "kmsKeys"] as const;

/** Options of a compact `targets[]` entry about what its tasks need at launch (applyLaunchOptions). */
export interface LaunchTargetOptions {
  /**
   * false: the execution role has no ECR pull permissions (AmazonECSTaskExecutionRolePolicy is not
   * attached; it keeps logs:CreateLogStream/PutLogEvents inline): its tasks stop with
   * CannotPullContainerError / ResourceInitializationError (default true).
   */
  executionRoleEcrPull?: boolean;
  /** false: the awslogs log group /ecs/shop-api/NAME does not exist (default true). */
  logGroup?: boolean;
  /**
   * The SecureString parameter /shop-api/database-url the example template reads:
   * "aws-managed-key" (default), "customer-key" (encrypted with the customer managed key alias/shop-api,
   * whose default key policy leaves kms:Decrypt to IAM — and the execution role has none), or "missing".
   */
  databaseUrlParameter?: "aws-managed-key" | "customer-key" | "missing";
  /** false: the deploy role may register task definitions but not tag them (no ecs:TagResource) (default true). */
  tagResource?: boolean;
  /** The account is a member of an organization with these SCPs. */
  organization?: OrganizationFixture;
  /** A permissions boundary for the deploy role (customer managed policy `deployer-boundary`). */
  deployRoleBoundary?: PolicyDocument;
}

/** https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html ("Allows access to the AWS account and enables IAM policies"). */
export function defaultKeyPolicy(account: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Id: "key-default-1",
    Statement: [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  };
}

/** https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples.html (FullAWSAccess). */
export const FULL_AWS_ACCESS: { name: string; document: PolicyDocument } = {
  name: "FullAWSAccess",
  document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
};

export function organizationMembership(o: OrganizationFixture): OrganizationMembership {
  const listed = (o.serviceControlPolicies ?? []).map((p) => ({ name: p.name, document: structuredClone(p.document) }));
  return { serviceControlPolicies: o.fullAWSAccess === false ? listed : [FULL_AWS_ACCESS, ...listed] };
}

// ---------- ids and ARNs ----------

function stableUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Secrets Manager appends a hyphen and six random characters to the secret's name in its ARN (API_CreateSecret "ARN"). */
function secretSuffix(seed: string): string {
  const h = createHash("sha256").update(seed).digest();
  return Array.from(h.subarray(0, 6), (b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join("");
}

export function parameterArn(account: string, region: string, name: string): string {
  return `arn:aws:ssm:${region}:${account}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
}

export function logGroupArn(account: string, region: string, name: string): string {
  return `arn:aws:logs:${region}:${account}:log-group:${name}`;
}

// ---------- seeding and changes ----------

export function putParameter(world: World, account: string, p: ParameterFixture, by: string, now = Date.now()): SsmParameter {
  const state = world.region(account, p.region);
  const old = state.parameters.get(p.name);
  const type = p.type ?? "SecureString";
  const param: SsmParameter = {
    name: p.name,
    arn: parameterArn(account, p.region, p.name),
    type,
    value: p.value ?? `sandbox-value-of-${p.name}`,
    ...(type === "SecureString" ? { keyId: p.keyId ?? "alias/aws/ssm" } : {}),
    version: (old?.version ?? 0) + 1,
    lastModifiedDate: now,
    lastModifiedUser: by,
    tier: p.tier ?? "Standard",
  };
  state.parameters.set(p.name, param);
  return param;
}

export function putSecret(world: World, account: string, s: SecretFixture, now = Date.now()): Secret {
  const state = world.region(account, s.region);
  const old = state.secrets.get(s.name);
  const secret: Secret = {
    name: s.name,
    arn: old?.arn ?? `arn:aws:secretsmanager:${s.region}:${account}:secret:${s.name}-${secretSuffix(`${account}/${s.region}/${s.name}`)}`,
    value: s.value ?? JSON.stringify({ password: `sandbox-secret-of-${s.name}` }),
    ...(s.kmsKeyId ? { kmsKeyId: s.kmsKeyId } : {}),
    ...(s.policy ? { policy: structuredClone(s.policy) } : {}),
    versionId: stableUuid(`${account}/${s.region}/${s.name}/${now}`),
    createdAt: old?.createdAt ?? now,
  };
  state.secrets.set(s.name, secret);
  return secret;
}

export function createLogGroup(world: World, account: string, g: LogGroupFixture, now = Date.now()): LogGroup {
  const state = world.region(account, g.region);
  const group: LogGroup = {
    name: g.name,
    arn: logGroupArn(account, g.region, g.name),
    createdAt: now,
    ...(g.retentionInDays ? { retentionInDays: g.retentionInDays } : {}),
  };
  state.logGroups.set(g.name, group);
  return group;
}

export function createKmsKey(world: World, account: string, k: KmsKeyFixture, now = Date.now()): KmsKey {
  const state = world.region(account, k.region);
  const keyId = stableUuid(`${account}/${k.region}/${k.alias ?? k.description ?? state.kmsKeys.size}`);
  const key: KmsKey = {
    keyId,
    arn: `arn:aws:kms:${k.region}:${account}:key/${keyId}`,
    account,
    region: k.region,
    description: k.description ?? "",
    keyManager: "CUSTOMER",
    aliases: k.alias ? [k.alias] : [],
    policy: k.policy ? structuredClone(k.policy) : defaultKeyPolicy(account),
    enabled: k.enabled ?? true,
    createdAt: now,
  };
  state.kmsKeys.set(keyId, key);
  return key;
}

/** The AWS managed key of a service (alias/aws/ssm, alias/aws/secretsmanager), created on first use as AWS does. */
export function awsManagedKey(world: World, account: string, region: string, alias: string): KmsKey {
  const state = world.region(account, region);
  for (const k of state.kmsKeys.values()) if (k.aliases.includes(alias)) return k;
  const keyId = stableUuid(`${account}/${region}/${alias}`);
  const service = alias.replace(/^alias\/aws\//, "");
  const key: KmsKey = {
    keyId,
    arn: `arn:aws:kms:${region}:${account}:key/${keyId}`,
    account,
    region,
    description: `Default key that protects my ${service === "ssm" ? "SSM Parameter Store" : "Secrets Manager"} data when no other key is defined`,
    keyManager: "AWS",
    aliases: [alias],
    // AWS managed keys allow every principal of the account, through the service only
    // (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key); they cannot be
    // used across accounts (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html).
    policy: {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Allow access through the service for all principals in the account that are authorized to use it",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
          Resource: "*",
          Condition: { StringEquals: { "kms:CallerAccount": account } },
        },
      ],
    },
    enabled: true,
    createdAt: 0,
  };
  state.kmsKeys.set(keyId, key);
  return key;
}

/** A key by id, key ARN, alias name or alias ARN, in `account`/`region` (ARNs may name another account/region). */
export function findKmsKey(world: World, account: string, region: string, ref: string): KmsKey | undefined {
  const arn = /^arn:aws:kms:([^:]+):(\d{12}):(key|alias)\/(.+)$/.exec(ref);
  const [acct, reg, kind, id] = arn
    ? [arn[2]!, arn[1]!, arn[3]!, arn[4]!]
    : [account, region, ref.startsWith("alias/") ? "alias" : "key", ref];
  const alias = kind === "alias" ? (id.startsWith("alias/") ? id : `alias/${id}`) : undefined;
  if (alias?.startsWith("alias/aws/")) return awsManagedKey(world, acct, reg, alias);
  const state = world.account(acct)?.regions.get(reg);
  if (!state) return undefined;
  if (alias) return [...state.kmsKeys.values()].find((k) => k.aliases.includes(alias));
  return state.kmsKeys.get(id);
}

export function seedLaunchResources(world: World, acct: Account, a: AccountFixture, createdAt: number): void {
  const regions = [
    ...(a.parameters ?? []).map((p) => p.region),
    ...(a.secrets ?? []).map((s) => s.region),
    ...(a.logGroups ?? []).map((g) => g.region),
    ...(a.kmsKeys ?? []).map((k) => k.region),
  ];
  for (const r of regions) if (isOptInRegion(r)) acct.enabledRegions.add(r);
  for (const k of a.kmsKeys ?? []) createKmsKey(world, a.id, k, createdAt);
  for (const p of a.parameters ?? []) putParameter(world, a.id, p, `arn:aws:iam::${a.id}:root`, createdAt);
  for (const s of a.secrets ?? []) putSecret(world, a.id, s, createdAt);
  for (const g of a.logGroups ?? []) createLogGroup(world, a.id, g, createdAt);
  if (a.organization) acct.organization = organizationMembership(a.organization);
}

/** The launch options of a compact target, applied to the account expandTarget built. */
export function applyLaunchOptions(t: { name: string; region: string } & LaunchTargetOptions, account: AccountFixture): AccountFixture {
  const region = t.region;
  const roles = account.roles ?? [];
  const exec = roles.find((r) => r.name === "shop-api-exec");
  const deploy = roles.find((r) => r.name === "deployer");
  if (t.logGroup !== false) account.logGroups = [...(account.logGroups ?? []), { region, name: `/ecs/shop-api/${t.name}` }];
  const db = t.databaseUrlParameter ?? "aws-managed-key";
  if (db === "customer-key") {
    account.kmsKeys = [...(account.kmsKeys ?? []), { region, alias: "alias/shop-api", description: "shop-api secrets" }];
  }
  if (db !== "missing") {
    account.parameters = [
      ...(account.parameters ?? []),
      { region, name: "/shop-api/database-url", type: "SecureString", ...(db === "customer-key" ? { keyId: "alias/shop-api" } : {}) },
    ];
  }
  if (exec && t.executionRoleEcrPull === false) {
    exec.managedPolicies = (exec.managedPolicies ?? []).filter((p) => !p.endsWith("/AmazonECSTaskExecutionRolePolicy"));
    exec.inlinePolicies = {
      ...exec.inlinePolicies,
      logs: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
      },
    };
  }
  if (deploy && t.tagResource === false) {
    const doc = deploy.inlinePolicies?.deploy;
    const statements = doc ? (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) : [];
    for (const s of statements) {
      if (Array.isArray(s.Action)) s.Action = s.Action.filter((x) => x !== "ecs:TagResource");
    }
  }
  if (deploy && t.deployRoleBoundary) {
    account.policies = [
      ...(account.policies ?? []),
      { name: "deployer-boundary", description: "Permissions boundary of the deploy role.", document: t.deployRoleBoundary },
    ];
    deploy.permissionsBoundary = `arn:aws:iam::${account.id}:policy/deployer-boundary`;
  }
  if (t.organization) account.organization = t.organization;
  return account;
}
