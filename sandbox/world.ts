// The sandbox's AWS state: accounts with IAM (users, roles, policies), ECR repositories and ECS
// (task definitions, clusters, services with deployments). Built from a fixture; mutated by the
// service handlers and the admin API. Pure data plus lookups; behaviour lives in services/.
import { createHash, randomBytes } from "node:crypto";
import type { AccountFixture, Fixture, PolicyDocument, ReplicationRuleFixture, TargetFixture } from "./fixture.js";
import { expandTarget, fixtureAccounts, parseRepositoryUri } from "./fixture.js";
import { isOptInRegion } from "./regions.js";
import { SharingState } from "./sharing.js";
import type { RegistrationDefault } from "./task-definitions.js";
import {
  seedLaunchResources,
  type KmsKey,
  type LogGroup,
  type OrganizationMembership,
  type Secret,
  type SsmParameter,
} from "./launch-resources.js";
import { addVpc, type SecurityGroup, type Subnet, type Vpc } from "./network.js";
import type { StandaloneTask, TaskExitRule } from "./tasks.js";

export interface ManagedPolicy {
  name: string;
  arn: string;
  path: string;
  policyId: string;
  description?: string;
  document: PolicyDocument;
  createdAt: number;
}

export interface IamUser {
  name: string;
  path: string;
  arn: string;
  userId: string;
  account: string;
  inlinePolicies: Map<string, PolicyDocument>;
  managedPolicies: string[];
  permissionsBoundary?: string;
  createdAt: number;
}

export interface IamRole {
  name: string;
  path: string;
  arn: string;
  roleId: string;
  account: string;
  description?: string;
  trustPolicy: PolicyDocument;
  inlinePolicies: Map<string, PolicyDocument>;
  managedPolicies: string[];
  permissionsBoundary?: string;
  maxSessionDuration: number;
  createdAt: number;
}

export interface EcrImage {
  digest: string;
  tags: string[];
  pushedAt: number;
  sizeBytes: number;
  manifest: string;
}

export interface EcrRepository {
  name: string;
  arn: string;
  registryId: string;
  region: string;
  uri: string;
  createdAt: number;
  policy?: PolicyDocument;
  images: EcrImage[];
}

export interface TaskDefinition {
  arn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE";
  /** The full DescribeTaskDefinition `taskDefinition` object, without timestamps. */
  body: Record<string, unknown>;
  registeredAt: number;
  registeredBy: string;
  deregisteredAt?: number;
}

/** "pull-error": its tasks fail to start (TaskFailedToStart: image pull, secrets, logs; see task-start.ts). */
export type DeploymentHealth = "healthy" | "crash" | "pull-error" | "manual";

export interface Deployment {
  id: string;
  status: "PRIMARY" | "ACTIVE";
  taskDefinition: string;
  desiredCount: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  rolloutStateReason: string;
  /** How its tasks behave: healthy ones roll out in deploymentSeconds, the others never become healthy. */
  health: DeploymentHealth;
  /** Why tasks fail (for events), when health is not healthy/manual. */
  failureReason?: string;
  failedTasks: number;
  /** Running tasks when it stopped being PRIMARY (drained while the new PRIMARY starts). */
  runningAtDemotion: number;
  /** Fixed counts (set when settled or demoted). */
  runningCount: number;
  pendingCount: number;
  /** For a circuit-breaker rollback: the deployment it rolls back to. */
  rollbackOf?: string;
  /** The service revision it runs (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-revision.html). */
  revisionArn: string;
  /** The service deployment it belongs to (for an ECS rollback: the failed one it rolls back). */
  serviceDeploymentArn: string;
  /** Its tasks run, but trip the service's CloudWatch deployment alarms once they take traffic. */
  tripsAlarms?: boolean;
  /** BLUE_GREEN / LINEAR / CANARY: the phases of this (green) deployment; see native-deployments.ts. */
  native?: NativeTimeline;
}

/** ROLLING is the rolling update; the others are ECS-native since 2025 (deployment-type-blue-green.html). */
export type DeploymentStrategy = "ROLLING" | "BLUE_GREEN" | "LINEAR" | "CANARY";

/** https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html (status). */
export type ServiceDeploymentStatus =
  | "PENDING"
  | "IN_PROGRESS"
  | "SUCCESSFUL"
  | "STOPPED"
  | "STOP_REQUESTED"
  | "ROLLBACK_REQUESTED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_SUCCESSFUL"
  | "ROLLBACK_FAILED";

/** A service revision: what one deployment deploys (here: its task definition). */
export interface ServiceRevision {
  arn: string;
  taskDefinition: string;
  createdAt: number;
  /** The service's Service Connect configuration when the revision was made (API_ServiceRevision). */
  serviceConnectConfiguration?: Record<string, unknown>;
}

/** Why a deployment failed, as the service deployment's monitors say. */
export interface FailureCause {
  by: "circuit-breaker" | "alarm" | "stop";
  reason: string;
  /** For alarms: the alarms that went into ALARM. */
  alarms?: string[];
}

/** One service deployment (ListServiceDeployments / DescribeServiceDeployments). */
export interface ServiceDeploymentRecord {
  arn: string;
  createdAt: number;
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  stoppedAt?: number;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  lifecycleStage?: string;
  sourceRevisionArns: string[];
  targetRevisionArn: string;
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  /** Snapshot of the service's deployment configuration when it started. */
  config: ServiceDeploymentConfig;
  cause?: FailureCause;
  failedTasks: number;
}

export interface ServiceDeploymentConfig {
  strategy: DeploymentStrategy;
  circuitBreaker: { enable: boolean; rollback: boolean };
  alarms: { enable: boolean; rollback: boolean; alarmNames: string[] };
  bakeTimeInMinutes?: number;
  linear?: { stepPercent: number; stepBakeTimeInMinutes: number };
  canary?: { canaryPercent: number; canaryBakeTimeInMinutes: number };
  /** Lifecycle hooks: the stages each hook runs at (the hook itself is not run: it takes a while and succeeds). */
  lifecycleHooks: Array<{ hookTargetArn: string; roleArn?: string; lifecycleStages: string[] }>;
}

/** The phases of a native (BLUE_GREEN / LINEAR / CANARY) deployment: stage start times, ascending. */
export interface NativeTimeline {
  phases: Array<{ stage: string; at: number; trafficPercent: number }>;
  /** When the whole deployment ends successfully (Infinity: never, e.g. green tasks never get healthy). */
  doneAt: number;
  /** When ECS detects the failure (circuit breaker or alarm), if it will. */
  failAt?: number;
  failCause?: FailureCause;
  /** A rollback (ECS's own, or StopServiceDeployment ROLLBACK): when asked and when it completes. */
  rollbackAt?: number;
  rollbackDoneAt?: number;
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface EcsService {
  name: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  account: string;
  region: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  taskDefinition: string;
  circuitBreaker: { enable: boolean; rollback: boolean };
  /** deploymentConfiguration.alarms (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html). */
  alarms: { enable: boolean; rollback: boolean; alarmNames: string[] };
  /** deploymentConfiguration.strategy and its settings (ROLLING unless configured). */
  strategy: DeploymentStrategy;
  bakeTimeInMinutes?: number;
  linear?: { stepPercent: number; stepBakeTimeInMinutes: number };
  canary?: { canaryPercent: number; canaryBakeTimeInMinutes: number };
  lifecycleHooks: Array<{ hookTargetArn: string; roleArn?: string; lifecycleStages: string[] }>;
  deploymentController: string;
  /** Service deployments, oldest first, and the service revisions they deploy. */
  serviceDeployments: ServiceDeploymentRecord[];
  revisions: ServiceRevision[];
  currentServiceDeployment?: string;
  createdAt: number;
  createdBy: string;
  deployments: Deployment[];
  /** Oldest first internally; DescribeServices returns newest first. */
  events: ServiceEvent[];
  networkConfiguration: Record<string, unknown>;
  /**
   * As CreateService/UpdateService last set it. DescribeServices shows it per deployment
   * (Deployment.serviceConnectConfiguration; the Service shape has no such field: botocore ecs).
   */
  serviceConnectConfiguration?: Record<string, unknown>;
}

export interface EcsCluster {
  name: string;
  arn: string;
  status: "ACTIVE" | "INACTIVE";
  services: Map<string, EcsService>;
}

export interface RegionState {
  repositories: Map<string, EcrRepository>;
  clusters: Map<string, EcsCluster>;
  /** family -> revisions (index = revision - 1). */
  taskDefinitions: Map<string, TaskDefinition[]>;
  /** ECS resource ARN -> tags */
  tags: Map<string, Record<string, string>>;
  /** What tasks need at launch (launch-resources.ts): SSM parameters by name, secrets by name, log groups by name, KMS keys by id. */
  parameters: Map<string, SsmParameter>;
  secrets: Map<string, Secret>;
  logGroups: Map<string, LogGroup>;
  kmsKeys: Map<string, KmsKey>;
  /** VPC networking (network.ts): by id. */
  vpcs: Map<string, Vpc>;
  subnets: Map<string, Subnet>;
  securityGroups: Map<string, SecurityGroup>;
  /** Tasks started by RunTask (tasks.ts), by task id; dropped once stopped longer than the retention. */
  tasks: Map<string, StandaloneTask>;
  /** RunTask clientToken -> the request's fingerprint and the tasks it started (idempotency). */
  runTaskTokens: Map<string, { fingerprint: string; taskIds: string[] }>;
}

export interface Account {
  id: string;
  name: string;
  users: Map<string, IamUser>;
  roles: Map<string, IamRole>;
  policies: Map<string, ManagedPolicy>;
  regions: Map<string, RegionState>;
  /** Opt-in regions this account has enabled (see regions.ts). */
  enabledRegions: Set<string>;
  /** IAM OIDC identity providers, by ARN (arn:aws:iam::ACCOUNT:oidc-provider/HOST). */
  oidcProviders: Map<string, OidcProvider>;
  /** Member of an AWS Organization: the SCPs that apply to it (launch-resources.ts). Absent: not in an organization. */
  organization?: OrganizationMembership;
}

/** An IAM OIDC identity provider (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html). */
export interface OidcProvider {
  arn: string;
  /** The issuer URL, e.g. https://token.actions.githubusercontent.com */
  url: string;
  /** Audiences ("client IDs") accepted, e.g. sts.amazonaws.com */
  clientIds: string[];
}

export interface AccessKey {
  accessKeyId: string;
  secret: string;
  /** For temporary credentials. */
  sessionToken?: string;
  expiresAt?: number;
  principal: PrincipalRef;
}

export type PrincipalRef =
  { kind: "user"; account: string; userName: string } | { kind: "assumed-role"; account: string; roleName: string; sessionName: string };

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let s = prefix;
  for (let i = 0; i < length; i++) s += ALNUM[bytes[i]! % ALNUM.length];
  return s;
}
/** A stable id derived from a name (so fixture ids don't change between runs). */
export function stableId(prefix: string, seed: string, length = 17): string {
  const h = createHash("sha256").update(seed).digest();
  let s = prefix;
  for (let i = 0; i < length; i++) s += ALNUM[h[i]! % ALNUM.length];
  return s;
}

export const AWS_MANAGED_POLICIES: ManagedPolicy[] = [
  {
    name: "AmazonECSTaskExecutionRolePolicy",
    arn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    path: "/service-role/",
    policyId: "ANPAJG4T4G4PV56DE72PY",
    description: "Provides access to other AWS service resources that are required to run Amazon ECS tasks",
    createdAt: Date.parse("2017-11-16T18:48:22Z"),
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
          ],
          Resource: "*",
        },
      ],
    },
  },
];

export class World {
  readonly accounts = new Map<string, Account>();
  readonly accessKeys = new Map<string, AccessKey>();
  readonly awsManagedPolicies = new Map(AWS_MANAGED_POLICIES.map((p) => [p.arn, p]));
  /** ECR replication rules per source account. */
  readonly replication = new Map<string, ReplicationRuleFixture[]>();
  /** Image digests whose tasks never become healthy. */
  readonly badDigests = new Set<string>();
  /** Public keys (by kid) of the web identity issuers the sandbox can verify, by issuer URL. */
  readonly issuerKeys = new Map<string, Map<string, import("node:crypto").KeyObject>>();
  /** Image digests whose tasks run but trip the service's CloudWatch deployment alarms. */
  readonly alarmingDigests = new Set<string>();
  /** Cloud Map namespaces, RAM shares and organizations (sharing.ts). */
  readonly sharing = new SharingState();
  /**
   * How the containers of one-off tasks (RunTask) exit: rules set by the admin API or the fixture
   * (images with `taskExitCode`), newest first; the first matching rule wins (tasks.ts).
   */
  readonly taskExitRules: TaskExitRule[] = [];
  /** Accounts (account/region, or account alone) whose RunTask finds no Fargate capacity (tasks.ts). */
  readonly noCapacity = new Set<string>();
  /** Registration defaults switched off for this sandbox (task-definitions.ts REGISTRATION_DEFAULTS). */
  readonly disabledDefaults = new Set<RegistrationDefault>();
  deploymentSeconds: number;
  /** How long one "minute" of bake time (bakeTimeInMinutes, step/canary bake times) lasts here, in seconds. */
  minuteSeconds: number;
  private readonly fixture: Fixture;

  /** Accounts are added by seed.ts (IAM and ECR here, ECS through the ECS model). */
  constructor(fixture: Fixture) {
    this.fixture = fixture;
    this.deploymentSeconds = fixture.deploymentSeconds ?? 2;
    this.minuteSeconds = fixture.minuteSeconds ?? 60;
  }

  fixtureAccounts(): AccountFixture[] {
    return fixtureAccounts(this.fixture);
  }

  /** Organizations, Cloud Map namespaces and RAM shares of the fixture (sharing.ts). */
  seedSharing(accounts: AccountFixture[], createdAt: number): void {
    this.sharing.seed(this.fixture, accounts, createdAt);
  }

  account(id: string): Account | undefined {
    return this.accounts.get(id);
  }

  region(accountId: string, region: string): RegionState {
    let acct = this.accounts.get(accountId);
    if (!acct) {
      acct = {
        id: accountId,
        name: accountId,
        users: new Map(),
        roles: new Map(),
        policies: new Map(),
        regions: new Map(),
        enabledRegions: new Set(),
        oidcProviders: new Map(),
      };
      this.accounts.set(accountId, acct);
    }
    let r = acct.regions.get(region);
    if (!r) {
      r = {
        repositories: new Map(),
        clusters: new Map(),
        taskDefinitions: new Map(),
        tags: new Map(),
        parameters: new Map(),
        secrets: new Map(),
        logGroups: new Map(),
        kmsKeys: new Map(),
        vpcs: new Map(),
        subnets: new Map(),
        securityGroups: new Map(),
        tasks: new Map(),
        runTaskTokens: new Map(),
      };
      acct.regions.set(region, r);
    }
    return r;
  }

  /** Whether `account` may use `region` (always, unless the region is opt-in and not enabled there). */
  regionEnabled(account: string, region: string): boolean {
    if (!isOptInRegion(region)) return true;
    return this.accounts.get(account)?.enabledRegions.has(region) ?? false;
  }

  /** Role by ARN (path-insensitive), if it exists. */
  roleByArn(arn: string): IamRole | undefined {
    const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (!m) return undefined;
    return this.accounts.get(m[1]!)?.roles.get(m[2]!);
  }

  userByArn(arn: string): IamUser | undefined {
    const m = /^arn:aws:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (!m) return undefined;
    return this.accounts.get(m[1]!)?.users.get(m[2]!);
  }

  policyByArn(arn: string): ManagedPolicy | undefined {
    const aws = this.awsManagedPolicies.get(arn);
    if (aws) return aws;
    const m = /^arn:aws:iam::(\d{12}):policy\//.exec(arn);
    if (!m) return undefined;
    for (const p of this.accounts.get(m[1]!)?.policies.values() ?? []) if (p.arn === arn) return p;
    return undefined;
  }

  repositoryByUri(uri: string): EcrRepository | undefined {
    const ref = parseRepositoryUri(uri);
    if (!ref) return undefined;
    return this.accounts.get(ref.account)?.regions.get(ref.region)?.repositories.get(ref.name);
  }

  addAccount(a: AccountFixture, createdAt = Date.now()): Account {
    const acct: Account = this.accounts.get(a.id) ?? {
      id: a.id,
      name: a.name ?? a.id,
      users: new Map(),
      roles: new Map(),
      policies: new Map(),
      regions: new Map(),
      enabledRegions: new Set(),
      oidcProviders: new Map(),
    };
    this.accounts.set(a.id, acct);
    // An account has resources only in regions it uses: those are enabled, plus the ones it lists.
    const used = [
      ...(a.enabledRegions ?? []),
      ...(a.repositories ?? []).map((r) => r.region),
      ...(a.clusters ?? []).map((c) => c.region),
      ...(a.taskDefinitions ?? []).map((t) => t.region),
      ...(a.vpcs ?? []).map((v) => v.region),
    ];
    for (const r of used) if (isOptInRegion(r)) acct.enabledRegions.add(r);
    for (const p of a.oidcProviders ?? []) {
      const host = p.url.replace(/^https:\/\//, "").replace(/\/+$/, "");
      const arn = `arn:aws:iam::${a.id}:oidc-provider/${host}`;
      acct.oidcProviders.set(arn, { arn, url: p.url.replace(/\/+$/, ""), clientIds: p.clientIds });
    }
    for (const p of a.policies ?? []) {
      const path = p.path ?? "/";
      const arn = `arn:aws:iam::${a.id}:policy${path}${p.name}`;
      acct.policies.set(p.name, {
        name: p.name,
        arn,
        path,
        policyId: stableId("ANPA", arn),
        description: p.description,
        document: p.document,
        createdAt,
      });
    }
    for (const u of a.users ?? []) {
      const path = u.path ?? "/";
      const arn = `arn:aws:iam::${a.id}:user${path}${u.name}`;
      acct.users.set(u.name, {
        name: u.name,
        path,
        arn,
        userId: stableId("AIDA", arn),
        account: a.id,
        inlinePolicies: new Map(Object.entries(u.inlinePolicies ?? {})),
        managedPolicies: u.managedPolicies ?? [],
        permissionsBoundary: u.permissionsBoundary,
        createdAt,
      });
      for (const k of u.accessKeys ?? []) {
        this.accessKeys.set(k.id, { accessKeyId: k.id, secret: k.secret, principal: { kind: "user", account: a.id, userName: u.name } });
      }
    }
    for (const r of a.roles ?? []) {
      const path = r.path ?? "/";
      const arn = `arn:aws:iam::${a.id}:role${path}${r.name}`;
      acct.roles.set(r.name, {
        name: r.name,
        path,
        arn,
        roleId: stableId("AROA", arn),
        account: a.id,
        description: r.description,
        trustPolicy: r.trustPolicy,
        inlinePolicies: new Map(Object.entries(r.inlinePolicies ?? {})),
        managedPolicies: r.managedPolicies ?? [],
        permissionsBoundary: r.permissionsBoundary,
        maxSessionDuration: r.maxSessionDuration ?? 3600,
        createdAt,
      });
    }
    seedLaunchResources(this, acct, a, createdAt);
    for (const v of a.vpcs ?? []) addVpc(this, a.id, v);
    if (a.replication) this.replication.set(a.id, [...(this.replication.get(a.id) ?? []), ...a.replication]);
    for (const repo of a.repositories ?? []) {
      const region = this.region(a.id, repo.region);
      const uri = `${a.id}.dkr.ecr.${repo.region}.amazonaws.com/${repo.name}`;
      const images = (repo.images ?? []).map((img, i) => {
        if (img.bad) this.badDigests.add(img.digest);
        if (img.tripsAlarms) this.alarmingDigests.add(img.digest);
        if (typeof img.taskExitCode === "number" && !this.taskExitRules.some((r) => r.digest === img.digest && r.fromFixture)) {
          this.taskExitRules.push({ digest: img.digest, exitCode: img.taskExitCode, fromFixture: true });
        }
        return {
          digest: img.digest,
          tags: img.tags ?? [],
          pushedAt: createdAt + (i + 1) * 3600_000,
          sizeBytes: img.sizeBytes ?? 48_000_000 + i * 4096,
          manifest: imageManifest(img.digest, img.sizeBytes ?? 48_000_000),
        };
      });
      region.repositories.set(repo.name, {
        name: repo.name,
        arn: `arn:aws:ecr:${repo.region}:${a.id}:repository/${repo.name}`,
        registryId: a.id,
        region: repo.region,
        uri,
        createdAt,
        policy: repo.policy,
        images,
      });
    }
    return acct;
  }

  targetDefaults(): Partial<TargetFixture> {
    return this.fixture.targetDefaults ?? {};
  }

  expandTarget(t: TargetFixture): AccountFixture {
    return expandTarget({ ...this.fixture.targetDefaults, ...t }, this.fixture.accounts);
  }
}

function imageManifest(digest: string, size: number): string {
  const h = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 7023, digest: h(`${digest}/config`) },
    layers: [0, 1, 2].map((i) => ({
      mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
      size: Math.floor(size / 3),
      digest: h(`${digest}/layer/${i}`),
    })),
  });
}
