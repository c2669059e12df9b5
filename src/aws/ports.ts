// Narrow ports: what deployer needs from each AWS service, and nothing more. Implemented once over
// the SDK v3 clients (src/aws/sdk-*.ts); everything above them is testable with in-memory fakes.
// The only place outside src/aws/ allowed to know about the SDK is none: import these types instead.
import type { TaskDefinitionInput } from "../config/types.js";
import type { EcrRepository } from "../config/aws-names.js";

// ---------- ECS ----------

export interface LiveDeployment {
  id: string;
  /** PRIMARY | ACTIVE | INACTIVE */
  status: string;
  taskDefinition: string;
  /** IN_PROGRESS | COMPLETED | FAILED (absent for services without rollout state) */
  rolloutState?: string;
  rolloutStateReason?: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  createdAt?: string;
  updatedAt?: string;
  /** Deployment.serviceConnectConfiguration.namespace: the Cloud Map namespace (name or ARN) its tasks use. */
  serviceConnectNamespace?: string;
}

export interface ServiceEvent {
  id: string;
  createdAt: string;
  message: string;
}

export interface LiveService {
  arn: string;
  name: string;
  clusterArn: string;
  /** ACTIVE | DRAINING | INACTIVE */
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  /** ECS | CODE_DEPLOY | EXTERNAL */
  deploymentController: string;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** CloudWatch deployment alarms (deploymentConfiguration.alarms). */
  alarms?: { enable: boolean; rollback: boolean; alarmNames: string[] };
  /** ROLLING | BLUE_GREEN | LINEAR | CANARY (deploymentConfiguration.strategy; absent = ROLLING). */
  strategy?: string;
  /** BLUE_GREEN / LINEAR / CANARY: minutes both revisions run after production traffic shifted. */
  bakeTimeInMinutes?: number;
  linear?: { stepPercent?: number; stepBakeTimeInMinutes?: number };
  canary?: { canaryPercent?: number; canaryBakeTimeInMinutes?: number };
  /** The lifecycle stages at which a deployment lifecycle hook runs. */
  lifecycleHookStages?: string[];
  /** ARN of the current service deployment (Service.currentServiceDeployment), when ECS gives it. */
  currentServiceDeployment?: string;
  /**
   * How the service's tasks launch (its PRIMARY deployment's, else the service's): what a one-off task
   * of the service runs with (issue 17).
   */
  launch?: TaskLaunch;
  deployments: LiveDeployment[];
  /** Newest first, as ECS returns them. */
  events: ServiceEvent[];
}

export interface LiveTaskDefinition {
  arn: string;
  family: string;
  revision: number;
  /** ACTIVE | INACTIVE | DELETE_IN_PROGRESS */
  status: string;
  /** The `taskDefinition` object exactly as DescribeTaskDefinition returned it (JSON-safe: dates as ISO strings). */
  raw: Record<string, unknown>;
  tags: Record<string, string>;
}

/**
 * A service deployment (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html):
 * from ListServiceDeployments (`detailed: false`: status, revision, times) or DescribeServiceDeployments
 * (`detailed: true`: also sources, lifecycle stage, rollback and what detected a failure).
 */
export interface ServiceDeploymentInfo {
  arn: string;
  /** PENDING | IN_PROGRESS | SUCCESSFUL | STOPPED | STOP_REQUESTED | ROLLBACK_REQUESTED | ROLLBACK_IN_PROGRESS | ROLLBACK_SUCCESSFUL | ROLLBACK_FAILED */
  status: string;
  statusReason?: string;
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  stoppedAt?: string;
  updatedAt?: string;
  targetRevisionArn?: string;
  sourceRevisionArns?: string[];
  /** Task counts of the target revision. */
  target?: { requested: number; running: number; pending: number };
  /** BLUE_GREEN / LINEAR / CANARY: PRE_SCALE_UP, SCALE_UP, …, BAKE_TIME, CLEAN_UP. */
  lifecycleStage?: string;
  rollback?: { reason?: string; startedAt?: string; serviceRevisionArn?: string };
  /** DISABLED | MONITORING | MONITORING_COMPLETE | TRIGGERED */
  circuitBreakerStatus?: string;
  alarmsStatus?: string;
  triggeredAlarmNames?: string[];
  strategy?: string;
  bakeTimeInMinutes?: number;
  detailed: boolean;
}

/** A service revision: what a service deployment deploys (here only its task definition matters). */
export interface ServiceRevisionInfo {
  arn: string;
  taskDefinition: string;
  createdAt?: string;
}

/**
 * How a task launches: network, launch type or capacity provider strategy, platform version
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
 */
export interface TaskLaunch {
  networkConfiguration?: { awsvpcConfiguration: { subnets: string[]; securityGroups?: string[]; assignPublicIp?: string } };
  launchType?: string;
  capacityProviderStrategy?: Array<{ capacityProvider: string; weight?: number; base?: number }>;
  platformVersion?: string;
}

/** A one-off task as DescribeTasks shows it (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html). */
export interface LiveTask {
  arn: string;
  /** PROVISIONING … RUNNING … STOPPED */
  lastStatus: string;
  desiredStatus: string;
  taskDefinitionArn?: string;
  /** TaskFailedToStart | EssentialContainerExited | UserInitiated | … (set once it is stopping). */
  stopCode?: string;
  stoppedReason?: string;
  startedAt?: string;
  stoppedAt?: string;
  containers: Array<{ name: string; lastStatus?: string; exitCode?: number; reason?: string }>;
}

export interface RunTaskRequest {
  cluster: string;
  taskDefinitionArn: string;
  launch: TaskLaunch;
  /** The container whose command is overridden. */
  container: string;
  command: string[];
  startedBy?: string;
  /** Idempotency token: the same request again returns the same task. */
  clientToken?: string;
  tags?: Record<string, string>;
}

export interface EcsPort {
  /** undefined when the cluster does not exist (or is INACTIVE: see status). */
  describeCluster(cluster: string): Promise<{ arn: string; status: string } | undefined>;
  /** Batched: at most 10 services per call as the API allows. Missing services map to undefined. */
  describeServices(cluster: string, services: string[]): Promise<Map<string, LiveService | undefined>>;
  /** By ARN, family:revision, or family (latest ACTIVE). undefined when it does not exist. */
  describeTaskDefinition(ref: string): Promise<LiveTaskDefinition | undefined>;
  registerTaskDefinition(input: TaskDefinitionInput, tags: Record<string, string>): Promise<LiveTaskDefinition>;
  /** `forceNewDeployment`: start a deployment even when the task definition does not change. */
  updateService(cluster: string, service: string, taskDefinitionArn: string, opts?: { forceNewDeployment?: boolean }): Promise<LiveService>;
  // The service-deployment API (2024). Optional: an endpoint (or an older fake) may not have it;
  // callers fall back to the DescribeServices view and deployer's provenance tags.
  /** Newest first, at most `maxResults` (default 20, at most 100). */
  listServiceDeployments?(cluster: string, service: string, opts?: { maxResults?: number }): Promise<ServiceDeploymentInfo[]>;
  /** At most 20 ARNs a call; unknown ARNs are left out. */
  describeServiceDeployments?(arns: string[]): Promise<ServiceDeploymentInfo[]>;
  /** At most 20 ARNs a call; unknown ARNs are left out. */
  describeServiceRevisions?(arns: string[]): Promise<ServiceRevisionInfo[]>;
  /** StopServiceDeployment with stopType ROLLBACK: ECS rolls the deployment back to the previous service revision. */
  stopServiceDeployment?(arn: string): Promise<void>;
  // One-off tasks (issue 17). Optional like the service-deployment API: a fake may not have them.
  /** RunTask of one task; placement problems come back as `failure` (RunTask answers them in `failures`, not as an error). */
  runTask?(req: RunTaskRequest): Promise<{ task?: LiveTask; failure?: { reason?: string; detail?: string } }>;
  /** DescribeTasks (at most 100 a call); tasks ECS no longer knows map to undefined. */
  describeTasks?(cluster: string, taskArns: string[]): Promise<Map<string, LiveTask | undefined>>;
  /** StopTask with a reason. */
  stopTask?(cluster: string, taskArn: string, reason: string): Promise<void>;
}

// ---------- ECR ----------

/** An ECR repository (parsed by src/config/aws-names.ts). */
export type RepositoryRef = EcrRepository;

export interface ImageDetail {
  digest: string;
  tags: string[];
  pushedAt?: string;
}

export interface EcrPort {
  /** Look an image up by tag or digest; undefined when the repository has no such image. */
  findImage(repo: RepositoryRef, ref: { tag: string } | { digest: string }): Promise<ImageDetail | undefined>;
  /** The repository policy, parsed; undefined when the repository has none. */
  getRepositoryPolicy(repo: RepositoryRef): Promise<PolicyDocument | undefined>;
}

// ---------- IAM ----------

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string | string[]>;
  NotPrincipal?: "*" | Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface RoleInfo {
  arn: string;
  name: string;
  /** URL-decoded and parsed trust policy. */
  trustPolicy: PolicyDocument;
  permissionsBoundaryArn?: string;
}

export interface SimulationContextEntry {
  key: string;
  /** string | stringList | ... (IAM ContextKeyType, lower-case) */
  type: string;
  values: string[];
}

/**
 * One (action, resource) answer of iam:SimulatePrincipalPolicy. Since 2026-07-30 IAM returns one
 * EvaluationResult per action with the per-resource answers in ResourceSpecificResults; the port
 * expands them, so each SimulationResult is one pair either way.
 */
export interface SimulationResult {
  action: string;
  resource: string;
  /** allowed | explicitDeny | implicitDeny */
  decision: string;
  /** Statement ids/sources that matched, for evidence (SCP statements are never listed by IAM). */
  matchedStatements: string[];
  /** Context keys the policies test that the request did not give (per resource, or the action's for "*"). */
  missingContextValues: string[];
  /** OrganizationsDecisionDetail.AllowedByOrganizations: undefined when the account is in no organization. */
  allowedByOrganizations?: boolean;
  /** PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary: undefined without a boundary. */
  allowedByPermissionsBoundary?: boolean;
  /** EvalDecisionDetails (cross-account simulations only): policy type -> decision. */
  decisionDetails?: Record<string, string>;
}

export interface IamPort {
  /** undefined when the role does not exist (NoSuchEntity). */
  getRole(roleName: string): Promise<RoleInfo | undefined>;
  simulatePrincipalPolicy(
    policySourceArn: string,
    actions: string[],
    resources: string[],
    context: SimulationContextEntry[],
  ): Promise<SimulationResult[]>;
  /** Inline policies of a role, name -> parsed document. */
  listInlinePolicies(roleName: string): Promise<Record<string, PolicyDocument>>;
  /** Managed policies attached to a role, ARN -> parsed default-version document. */
  listAttachedPolicies(roleName: string): Promise<Record<string, PolicyDocument>>;
  /**
   * Optional: the default-version document of a managed policy by ARN (iam:GetPolicy +
   * iam:GetPolicyVersion); undefined when it does not exist. Preflight uses it to read a deploy
   * role's permissions boundary; without it a role with a boundary is "unverified" locally.
   */
  getManagedPolicy?(policyArn: string): Promise<PolicyDocument | undefined>;
}

// ---------- what tasks need at launch: metadata only, never a secret's value ----------

/** An SSM parameter as DescribeParameters describes it (no value). */
export interface ParameterMetadata {
  name: string;
  arn?: string;
  /** String | StringList | SecureString */
  type: string;
  /** SecureString: the KMS key (id, ARN or alias; alias/aws/ssm is the AWS managed key). */
  keyId?: string;
}

export interface SsmPort {
  /** ssm:DescribeParameters with a Name filter in `region`; undefined when no parameter has that name. */
  describeParameter(region: string, name: string): Promise<ParameterMetadata | undefined>;
}

/** A Secrets Manager secret as DescribeSecret describes it (no value). */
export interface SecretMetadata {
  arn: string;
  name: string;
  /** Absent: the AWS managed key aws/secretsmanager. */
  kmsKeyId?: string;
}

export interface SecretsManagerPort {
  /** secretsmanager:DescribeSecret (name or ARN) in `region`; undefined when it does not exist. */
  describeSecret(region: string, secretId: string): Promise<SecretMetadata | undefined>;
}

export interface LogGroupMetadata {
  name: string;
  /** arn:…:logs:REGION:ACCOUNT:log-group:NAME (without ":*"). */
  arn: string;
}

export interface LogsPort {
  /** logs:DescribeLogGroups (name prefix, exact match kept) in `region`; undefined when the group does not exist. */
  describeLogGroup(region: string, name: string): Promise<LogGroupMetadata | undefined>;
}

/** A KMS key as DescribeKey describes it. */
export interface KeyMetadata {
  arn: string;
  keyId: string;
  account: string;
  /** AWS (an AWS managed key: aws/ssm, aws/secretsmanager) | CUSTOMER */
  keyManager: string;
  enabled: boolean;
  /** Enabled | Disabled | PendingDeletion | … */
  keyState?: string;
}

export interface KmsPort {
  /** kms:DescribeKey (key id, key ARN, alias name or alias ARN) in `region`; undefined when it does not exist. */
  describeKey(region: string, keyId: string): Promise<KeyMetadata | undefined>;
}

// ---------- Cloud Map and RAM: Service Connect namespaces shared across accounts ----------

/** A Cloud Map namespace as GetNamespace describes it. */
export interface NamespaceInfo {
  id: string;
  arn: string;
  name: string;
  /** The account that created it (shared namespaces: the owner). */
  owner?: string;
}

export interface ServiceDiscoveryPort {
  /** servicediscovery:GetNamespace (an ARN for a shared namespace); undefined on NamespaceNotFound. */
  getNamespace(region: string, idOrArn: string): Promise<NamespaceInfo | undefined>;
}

/** A RAM invitation this account received (GetResourceShareInvitations). */
export interface ShareInvitationInfo {
  arn: string;
  shareArn: string;
  shareName: string;
  sender: string;
  receiver?: string;
  /** PENDING | ACCEPTED | REJECTED | EXPIRED */
  status: string;
}

/** A share's association with a resource or a principal, as its owner sees it (GetResourceShareAssociations). */
export interface ShareAssociationInfo {
  shareArn: string;
  shareName: string;
  /** The resource ARN, or the principal (account id, organization ARN). */
  entity: string;
  type: "RESOURCE" | "PRINCIPAL";
  /** ASSOCIATING | ASSOCIATED | FAILED | DISASSOCIATING | DISASSOCIATED */
  status: string;
}

export interface RamPort {
  /** ram:GetResourceShareInvitations: the invitations this account received, in `region`. */
  listInvitations(region: string): Promise<ShareInvitationInfo[]>;
  /** ram:GetResourceShareAssociations of the shares this account owns, in `region`. */
  listAssociations(
    region: string,
    q: { type: "RESOURCE"; resourceArn?: string; shareArns?: string[] } | { type: "PRINCIPAL"; principal?: string; shareArns?: string[] },
  ): Promise<ShareAssociationInfo[]>;
}

// ---------- EC2: the network a one-off task runs in ----------

/**
 * Which of some ids exist in the session's account and region. EC2 fails a whole Describe call for
 * one id that does not exist (InvalidSubnetID.NotFound / InvalidGroup.NotFound:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html): the port then asks
 * id by id, so `missing` names each one.
 */
export interface Ec2Lookup {
  found: string[];
  missing: string[];
}

export interface Ec2Port {
  /** ec2:DescribeSubnets with SubnetIds (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html). */
  describeSubnets(ids: string[]): Promise<Ec2Lookup>;
  /** ec2:DescribeSecurityGroups with GroupIds (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html). */
  describeSecurityGroups(ids: string[]): Promise<Ec2Lookup>;
}

// ---------- STS / sessions ----------

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** The AWS clients of one target, acting as its assumed deploy role, in its region. */
export interface TargetSession {
  ecs: EcsPort;
  ecr: EcrPort;
  iam: IamPort;
  /** Metadata reads of what the target's tasks need at launch (any region of the account). */
  ssm: SsmPort;
  secretsManager: SecretsManagerPort;
  logs: LogsPort;
  kms: KmsPort;
  /** Cloud Map and RAM reads (cross-account Service Connect). Optional: fakes may not have them. */
  serviceDiscovery?: ServiceDiscoveryPort;
  ram?: RamPort;
  /** EC2 reads of the network one-off tasks run in (check task-network). Optional: fakes may not have it. */
  ec2?: Ec2Port;
  /** Who we are in that account: the assumed-role ARN. */
  identity: CallerIdentity;
}

export interface AssumeRoleRequest {
  roleArn: string;
  externalId?: string;
  /**
   * Where the session acts (the target's region). STS itself is called in the caller's region:
   * regional STS sessions are valid in every region, and a target's opt-in region need not be
   * enabled in the account deployer runs in.
   */
  region: string;
  /** deployer-<service>-<short run id>: identifies the run in CloudTrail. */
  sessionName: string;
  /** The target (environment name) the session is for: named in errors. */
  target?: string;
}

/** The base credentials' lifetime, as the lifetime check needs it (see src/aws/base-credentials.ts). */
export interface BaseLifetime {
  expiresAt?: Date;
  refreshable: boolean;
  /** Where they come from, for the message. */
  source: string;
  /** How to get credentials that last. */
  fix: string;
}

/** Builds per-target sessions. Implemented over the SDK's credential providers (auto-refreshing). */
export interface SessionFactory {
  /** Base credentials (the SDK default chain), for the central registry. */
  base(region: string): Promise<{ ecr: EcrPort; identity: CallerIdentity }>;
  /** Assume a role (e.g. the registry role) and return an ECR port acting as it. */
  registry(req: AssumeRoleRequest): Promise<{ ecr: EcrPort; identity: CallerIdentity }>;
  /**
   * Assume the target's deploy role. Rejects with a DeployerError (code ASSUME_ROLE_DENIED or
   * AWS_ERROR) when the role cannot be assumed; the credentials then refresh themselves.
   */
  target(req: AssumeRoleRequest): Promise<TargetSession>;
  /**
   * What is known about the base credentials' lifetime (when they expire, whether deployer can get
   * new ones); undefined when the factory cannot tell (fakes).
   */
  baseLifetime?(): Promise<BaseLifetime | undefined>;
  /** Release sockets and cached sessions; the factory must not be used afterwards. */
  close?(): Promise<void>;
}
