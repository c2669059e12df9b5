// The fixture: what the sandbox's AWS looks like when it starts. Either explicit accounts (users,
// roles, policies, repositories, clusters, task definitions) or compact `targets`, each expanded into
// a standard deploy-target account (deploy role, task and execution roles, cluster, service) by
// `expandTarget`. The demo fleet in fixtures/demo.yaml uses both.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { DEFAULT_VIEWER_EXTERNAL_ID, viewerRole } from "./viewer-role.js";
import { applyLaunchOptions, LAUNCH_FIXTURE_LISTS, type LaunchResourcesFixture, type LaunchTargetOptions } from "./launch-resources.js";
import type { VpcFixture } from "./network.js";

export type PolicyDocument = { Version?: string; Statement: PolicyStatement[] | PolicyStatement; Id?: string };
export type PolicyStatement = Record<string, unknown>;

export interface Fixture {
  /** How long a healthy rollout takes, in seconds (default 2). */
  deploymentSeconds?: number;
  /** How long one minute of ECS bake time lasts in the sandbox, in seconds (default 60). */
  minuteSeconds?: number;
  accounts?: AccountFixture[];
  /** Standard deploy-target accounts; see TargetFixture. */
  targets?: TargetFixture[];
  /** Defaults for every entry of `targets` (and for generated accounts). */
  targetDefaults?: Partial<TargetFixture>;
  /** AWS Organizations the accounts belong to (for RAM sharing: sharing.ts). */
  organizations?: OrganizationFixture[];
}

/** An organization in AWS Organizations, as far as RAM sharing needs it (sharing.ts). */
export interface OrganizationFixture {
  /** o-xxxxxxxxxx */
  id: string;
  managementAccount: string;
  /** Member accounts (the management account is a member too). */
  accounts: string[];
  /**
   * "Enable sharing with AWS Organizations" (RAM): shares to accounts of the organization are then
   * granted without invitations (default false).
   */
  ramSharingEnabled?: boolean;
}

/** An AWS Cloud Map namespace (https://docs.aws.amazon.com/cloud-map/latest/api/API_Namespace.html). */
export interface NamespaceFixture {
  region: string;
  name: string;
  /** ns-… (default: derived from the account, region and name). */
  id?: string;
  /** HTTP (default) | DNS_PRIVATE | DNS_PUBLIC */
  type?: "HTTP" | "DNS_PRIVATE" | "DNS_PUBLIC";
  description?: string;
}

/** An AWS RAM resource share owned by the account it is declared in (sharing.ts). */
export interface ResourceShareFixture {
  region: string;
  name: string;
  /** Cloud Map namespaces it shares: names of this account's namespaces in `region`, or namespace ARNs. */
  resources: string[];
  /**
   * Who it is shared with: an account id (then `invitation` says where its invitation stands; no
   * invitation inside an organization with RAM sharing enabled), or an organization ARN
   * (arn:aws:organizations::MANAGEMENT:organization/o-…, only with RAM sharing enabled).
   */
  principals: Array<string | { account: string; invitation?: "PENDING" | "ACCEPTED" | "REJECTED" | "EXPIRED" }>;
  /** The RAM managed permission's name (default AWSRAMPermissionCloudMapECSFullPermission, the one ECS needs). */
  permission?: string;
  /** Whether principals outside the owner's organization may be added (default true). */
  allowExternalPrincipals?: boolean;
}

/** Parameters, secrets, log groups, KMS keys and the organization's SCPs: see launch-resources.ts. */
export interface AccountFixture extends LaunchResourcesFixture {
  id: string;
  name?: string;
  users?: UserFixture[];
  roles?: RoleFixture[];
  /** Customer managed policies (arn:aws:iam::ACCOUNT:policy/PATHNAME). */
  policies?: ManagedPolicyFixture[];
  repositories?: RepositoryFixture[];
  taskDefinitions?: TaskDefinitionFixture[];
  clusters?: ClusterFixture[];
  /** ECR registry replication rules of this account (DescribeRegistry). */
  replication?: ReplicationRuleFixture[];
  /** Opt-in regions (regions.ts) this account has enabled; regions it has resources in are enabled anyway. */
  enabledRegions?: string[];
  /** IAM OIDC identity providers, e.g. GitHub's: { url: https://token.actions.githubusercontent.com, clientIds: [sts.amazonaws.com] }. */
  oidcProviders?: { url: string; clientIds: string[] }[];
  /** AWS Cloud Map namespaces this account owns. */
  namespaces?: NamespaceFixture[];
  /** AWS RAM resource shares this account owns. */
  resourceShares?: ResourceShareFixture[];
  /** VPCs with their subnets and security groups (network.ts); a VPC's default security group comes with it. */
  vpcs?: VpcFixture[];
}

export interface ReplicationRuleFixture {
  sourceRegion: string;
  destinations: { region: string; registryId: string }[];
  repositoryFilters?: { filter: string; filterType: "PREFIX_MATCH" }[];
}

export interface UserFixture {
  name: string;
  path?: string;
  accessKeys?: { id: string; secret: string }[];
  inlinePolicies?: Record<string, PolicyDocument>;
  /** Policy ARNs (customer managed in this account, or arn:aws:iam::aws:policy/...). */
  managedPolicies?: string[];
  permissionsBoundary?: string;
}

export interface RoleFixture {
  name: string;
  path?: string;
  description?: string;
  trustPolicy: PolicyDocument;
  inlinePolicies?: Record<string, PolicyDocument>;
  managedPolicies?: string[];
  permissionsBoundary?: string;
  maxSessionDuration?: number;
}

export interface ManagedPolicyFixture {
  name: string;
  path?: string;
  description?: string;
  document: PolicyDocument;
}

export interface ImageFixture {
  tags?: string[];
  digest: string;
  sizeBytes?: number;
  /** Tasks from this image never become healthy. */
  bad?: boolean;
  /** Tasks from this image run, but trip the service's CloudWatch deployment alarms. */
  tripsAlarms?: boolean;
  /** One-off tasks (RunTask) of this image exit with this code (tasks.ts); its service tasks are unaffected. */
  taskExitCode?: number;
}

export interface RepositoryFixture {
  region: string;
  name: string;
  policy?: PolicyDocument;
  /** Oldest first: pushedAt increases in this order. */
  images?: ImageFixture[];
}

export interface TaskDefinitionFixture {
  region: string;
  /** A RegisterTaskDefinition input (family, containerDefinitions, ...). */
  input: Record<string, unknown>;
  tags?: Record<string, string>;
}

export interface ServiceFixture {
  name: string;
  /** family:revision of a task definition registered in the same account/region. */
  taskDefinition: string;
  desiredCount: number;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** ECS (default) | CODE_DEPLOY | EXTERNAL */
  deploymentController?: string;
  /** The rest of deploymentConfiguration: alarms, strategy, bake time, linear/canary, lifecycle hooks. */
  deploymentConfiguration?: DeploymentConfigurationFixture;
  /** As CreateService takes it (enabled, namespace name or ARN, services …); not checked against Cloud Map at seeding. */
  serviceConnectConfiguration?: Record<string, unknown>;
  /**
   * As CreateService takes it ({ awsvpcConfiguration: { subnets, securityGroups, assignPublicIp } }).
   * Default: two subnets and one security group derived from the account id. Subnets and groups no VPC
   * of the fixture declares are created with the service (network.ts ensureNetwork).
   */
  networkConfiguration?: { awsvpcConfiguration: { subnets: string[]; securityGroups?: string[]; assignPublicIp?: string } };
}

/**
 * A further service in a compact target's cluster (beside `service`), e.g. a worker: its own task
 * definition family and log group, the target's task and execution roles, network and image.
 */
export interface ExtraServiceFixture {
  /** The ECS service's name in the cluster, e.g. "worker". */
  name: string;
  /** Task definition family prefix: family `<familyPrefix><target name>` (default `shop-<name>-`). */
  familyPrefix?: string;
  /** awslogs group prefix: group `<logGroupPrefix><target name>` (default `/ecs/shop-<name>/`), created in the target. */
  logGroupPrefix?: string;
  /** The container's name (default "app"). */
  containerName?: string;
  /** The container's command (default none: the image's). */
  command?: string[];
  /** Default 1. */
  desiredCount?: number;
  /** Repository URI its running image comes from (default: the target's image repository). */
  imageRepository?: string;
}

/** As CreateService takes them (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html). */
export interface DeploymentConfigurationFixture {
  alarms?: { alarmNames: string[]; enable: boolean; rollback: boolean };
  /** ROLLING (default) | BLUE_GREEN | LINEAR | CANARY */
  strategy?: string;
  bakeTimeInMinutes?: number;
  linearConfiguration?: { stepPercent?: number; stepBakeTimeInMinutes?: number };
  canaryConfiguration?: { canaryPercent?: number; canaryBakeTimeInMinutes?: number };
  lifecycleHooks?: Array<{ hookTargetArn: string; roleArn?: string; lifecycleStages: string[] }>;
}

export interface ClusterFixture {
  region: string;
  name: string;
  services?: ServiceFixture[];
}

/** The launch options (execution role's ECR pull, log group, secret, SCPs, boundary): see launch-resources.ts. */
export interface TargetFixture extends LaunchTargetOptions {
  /** Short name: cluster `shop-<name>`, family `shop-api-<name>` with the default prefixes. */
  name: string;
  account: string;
  region: string;
  externalId?: string;
  desiredCount?: number;
  /** Account trusted by the deploy role (arn:aws:iam::ACCOUNT:root). */
  trustedAccount?: string;
  /** Repository URI the running revision's image comes from (default: centralRepository). */
  imageRepository?: string;
  /** Central repository URI; when imageRepository is in this account, it is created as a replica of it. */
  centralRepository?: string;
  /** Tag (in the central repository) the running revision uses. */
  runningImageTag?: string;
  service?: string;
  clusterPrefix?: string;
  familyPrefix?: string;
  externalIdPrefix?: string;
  /** false: the deploy role has no iam:PassRole (default true). */
  passRole?: boolean;
  /** false: the deploy role may not call iam:SimulatePrincipalPolicy (default true). */
  simulatePrincipalPolicy?: boolean;
  /** Service principal the task role trusts (default ecs-tasks.amazonaws.com). */
  taskRoleTrustsService?: string;
  /**
   * false: the deploy role's trust policy allows sts:AssumeRole but not sts:TagSession, so session
   * tags are refused (default true: a statement allowing sts:TagSession, as the README's setup recommends).
   */
  tagSession?: boolean;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** The service's other deployment settings (alarms, strategy, bake time, …). */
  deploymentConfiguration?: DeploymentConfigurationFixture;
  /** The service's Service Connect configuration (as CreateService takes it). */
  serviceConnectConfiguration?: Record<string, unknown>;
  /**
   * true: the account also gets the read-only role `deployer-viewer` (see viewerRole), trusting
   * `trustedAccount` with the ExternalId `viewerExternalId` (default false).
   */
  viewer?: boolean;
  /** ExternalId the viewer role requires (default "shop-viewer"). */
  viewerExternalId?: string;
  /** Role ARNs (usually in other accounts) the task role's policy allows sts:AssumeRole on. */
  taskRoleAssumes?: string[];
  /** More services in the target's cluster (e.g. a worker); the deploy and viewer roles cover them too. */
  extraServices?: ExtraServiceFixture[];
}

export function loadFixtureFile(path: string): Fixture {
  const text = readFileSync(path, "utf8");
  const data: unknown = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  if (!data || typeof data !== "object") throw new Error(`sandbox fixture ${path}: not a mapping`);
  return data;
}

export interface RepositoryUri {
  account: string;
  region: string;
  name: string;
}

export function parseRepositoryUri(uri: string): RepositoryUri | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)$/.exec(uri);
  return m ? { account: m[1]!, region: m[2]!, name: m[3]! } : undefined;
}

const ECS_TASKS = "ecs-tasks.amazonaws.com";
const TASK_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

/**
 * A standard deploy-target account: role `deployer` (trusting the CI account with an external id),
 * `shop-api-task`, `shop-api-exec`, a customer managed policy `deployer-iam-read`, cluster
 * `<clusterPrefix><name>` with service `api` on `<familyPrefix><name>:1`, stable.
 */
export function expandTarget(t: TargetFixture, central: Fixture["accounts"]): AccountFixture {
  const a = t.account;
  const region = t.region;
  const name = t.name;
  const service = t.service ?? "api";
  const cluster = `${t.clusterPrefix ?? "shop-"}${name}`;
  const family = `${t.familyPrefix ?? "shop-api-"}${name}`;
  const externalId = t.externalId ?? `${t.externalIdPrefix ?? "shop-deployer-"}${name}`;
  const trusted = t.trustedAccount ?? "111111111111";
  const centralUri = t.centralRepository;
  const imageRepo = t.imageRepository ?? centralUri;
  const taskRole = `arn:aws:iam::${a}:role/shop-api-task`;
  const execRole = `arn:aws:iam::${a}:role/shop-api-exec`;

  const repositories: RepositoryFixture[] = [];
  let runningImage = "public.ecr.aws/docker/library/nginx:stable";
  const centralRef = centralUri ? parseRepositoryUri(centralUri) : undefined;
  const centralRepo = centralRef
    ? central
        ?.find((x) => x.id === centralRef.account)
        ?.repositories?.find((r) => r.name === centralRef.name && r.region === centralRef.region)
    : undefined;
  const running = centralRepo?.images?.find((i) => i.tags?.includes(t.runningImageTag ?? "")) ?? centralRepo?.images?.[0];
  if (imageRepo && running) runningImage = `${imageRepo}@${running.digest}`;
  /** The running image from repository `uri`: a central one, or this target's replica of the central one. */
  const runningFrom = (uri: string | undefined): string => {
    const ref = uri ? parseRepositoryUri(uri) : undefined;
    if (!uri || !ref) return runningImage;
    const repo =
      central?.find((x) => x.id === ref.account)?.repositories?.find((r) => r.name === ref.name && r.region === ref.region) ??
      (ref.account === a && ref.name === centralRef?.name ? centralRepo : undefined);
    const img = repo?.images?.find((i) => i.tags?.includes(t.runningImageTag ?? "")) ?? repo?.images?.[0];
    return img ? `${uri}@${img.digest}` : runningImage;
  };
  const imageRef = imageRepo ? parseRepositoryUri(imageRepo) : undefined;
  if (imageRef && imageRef.account === a && centralRepo) {
    repositories.push({ region: imageRef.region, name: imageRef.name, images: centralRepo.images?.map((i) => ({ ...i })) });
  }
  const repoNames = [...new Set([centralRef?.name, imageRef?.name].filter((x): x is string => !!x))];

  // The target's network: one VPC, two subnets in two Availability Zones, the tasks' security group
  // (ids derived from the account, as before network.ts modelled them) and the VPC's default group.
  const a8 = a.slice(0, 8);
  const subnetIds = [`subnet-0${a8}a1`, `subnet-0${a8}b2`];
  const tasksSg = `sg-0${a8}c3`;
  const networkConfiguration = { awsvpcConfiguration: { subnets: subnetIds, securityGroups: [tasksSg], assignPublicIp: "DISABLED" } };
  const vpcs: VpcFixture[] = [
    {
      region,
      id: `vpc-0${a8}f6`,
      cidrBlock: "10.0.0.0/16",
      subnets: [
        { id: subnetIds[0]!, availabilityZone: `${region}a`, cidrBlock: "10.0.1.0/24" },
        { id: subnetIds[1]!, availabilityZone: `${region}b`, cidrBlock: "10.0.2.0/24" },
      ],
      securityGroups: [{ id: tasksSg, name: `${cluster}-tasks`, description: `Tasks of ${cluster}: no inbound, all outbound.` }],
      defaultSecurityGroupId: `sg-0${a8}d4`,
    },
  ];

  // Further services (e.g. a worker): their families and log groups.
  const extras = (t.extraServices ?? []).map((x) => ({
    ...x,
    family: `${x.familyPrefix ?? `shop-${x.name}-`}${name}`,
    logGroup: `${x.logGroupPrefix ?? `/ecs/shop-${x.name}/`}${name}`,
  }));
  const families = [family, ...extras.map((x) => x.family)];
  const services = [service, ...extras.map((x) => x.name)];
  const one = <T>(list: T[]): T | T[] => (list.length === 1 ? list[0]! : list);
  const clusterArnOf = `arn:aws:ecs:${region}:${a}:cluster/${cluster}`;

  const deployStatements: PolicyStatement[] = [
    {
      Sid: "EcsRead",
      Effect: "Allow",
      Action: ["ecs:Describe*", "ecs:List*"],
      // Reads cover the account's clusters/services in the region, so a misspelt service comes back
      // as a MISSING failure and a misspelt cluster as ClusterNotFoundException (not AccessDenied).
      Resource: [
        `arn:aws:ecs:${region}:${a}:cluster/*`,
        `arn:aws:ecs:${region}:${a}:service/*`,
        ...families.map((f) => `arn:aws:ecs:${region}:${a}:task-definition/${f}:*`),
        // Service deployments and revisions, as the ECS guide's least-privilege example grants them:
        // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment-permissions.html
        `arn:aws:ecs:${region}:${a}:service-deployment/*`,
        `arn:aws:ecs:${region}:${a}:service-revision/*`,
        // DescribeTasks of one-off tasks (services/ecs-tasks.ts authorises it on the task ARN).
        `arn:aws:ecs:${region}:${a}:task/*`,
      ],
    },
    {
      Sid: "EcsTaskDefinitionsAnyResource",
      Effect: "Allow",
      Action: ["ecs:DescribeTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:ListTaskDefinitions"],
      Resource: "*",
    },
    {
      Sid: "EcsDeploy",
      Effect: "Allow",
      Action: ["ecs:RegisterTaskDefinition", "ecs:TagResource"],
      Resource: one(families.map((f) => `arn:aws:ecs:${region}:${a}:task-definition/${f}:*`)),
    },
    {
      Sid: "EcsUpdateService",
      Effect: "Allow",
      Action: ["ecs:UpdateService"],
      Resource: one(services.map((x) => `arn:aws:ecs:${region}:${a}:service/${cluster}/${x}`)),
    },
    {
      // Rolling back a BLUE_GREEN / LINEAR / CANARY deployment (StopServiceDeployment, stopType ROLLBACK).
      Sid: "EcsStopServiceDeployment",
      Effect: "Allow",
      Action: ["ecs:StopServiceDeployment"],
      Resource: one(services.map((x) => `arn:aws:ecs:${region}:${a}:service-deployment/${cluster}/${x}/*`)),
    },
    // One-off tasks (migrations) in the target's cluster, as the ECS guide's examples grant them
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/IAMPolicyExamples.html: RunTask on the
    // task definitions with the ecs:cluster condition; ListTasks on "*" with it). iam:PassRole of the
    // task and execution roles is PassTaskRoles below.
    {
      Sid: "EcsRunTask",
      Effect: "Allow",
      Action: "ecs:RunTask",
      Resource: families.map((f) => `arn:aws:ecs:${region}:${a}:task-definition/${f}:*`),
      Condition: { ArnEquals: { "ecs:cluster": clusterArnOf } },
    },
    {
      // Tags given to RunTask (ecs:CreateAction RunTask: supported-iam-actions-tagging).
      Sid: "EcsTagTasksAtLaunch",
      Effect: "Allow",
      Action: "ecs:TagResource",
      Resource: `arn:aws:ecs:${region}:${a}:task/${cluster}/*`,
      Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
    },
    {
      Sid: "EcsStopTask",
      Effect: "Allow",
      Action: "ecs:StopTask",
      Resource: `arn:aws:ecs:${region}:${a}:task/${cluster}/*`,
    },
    {
      Sid: "EcsListTasks",
      Effect: "Allow",
      Action: "ecs:ListTasks",
      Resource: "*",
      Condition: { ArnEquals: { "ecs:cluster": clusterArnOf } },
    },
    {
      // Do the network's subnets and security groups exist (preflight of one-off tasks)? EC2 Describe*
      // calls have no resource-level permissions (Service Authorization Reference: no resource types).
      Sid: "Ec2NetworkRead",
      Effect: "Allow",
      Action: ["ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"],
      Resource: "*",
    },
  ];
  // Preflight reads the metadata of what tasks need at launch, never a value: none of these actions
  // has resource-level permissions for listing (DescribeParameters, DescribeLogGroups); deployer's
  // README lists them among the deploy role's permissions.
  deployStatements.push({
    Sid: "LaunchMetadataReads",
    Effect: "Allow",
    Action: ["ssm:DescribeParameters", "secretsmanager:DescribeSecret", "logs:DescribeLogGroups", "kms:DescribeKey"],
    Resource: "*",
  });
  if (repoNames.length > 0) {
    deployStatements.push({
      Sid: "EcrReadServiceImages",
      Effect: "Allow",
      Action: ["ecr:DescribeImages", "ecr:BatchGetImage"],
      Resource: repoNames.map((r) => `arn:aws:ecr:*:*:repository/${r}`),
    });
  }
  if (t.passRole !== false) {
    deployStatements.push({
      Sid: "PassTaskRoles",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: [taskRole, execRole],
      Condition: { StringEquals: { "iam:PassedToService": ECS_TASKS } },
    });
  }
  const iamRead: PolicyStatement[] = [
    {
      Sid: "ReadRoles",
      Effect: "Allow",
      Action: ["iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"],
      Resource: `arn:aws:iam::${a}:role/*`,
    },
    {
      Sid: "ReadPolicies",
      Effect: "Allow",
      Action: ["iam:GetPolicy", "iam:GetPolicyVersion"],
      Resource: [`arn:aws:iam::${a}:policy/*`, "arn:aws:iam::aws:policy/*"],
    },
  ];
  if (t.simulatePrincipalPolicy !== false) {
    iamRead.push({
      Sid: "SimulateOwnRoles",
      Effect: "Allow",
      Action: "iam:SimulatePrincipalPolicy",
      Resource: `arn:aws:iam::${a}:role/*`,
    });
  }
  // Cross-account AssumeRole from the task: the caller's identity policy must allow sts:AssumeRole on
  // the destination ARN (and the destination's trust must name the caller or its account):
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
  const taskStatements: PolicyStatement[] = [
    { Effect: "Allow", Action: "ssm:GetParameter", Resource: `arn:aws:ssm:${region}:${a}:parameter/shop-api/*` },
  ];
  if (t.taskRoleAssumes && t.taskRoleAssumes.length > 0) {
    taskStatements.push({ Sid: "AssumeCrossAccountRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: [...t.taskRoleAssumes] });
  }
  const trustService = t.taskRoleTrustsService ?? ECS_TASKS;
  const taskTrust: PolicyStatement = {
    Effect: "Allow",
    Principal: { Service: trustService },
    Action: "sts:AssumeRole",
  };
  if (trustService === ECS_TASKS) taskTrust.Condition = { StringEquals: { "aws:SourceAccount": a } };

  const cpu = (t.desiredCount ?? 1) >= 3 ? "512" : "256";
  const memory = cpu === "512" ? "1024" : "512";
  const account: AccountFixture = {
    id: a,
    name,
    policies: [
      {
        name: "deployer-iam-read",
        description: "Lets deployer inspect roles and policies.",
        document: { Version: "2012-10-17", Statement: iamRead },
      },
    ],
    roles: [
      {
        name: "deployer",
        description: "Assumed by deployer from the CI account.",
        trustPolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${trusted}:root` },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "sts:ExternalId": externalId } },
            },
            // Session tags need sts:TagSession in the trust policy
            // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required);
            // in a statement of its own, as sts:ExternalId is not among its condition keys (services/sts.ts).
            ...(t.tagSession === false
              ? []
              : [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${trusted}:root` }, Action: "sts:TagSession" }]),
          ],
        },
        inlinePolicies: { deploy: { Version: "2012-10-17", Statement: deployStatements } },
        managedPolicies: [`arn:aws:iam::${a}:policy/deployer-iam-read`],
      },
      {
        name: "shop-api-task",
        description: "Task role of shop-api.",
        trustPolicy: { Version: "2012-10-17", Statement: [taskTrust] },
        inlinePolicies: { app: { Version: "2012-10-17", Statement: taskStatements } },
      },
      {
        name: "shop-api-exec",
        description: "Execution role of shop-api (image pull, logs, secrets).",
        trustPolicy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: ECS_TASKS }, Action: "sts:AssumeRole" }],
        },
        managedPolicies: [TASK_EXECUTION_POLICY],
        inlinePolicies: {
          secrets: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "ssm:GetParameters", Resource: `arn:aws:ssm:${region}:${a}:parameter/shop-api/*` }],
          },
        },
      },
      ...(t.viewer
        ? [
            viewerRole({
              account: a,
              region,
              trustedAccount: trusted,
              externalId: t.viewerExternalId ?? DEFAULT_VIEWER_EXTERNAL_ID,
              family,
              families,
              repositories: repoNames,
              simulate: ["deployer", "shop-api-task"],
            }),
          ]
        : []),
    ],
    repositories,
    taskDefinitions: [
      {
        region,
        tags: { "deployer:managed-by": "sandbox-fixture" },
        input: {
          family,
          taskRoleArn: taskRole,
          executionRoleArn: execRole,
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu,
          memory,
          runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
          containerDefinitions: [
            {
              name: "app",
              image: runningImage,
              essential: true,
              portMappings: [{ name: "http", containerPort: 8080, protocol: "tcp", appProtocol: "http" }],
              environment: [
                { name: "STAGE", value: name },
                { name: "AWS_REGION", value: region },
                { name: "LOG_LEVEL", value: "info" },
              ],
              logConfiguration: {
                logDriver: "awslogs",
                options: { "awslogs-group": `/ecs/shop-api/${name}`, "awslogs-region": region, "awslogs-stream-prefix": "app" },
              },
            },
          ],
        },
      },
      ...extras.map((x) => ({
        region,
        tags: { "deployer:managed-by": "sandbox-fixture" },
        input: {
          family: x.family,
          taskRoleArn: taskRole,
          executionRoleArn: execRole,
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu,
          memory,
          runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
          containerDefinitions: [
            {
              name: x.containerName ?? "app",
              image: runningFrom(x.imageRepository ?? imageRepo),
              essential: true,
              ...(x.command ? { command: [...x.command] } : {}),
              environment: [
                { name: "STAGE", value: name },
                { name: "AWS_REGION", value: region },
                { name: "LOG_LEVEL", value: "info" },
              ],
              logConfiguration: {
                logDriver: "awslogs",
                options: { "awslogs-group": x.logGroup, "awslogs-region": region, "awslogs-stream-prefix": x.name },
              },
            },
          ],
        },
      })),
    ],
    clusters: [
      {
        region,
        name: cluster,
        services: [
          {
            name: service,
            taskDefinition: `${family}:1`,
            desiredCount: t.desiredCount ?? 1,
            circuitBreaker: t.circuitBreaker ?? { enable: true, rollback: true },
            ...(t.deploymentConfiguration ? { deploymentConfiguration: t.deploymentConfiguration } : {}),
            ...(t.serviceConnectConfiguration ? { serviceConnectConfiguration: t.serviceConnectConfiguration } : {}),
            networkConfiguration: structuredClone(networkConfiguration),
          },
          ...extras.map((x) => ({
            name: x.name,
            taskDefinition: `${x.family}:1`,
            desiredCount: x.desiredCount ?? 1,
            circuitBreaker: t.circuitBreaker ?? { enable: true, rollback: true },
            networkConfiguration: structuredClone(networkConfiguration),
          })),
        ],
      },
    ],
    vpcs,
    logGroups: extras.map((x) => ({ region, name: x.logGroup })),
  };
  return applyLaunchOptions(t, account);
}

/** All accounts of a fixture: explicit ones, then expanded targets (merged into an explicit account with the same id). */
export function fixtureAccounts(f: Fixture): AccountFixture[] {
  const accounts = (f.accounts ?? []).map((a) => ({ ...a }));
  for (const t of f.targets ?? []) {
    const full = { ...f.targetDefaults, ...t };
    const expanded = expandTarget(full, f.accounts);
    addReplicationRule(accounts, full);
    const existing = accounts.find((a) => a.id === expanded.id);
    if (!existing) {
      accounts.push(expanded);
      continue;
    }
    for (const key of [
      "users",
      "roles",
      "policies",
      "repositories",
      "taskDefinitions",
      "clusters",
      "vpcs",
      ...LAUNCH_FIXTURE_LISTS,
    ] as const) {
      (existing as unknown as Record<string, unknown[]>)[key] = [
        ...((existing[key] as unknown[]) ?? []),
        ...((expanded[key] as unknown[]) ?? []),
      ];
    }
    existing.organization ??= expanded.organization;
  }
  return accounts;
}

/** A target pulling from a replica in its own account: the central registry replicates there. */
export function addReplicationRule(accounts: AccountFixture[], t: TargetFixture): ReplicationRuleFixture | undefined {
  const central = t.centralRepository ? parseRepositoryUri(t.centralRepository) : undefined;
  const replica = t.imageRepository ? parseRepositoryUri(t.imageRepository) : undefined;
  if (!central || !replica || replica.account !== t.account || central.account === t.account) return undefined;
  const source = accounts.find((a) => a.id === central.account);
  if (!source) return undefined;
  const rule: ReplicationRuleFixture = {
    sourceRegion: central.region,
    destinations: [{ region: replica.region, registryId: replica.account }],
    repositoryFilters: [{ filter: central.name.split("/")[0]!, filterType: "PREFIX_MATCH" }],
  };
  source.replication = [...(source.replication ?? []), rule];
  return rule;
}
