// The IAM actions deployer needs, in ONE table: which role of the mesh needs each action, on which
// resources, under which condition, and which SDK command of src/aws/ (or which thing AWS does on
// deployer's behalf) needs it. `deployer iam` builds every policy from this table (mesh.ts), and
// preflight hints can name the statement to add from it. test/unit/iam-mesh/mesh.test.ts checks that
// every SDK command src/aws/ sends is in it; test/integration/iam-mesh-minimal.test.ts takes each
// emitted action away on the sandbox and names the preflight check that notices (or says none does yet).
//
// Sources (per row below):
//   [SAR-ECS] https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
//   [SAR-ECR] https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
//   [SAR-IAM] https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
//   [SAR-STS] https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
//   [TAG-ON-CREATE] https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html
//     (tags sent with RegisterTaskDefinition make ECS authorise ecs:TagResource too, with ecs:CreateAction)
//   [SVC-DEPLOYMENTS] https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment-permissions.html
//   [PASSROLE] https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html and
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
//   [SIMULATE] https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html
//     ("give Bob access to … arn:aws:iam::777788889999:user/alice": the simulated entity is the resource)
//   [SESSION-TAGS] https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
//   [EXEC-ROLE] https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
//     (AmazonECSTaskExecutionRolePolicy: ecr:GetAuthorizationToken, ecr:GetDownloadUrlForLayer,
//     ecr:BatchGetImage, logs:CreateLogStream, logs:PutLogEvents)
//   [ECR-AUTH] https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
//     (ecr:GetAuthorizationToken is allowed on "*" by an identity policy only)
//   [SSM-SECRETS] https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
//   [ASM-SECRETS] https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
//   [PRIVATE-AUTH] https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html
//   [AWSLOGS] https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
//   [SAR-EC2] https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
//     (DescribeSubnets, DescribeSecurityGroups: no resource types, Resource "*")
//   [RUN-TASK] https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html (the task's
//     roles are passed: the PassTaskRoles statement covers them)
//   [SAR-CM] https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudmap.html
//   [SAR-RAM] https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsresourceaccessmanagerram.html
//   [SC-SHARED] https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-shared-namespaces.html
//
//   [SAR-SSM] https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
//     (DescribeParameters: no resource types, Resource "*")
//   [SAR-ASM] https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
//     (DescribeSecret: Secret*)
//   [SAR-LOGS] https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
//     and https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
//     (DescribeLogGroups lists the account's groups by prefix; no aws:ResourceTag condition): "*"
//   [SAR-KMS] https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
//     (DescribeKey: key*; the key is authorised by its key ARN even when named by alias)
//
// NOT here (yet): iam:GetRole on the roles other targets' tasks assume (read by this account's viewer),
// the task role's own sts:AssumeRole on its taskAssumes, and kms:Decrypt on customer managed keys for
// the execution role (the key is not in the task definition). Add a row when a port starts sending a
// command; the test above fails until then.

/** The roles of the mesh `deployer iam` writes policies for. */
export type MeshRoleKind =
  /** The CI role that deploys (GitHub OIDC from main or a GitHub Environment): assumes deploy and viewer roles. */
  | "ci-deploy"
  /** The pull-request CI role: assumes the viewer roles only. */
  | "ci-plan"
  /** image.registryRole, when deployer.yaml names one: reads the central repository for the CI roles. */
  | "registry"
  /** A target's deploy role. */
  | "deploy"
  /** A target's read-only viewer role. */
  | "view"
  /** A target's task execution role (ECS pulls the image, reads secrets and writes logs as it). */
  | "execution";

/**
 * What a statement's Resource lists, resolved per target by mesh.ts (resources.ts). A row whose
 * resources resolve to nothing (no replica, no awslogs…) adds no statement.
 */
export type ResourceKind =
  | "*"
  | "cluster"
  | "service"
  /** service-deployment/CLUSTER/SERVICE/* */
  | "service-deployments"
  /** service-revision/CLUSTER/SERVICE/* */
  | "service-revisions"
  /** task/CLUSTER/* (the one-off tasks deployer runs in the target's cluster, issue 17) */
  | "cluster-tasks"
  /** task-definition/FAMILY:* (every revision of the target's family) */
  | "task-definition-revisions"
  /** task-definition/FAMILY (the family without revision: what a tag-on-create denial names) */
  | "task-definition-family"
  | "deploy-role"
  | "task-role"
  | "execution-role"
  /** The target's imageRepository (replica), when it has one. */
  | "replica-repository"
  /** The central repository (deployer.yaml image.repository). */
  | "central-repository"
  /** Every ECR repository the rendered task definition's containers pull from. */
  | "pull-repositories"
  /** log-group:GROUP:log-stream:* of every awslogs container. */
  | "log-streams"
  /** log-group:GROUP of awslogs containers with awslogs-create-group "true". */
  | "log-groups-created"
  /** SSM parameters in secrets[].valueFrom and logConfiguration.secretOptions. */
  | "ssm-parameters"
  /** Secrets Manager secrets in secrets[].valueFrom, secretOptions and repositoryCredentials. */
  | "secrets"
  /**
   * key/* in each account and region of those parameters and secrets: the customer managed keys
   * they are encrypted with are not in the configuration (preflight learns them from their metadata).
   */
  | "secret-keys"
  /** Every target's deploy role (for the CI role). */
  | "deploy-roles"
  /** Every target's viewer role (for the CI roles). */
  | "view-roles"
  /** deployer.yaml image.registryRole. */
  | "registry-role"
  /** The target's taskAssumes: roles its task role assumes (usually in other accounts). */
  | "task-assumes"
  /**
   * Cloud Map namespaces of other accounts the target's service uses for Service Connect. Only the
   * live service says which (deployer iam calls no AWS), so this resolves to nothing there: grant
   * these reads by hand where a service uses a shared namespace (README, Service Connect).
   */
  | "service-connect-namespaces";

export interface ActionCondition {
  operator: "StringEquals";
  key: string;
  values: string[];
}

export interface RequiredAction {
  action: string;
  /** The roles whose policy carries it. */
  roles: MeshRoleKind[];
  resources: ResourceKind[];
  condition?: ActionCondition;
  /** Statement id: rows of one role with the same sid form one statement (same resources and condition). */
  sid: string;
  /**
   * The SDK commands of src/aws/ that need it (`DescribeServicesCommand`); empty for what AWS
   * authorises on deployer's behalf (tags on create, PassRole) or at task start (the execution role).
   */
  sdk: string[];
  /** What deployer (or ECS) does with it. */
  why: string;
  /** Where the action, its resource and its condition come from. */
  source: string;
  /** Emitted only when this resource kind resolves to something (GetAuthorizationToken: only when pulling from ECR). */
  onlyWith?: ResourceKind;
  /**
   * Only preflight sends it (never a rollout's writes or waits): a deploy role whose targets all have
   * a viewer role does not get it, the viewer reads instead (issue 18).
   */
  preflightOnly?: true;
  /**
   * Never emitted: deployer's fallback when another action is denied (reading the deploy role's
   * policies when iam:SimulatePrincipalPolicy is not allowed). Listed so hints can name them.
   */
  fallbackFor?: string;
}

const ECS_TASKS = "ecs-tasks.amazonaws.com";
const READERS: MeshRoleKind[] = ["deploy", "view"];

export const REQUIRED_ACTIONS: readonly RequiredAction[] = [
  // ---------- a target's deploy role (and the same reads for its viewer role) ----------
  {
    action: "ecs:DescribeClusters",
    roles: READERS,
    resources: ["cluster"],
    sid: "ReadCluster",
    preflightOnly: true,
    sdk: ["DescribeClustersCommand"],
    why: "preflight: the cluster exists and is ACTIVE",
    source: "[SAR-ECS] DescribeClusters: cluster*",
  },
  {
    action: "ecs:DescribeServices",
    roles: READERS,
    resources: ["service"],
    sid: "ReadService",
    sdk: ["DescribeServicesCommand"],
    why: "preflight, plan, status and drift read the service; a rollout re-reads it before updating and while waiting",
    source: "[SAR-ECS] DescribeServices: service*",
  },
  {
    action: "ecs:ListServiceDeployments",
    roles: READERS,
    resources: ["service"],
    sid: "ReadServiceHistory",
    sdk: ["ListServiceDeploymentsCommand"],
    why: "the service's deployment history: the known-good revision a rollback goes back to",
    source: "[SAR-ECS] ListServiceDeployments: service*; [SVC-DEPLOYMENTS]",
  },
  {
    action: "ecs:DescribeServiceDeployments",
    roles: READERS,
    resources: ["service", "service-deployments"],
    sid: "ReadServiceHistory",
    sdk: ["DescribeServiceDeploymentsCommand"],
    why: "the outcome of each deployment; BLUE_GREEN / LINEAR / CANARY deployments are followed through it",
    source: "[SAR-ECS] DescribeServiceDeployments: service*, service-deployment*; [SVC-DEPLOYMENTS]",
  },
  {
    action: "ecs:DescribeServiceRevisions",
    roles: READERS,
    resources: ["service", "service-revisions"],
    sid: "ReadServiceHistory",
    sdk: ["DescribeServiceRevisionsCommand"],
    why: "which task definition each deployment deployed",
    source: "[SAR-ECS] DescribeServiceRevisions: service*, service-revision*; [SVC-DEPLOYMENTS]",
  },
  {
    action: "ecs:DescribeTaskDefinition",
    roles: READERS,
    resources: ["*"],
    sid: "ReadTaskDefinitions",
    sdk: ["DescribeTaskDefinitionCommand"],
    why: "the live task definition (and its tags) to compare with the rendered one",
    source: '[SAR-ECS] DescribeTaskDefinition: no resource types (Resource "*")',
  },
  {
    action: "iam:GetRole",
    roles: READERS,
    resources: ["task-role", "execution-role"],
    sid: "ReadTaskRoles",
    preflightOnly: true,
    sdk: ["GetRoleCommand"],
    why: "preflight: the task and execution roles exist and trust ecs-tasks.amazonaws.com",
    source: "[SAR-IAM] GetRole: role*",
  },
  {
    action: "iam:SimulatePrincipalPolicy",
    roles: READERS,
    resources: ["deploy-role"],
    sid: "SimulateDeployRole",
    preflightOnly: true,
    sdk: ["SimulatePrincipalPolicyCommand"],
    why: "preflight: may the deploy role iam:PassRole the task and execution roles to ECS",
    source: "[SAR-IAM] SimulatePrincipalPolicy: role; [SIMULATE]",
  },
  {
    action: "iam:SimulatePrincipalPolicy",
    roles: READERS,
    resources: ["task-role"],
    onlyWith: "task-assumes",
    sid: "SimulateTaskRole",
    preflightOnly: true,
    sdk: ["SimulatePrincipalPolicyCommand"],
    why: "preflight: may the task role sts:AssumeRole the roles of taskAssumes",
    source: "[SAR-IAM] SimulatePrincipalPolicy: role; [SIMULATE]",
  },
  {
    action: "servicediscovery:GetNamespace",
    roles: READERS,
    resources: ["service-connect-namespaces"],
    sid: "ReadSharedNamespaces",
    preflightOnly: true,
    sdk: ["GetNamespaceCommand"],
    why: "preflight: a Service Connect namespace of another account is visible from the target's account",
    source: "[SAR-CM] GetNamespace: namespace*; [SC-SHARED]",
  },
  ...(["ram:GetResourceShareInvitations", "ram:GetResourceShareAssociations"] as const).map((action): RequiredAction => ({
    action,
    roles: READERS,
    resources: ["*"],
    onlyWith: "service-connect-namespaces",
    sid: "ReadNamespaceShares",
    preflightOnly: true,
    sdk: [`${action.slice(4)}Command`],
    why: "preflight: name the RAM share (and invitation) of a namespace that is not visible",
    source: `[SAR-RAM] ${action.slice(4)}: no resource types`,
  })),
  {
    action: "ecr:DescribeImages",
    roles: READERS,
    resources: ["replica-repository"],
    sid: "ReadReplicaImages",
    preflightOnly: true,
    sdk: ["DescribeImagesCommand"],
    why: "preflight: the image digest is in the target's replica (imageRepository)",
    source: "[SAR-ECR] DescribeImages: repository*",
  },
  {
    action: "iam:GetRole",
    roles: READERS,
    resources: ["deploy-role"],
    sid: "ReadDeployRole",
    preflightOnly: true,
    sdk: ["GetRoleCommand"],
    why: "preflight: the deploy role's permissions boundary, named when a write is denied by it",
    source: "[SAR-IAM] GetRole: role*",
  },
  {
    action: "iam:SimulatePrincipalPolicy",
    roles: READERS,
    resources: ["execution-role"],
    sid: "SimulateExecutionRole",
    preflightOnly: true,
    sdk: ["SimulatePrincipalPolicyCommand"],
    why: "preflight: may the execution role pull the images, read the secrets and write the logs when ECS starts a task",
    source: "[SAR-IAM] SimulatePrincipalPolicy: role; [SIMULATE]; [EXEC-ROLE]",
  },
  {
    action: "ssm:DescribeParameters",
    roles: READERS,
    resources: ["*"],
    onlyWith: "ssm-parameters",
    sid: "ReadParameterMetadata",
    preflightOnly: true,
    sdk: ["DescribeParametersCommand"],
    why: "preflight: each SSM parameter of secrets[].valueFrom exists, and its type and key (never its value)",
    source: "[SAR-SSM] DescribeParameters: no resource types; [SSM-SECRETS]",
  },
  {
    action: "secretsmanager:DescribeSecret",
    roles: READERS,
    resources: ["secrets"],
    sid: "ReadSecretMetadata",
    preflightOnly: true,
    sdk: ["DescribeSecretCommand"],
    why: "preflight: each Secrets Manager secret of secrets[].valueFrom exists, and its key (never its value)",
    source: "[SAR-ASM] DescribeSecret: Secret*; [ASM-SECRETS]",
  },
  {
    action: "kms:DescribeKey",
    roles: READERS,
    resources: ["secret-keys"],
    sid: "ReadSecretKeys",
    preflightOnly: true,
    sdk: ["DescribeKeyCommand"],
    why: "preflight: the customer managed key of a SecureString parameter or a secret exists and is enabled",
    source: "[SAR-KMS] DescribeKey: key*; [SSM-SECRETS]; [ASM-SECRETS]",
  },
  {
    action: "logs:DescribeLogGroups",
    roles: READERS,
    resources: ["*"],
    onlyWith: "log-streams",
    sid: "ReadLogGroups",
    preflightOnly: true,
    sdk: ["DescribeLogGroupsCommand"],
    why: "preflight: each awslogs group exists (or the task may create it)",
    source: "[SAR-LOGS] DescribeLogGroups; [AWSLOGS]",
  },
  {
    action: "ecs:RegisterTaskDefinition",
    roles: ["deploy"],
    resources: ["task-definition-revisions"],
    sid: "RegisterTaskDefinition",
    sdk: ["RegisterTaskDefinitionCommand"],
    why: "register the rendered task definition (and an identical copy of an INACTIVE revision to roll back to)",
    source: "[SAR-ECS] RegisterTaskDefinition: task-definition*",
  },
  {
    action: "ecs:TagResource",
    roles: ["deploy"],
    resources: ["task-definition-revisions", "task-definition-family"],
    condition: { operator: "StringEquals", key: "ecs:CreateAction", values: ["RegisterTaskDefinition"] },
    sid: "TagOnRegister",
    sdk: [],
    why: "deployer registers task definitions with its tags (image digest, run id, fingerprint…): ECS authorises ecs:TagResource on create",
    source: "[TAG-ON-CREATE]; [SAR-ECS] TagResource: task-definition, condition ecs:CreateAction",
  },
  {
    action: "ecs:UpdateService",
    roles: ["deploy"],
    resources: ["service"],
    sid: "UpdateService",
    sdk: ["UpdateServiceCommand"],
    why: "deploy (and roll back) the new task definition",
    source: "[SAR-ECS] UpdateService: service*",
  },
  // One-off tasks (tasks: in deployer.yaml, issue 17): run with the new task definition, waited for,
  // stopped on a timeout or Ctrl-C.
  {
    action: "ecs:RunTask",
    roles: ["deploy"],
    resources: ["task-definition-revisions"],
    sid: "RunOneOffTasks",
    sdk: ["RunTaskCommand"],
    why: "run a service's one-off tasks (tasks:, e.g. migrations) with the new task definition before the update",
    source: "[SAR-ECS] RunTask: task-definition*; [RUN-TASK]",
  },
  {
    action: "ecs:DescribeTasks",
    roles: ["deploy"],
    resources: ["cluster-tasks"],
    sid: "WaitOneOffTasks",
    sdk: ["DescribeTasksCommand"],
    why: "wait for a one-off task to stop and read its exit code",
    source: "[SAR-ECS] DescribeTasks: task*",
  },
  {
    action: "ecs:StopTask",
    roles: ["deploy"],
    resources: ["cluster-tasks"],
    sid: "WaitOneOffTasks",
    sdk: ["StopTaskCommand"],
    why: "stop a one-off task that outlives its timeoutSeconds (or a run interrupted with Ctrl-C)",
    source: "[SAR-ECS] StopTask: task*",
  },
  ...(["ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"] as const).map((action): RequiredAction => ({
    action,
    roles: READERS,
    resources: ["*"],
    sid: "ReadTaskNetwork",
    preflightOnly: true,
    sdk: [`${action.slice(4)}Command`],
    why: "preflight: the subnets and security groups a one-off task runs in exist (check task-network)",
    source: `[SAR-EC2] ${action.slice(4)}: no resource types`,
  })),
  {
    action: "ecs:StopServiceDeployment",
    roles: ["deploy"],
    resources: ["service", "service-deployments"],
    sid: "StopServiceDeployment",
    sdk: ["StopServiceDeploymentCommand"],
    why: "roll back a failed BLUE_GREEN / LINEAR / CANARY deployment (stopType ROLLBACK)",
    source: "[SAR-ECS] StopServiceDeployment: service*, service-deployment*; [SVC-DEPLOYMENTS]",
  },
  {
    action: "iam:PassRole",
    roles: ["deploy"],
    resources: ["task-role", "execution-role"],
    condition: { operator: "StringEquals", key: "iam:PassedToService", values: [ECS_TASKS] },
    sid: "PassTaskRoles",
    sdk: [],
    why: "RegisterTaskDefinition passes the task and execution roles to ECS",
    source: "[PASSROLE]; [SAR-IAM] PassRole: role*, condition iam:PassedToService",
  },
  // The task role's own policies, read for the sts:AssumeRole resources its tasks may assume in other
  // accounts (check task-assumes, issue 18).
  ...(["iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"] as const).map((action): RequiredAction => ({
    action,
    roles: READERS,
    resources: ["task-role"],
    sid: "ReadTaskRolePolicies",
    preflightOnly: true,
    sdk: [`${action.slice(4)}Command`],
    why: "preflight: the roles of other accounts the task role's policies let it assume (check task-assumes)",
    source: `[SAR-IAM] ${action.slice(4)}: role*`,
  })),
  ...(["iam:GetPolicy", "iam:GetPolicyVersion"] as const).map((action): RequiredAction => ({
    action,
    roles: READERS,
    resources: ["*"],
    sid: "ReadTaskRoleManagedPolicies",
    preflightOnly: true,
    sdk: [`${action.slice(4)}Command`],
    why: "preflight: the managed policies attached to the task role (check task-assumes); their ARNs are only known once listed",
    source: `[SAR-IAM] ${action.slice(4)}: policy*`,
  })),
  // The local fallback of the PassRole check, when iam:SimulatePrincipalPolicy is denied: never emitted.
  ...(["iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"] as const).map((action): RequiredAction => ({
    action,
    roles: READERS,
    resources: ["deploy-role"],
    sid: "ReadDeployRolePolicies",
    sdk: [`${action.slice(4)}Command`],
    why: "read the deploy role's policies to evaluate PassRole locally",
    source: `[SAR-IAM] ${action.slice(4)}: role*`,
    fallbackFor: "iam:SimulatePrincipalPolicy",
  })),
  ...(["iam:GetPolicy", "iam:GetPolicyVersion"] as const).map((action): RequiredAction => ({
    action,
    roles: READERS,
    resources: ["*"],
    sid: "ReadDeployRoleManagedPolicies",
    sdk: [`${action.slice(4)}Command`],
    why: "read the deploy role's managed policies and permissions boundary to evaluate PassRole locally",
    source: `[SAR-IAM] ${action.slice(4)}: policy*`,
    fallbackFor: "iam:SimulatePrincipalPolicy",
  })),

  // ---------- the CI roles (deployer's base credentials) ----------
  {
    action: "sts:AssumeRole",
    roles: ["ci-deploy"],
    resources: ["deploy-roles"],
    sid: "AssumeDeployRoles",
    sdk: ["AssumeRoleCommand"],
    why: "one session per target, as its deploy role",
    source: "[SAR-STS] AssumeRole: role*",
  },
  {
    action: "sts:TagSession",
    roles: ["ci-deploy"],
    resources: ["deploy-roles"],
    sid: "AssumeDeployRoles",
    sdk: ["AssumeRoleCommand"],
    why: "the sessions carry the tags deployer:run-id and deployer:service (CloudTrail)",
    source: "[SAR-STS] TagSession: role; [SESSION-TAGS]",
  },
  {
    action: "sts:AssumeRole",
    roles: ["ci-deploy", "ci-plan"],
    resources: ["view-roles"],
    sid: "AssumeViewerRoles",
    sdk: ["AssumeRoleCommand"],
    why: "one read-only session per target, as its viewer role",
    source: "[SAR-STS] AssumeRole: role*",
  },
  {
    action: "sts:TagSession",
    roles: ["ci-deploy", "ci-plan"],
    resources: ["view-roles"],
    sid: "AssumeViewerRoles",
    sdk: ["AssumeRoleCommand"],
    why: "the sessions carry the tags deployer:run-id and deployer:service (CloudTrail)",
    source: "[SAR-STS] TagSession: role; [SESSION-TAGS]",
  },
  {
    action: "sts:AssumeRole",
    roles: ["ci-deploy", "ci-plan"],
    resources: ["registry-role"],
    sid: "AssumeRegistryRole",
    sdk: ["AssumeRoleCommand"],
    why: "read the central repository as image.registryRole",
    source: "[SAR-STS] AssumeRole: role*",
  },
  {
    action: "sts:TagSession",
    roles: ["ci-deploy", "ci-plan"],
    resources: ["registry-role"],
    sid: "AssumeRegistryRole",
    sdk: ["AssumeRoleCommand"],
    why: "the session carries deployer's session tags",
    source: "[SAR-STS] TagSession: role; [SESSION-TAGS]",
  },
  {
    action: "ecr:DescribeImages",
    roles: ["ci-deploy", "ci-plan", "registry"],
    resources: ["central-repository"],
    sid: "ReadCentralImages",
    sdk: ["DescribeImagesCommand"],
    why: "resolve --image (a tag) to the digest every target deploys",
    source: "[SAR-ECR] DescribeImages: repository*",
  },
  {
    action: "ecr:GetRepositoryPolicy",
    roles: ["ci-deploy", "ci-plan", "registry"],
    resources: ["central-repository"],
    sid: "ReadCentralImages",
    sdk: ["GetRepositoryPolicyCommand"],
    why: "preflight: the central repository's policy lets each target's execution role pull",
    source: "[SAR-ECR] GetRepositoryPolicy: repository*",
  },

  // ---------- a target's execution role (what ECS does as it when a task starts) ----------
  {
    action: "ecr:GetAuthorizationToken",
    roles: ["execution"],
    resources: ["*"],
    onlyWith: "pull-repositories",
    sid: "RegistryAuth",
    sdk: [],
    why: "ECS logs in to ECR before pulling",
    source: "[EXEC-ROLE]; [ECR-AUTH]; [SAR-ECR] GetAuthorizationToken: no resource types",
  },
  {
    action: "ecr:BatchGetImage",
    roles: ["execution"],
    resources: ["pull-repositories"],
    sid: "PullImages",
    sdk: [],
    why: "ECS pulls the image manifest",
    source: "[EXEC-ROLE]; [SAR-ECR] BatchGetImage: repository*",
  },
  {
    action: "ecr:GetDownloadUrlForLayer",
    roles: ["execution"],
    resources: ["pull-repositories"],
    sid: "PullImages",
    sdk: [],
    why: "ECS downloads the image layers",
    source: "[EXEC-ROLE]; [SAR-ECR] GetDownloadUrlForLayer: repository*",
  },
  {
    action: "logs:CreateLogStream",
    roles: ["execution"],
    resources: ["log-streams"],
    sid: "WriteLogs",
    sdk: [],
    why: "the awslogs driver creates the task's log stream",
    source: "[EXEC-ROLE]; [AWSLOGS]; SAR logs CreateLogStream: log-stream*",
  },
  {
    action: "logs:PutLogEvents",
    roles: ["execution"],
    resources: ["log-streams"],
    sid: "WriteLogs",
    sdk: [],
    why: "the awslogs driver writes the containers' output",
    source: "[EXEC-ROLE]; [AWSLOGS]; SAR logs PutLogEvents: log-stream*",
  },
  {
    action: "logs:CreateLogGroup",
    roles: ["execution"],
    resources: ["log-groups-created"],
    sid: "CreateLogGroups",
    sdk: [],
    why: 'awslogs-create-group "true": the driver creates the log group',
    source: "[AWSLOGS]; SAR logs CreateLogGroup: log-group*",
  },
  {
    action: "ssm:GetParameters",
    roles: ["execution"],
    resources: ["ssm-parameters"],
    sid: "ReadParameters",
    sdk: [],
    why: "ECS reads secrets[].valueFrom parameters into the container's environment",
    source: "[SSM-SECRETS]; SAR ssm GetParameters: parameter*",
  },
  {
    action: "secretsmanager:GetSecretValue",
    roles: ["execution"],
    resources: ["secrets"],
    sid: "ReadSecrets",
    sdk: [],
    why: "ECS reads secrets[].valueFrom secrets (and private registry credentials)",
    source: "[ASM-SECRETS]; [PRIVATE-AUTH]; SAR secretsmanager GetSecretValue: Secret*",
  },
];

/**
 * SDK commands of src/aws/ that need no IAM permission at all (so no row above):
 * GetCallerIdentity "No permissions are required to perform this operation"
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
 */
export const NO_PERMISSION_COMMANDS: readonly string[] = ["GetCallerIdentityCommand"];

/** The rows `deployer iam` emits for a role kind (fallback-only rows left out). */
export function actionsFor(role: MeshRoleKind): RequiredAction[] {
  return REQUIRED_ACTIONS.filter((a) => a.roles.includes(role) && a.fallbackFor === undefined);
}
