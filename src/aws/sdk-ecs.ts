// EcsPort over @aws-sdk/client-ecs.
import {
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
  type AssignPublicIp,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  type Deployment,
  type TaskDefinition,
  type Tag,
} from "@aws-sdk/client-ecs";
import { DeployerError } from "../errors.js";
import { isAwsError, toDeployerError, type AwsErrorContext } from "./aws-error.js";
import { isoDate, toJsonObject } from "./json-safe.js";
import type { PortContext } from "./port-context.js";
import type {
  EcsPort,
  LiveDeployment,
  LiveService,
  LiveTask,
  LiveTaskDefinition,
  ServiceDeploymentInfo,
  ServiceRevisionInfo,
  TaskLaunch,
} from "./ports.js";

/** DescribeTasks: "You can specify up to 100 tasks" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html). */
export const DESCRIBE_TASKS_BATCH = 100;
/** DescribeServices takes at most this many services per call. */
export const DESCRIBE_SERVICES_BATCH = 10;
/** DescribeServiceDeployments / DescribeServiceRevisions: "You can specify a maximum of 20 ARNs." */
export const DESCRIBE_SERVICE_DEPLOYMENTS_BATCH = 20;

/** The port over a client of its own made with `config` (region, credentials, retries, endpoint): what sessions use. */
export function ecsPortWith(config: Record<string, unknown>, context: PortContext = {}): EcsPort {
  return createEcsPort(new ECSClient(config), context);
}

export function createEcsPort(client: ECSClient, context: PortContext = {}): EcsPort {
  const ctx = (action: string, resource?: string, hint?: string): AwsErrorContext => ({ ...context, action, resource, hint });

  const clusterNotFound = (cluster: string, action: string, cause?: unknown): DeployerError =>
    new DeployerError({
      code: "CLUSTER_NOT_FOUND",
      message: `Cluster ${cluster} does not exist${context.account ? ` in account ${context.account}` : ""}`,
      target: context.target,
      account: context.account,
      action,
      resource: cluster,
      awsCode: cause ? "ClusterNotFoundException" : undefined,
      awsMessage: cause instanceof Error ? cause.message : undefined,
      hint: "Check `cluster` in the environment file, and that the target's region is the cluster's region.",
      cause,
    });

  return {
    async describeCluster(cluster) {
      let out;
      try {
        out = await client.send(new DescribeClustersCommand({ clusters: [cluster] }));
      } catch (e) {
        if (isAwsError(e, "ClusterNotFoundException")) return undefined;
        throw toDeployerError(e, ctx("ecs:DescribeClusters", cluster));
      }
      const found = out.clusters?.[0];
      if (!found?.clusterArn) return undefined;
      return { arn: found.clusterArn, status: found.status ?? "UNKNOWN" };
    },

    async describeServices(cluster, services) {
      const result = new Map<string, LiveService | undefined>();
      const wanted = [...new Set(services)];
      for (let i = 0; i < wanted.length; i += DESCRIBE_SERVICES_BATCH) {
        const batch = wanted.slice(i, i + DESCRIBE_SERVICES_BATCH);
        let out;
        try {
          out = await client.send(new DescribeServicesCommand({ cluster, services: batch }));
        } catch (e) {
          if (isAwsError(e, "ClusterNotFoundException")) throw clusterNotFound(cluster, "ecs:DescribeServices", e);
          throw toDeployerError(e, ctx("ecs:DescribeServices", `${cluster}/${batch.join(",")}`));
        }
        for (const name of batch) result.set(name, undefined);
        for (const svc of out.services ?? []) {
          const key = batch.find((n) => n === svc.serviceName || n === svc.serviceArn);
          if (key !== undefined) result.set(key, toLiveService(svc));
        }
        for (const f of out.failures ?? []) {
          if (f.reason === "MISSING") continue; // stays undefined
          const key = batch.find((n) => f.arn === n || f.arn?.endsWith(`/${n}`));
          throw new DeployerError({
            code: "AWS_ERROR",
            message: `DescribeServices could not describe ${key ?? f.arn ?? "a service"} in ${cluster}: ${f.reason ?? "unknown reason"}${f.detail ? ` (${f.detail})` : ""}`,
            target: context.target,
            account: context.account,
            action: "ecs:DescribeServices",
            resource: f.arn ?? key,
            awsCode: f.reason,
            awsMessage: f.detail,
          });
        }
      }
      return result;
    },

    async describeTaskDefinition(ref) {
      let out;
      try {
        out = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ["TAGS"] }));
      } catch (e) {
        // ECS answers a missing family/revision with a plain ClientException.
        if (isAwsError(e, "ClientException") && /unable to describe task definition/i.test((e as Error).message)) return undefined;
        throw toDeployerError(e, ctx("ecs:DescribeTaskDefinition", ref));
      }
      if (!out.taskDefinition) return undefined;
      return toLiveTaskDefinition(out.taskDefinition, out.tags);
    },

    async registerTaskDefinition(input, tags) {
      const request = {
        ...input,
        tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
      } as RegisterTaskDefinitionCommandInput;
      let out;
      try {
        out = await client.send(new RegisterTaskDefinitionCommand(request));
      } catch (e) {
        const invalidRole =
          isAwsError(e, "ClientException") && /role is not valid|not authorized to perform: iam:PassRole/i.test((e as Error).message);
        throw toDeployerError(
          e,
          ctx(
            "ecs:RegisterTaskDefinition",
            input.family,
            invalidRole
              ? "ECS could not use the task or execution role: the role must exist in this account, trust ecs-tasks.amazonaws.com, and the deploy role needs iam:PassRole on it."
              : undefined,
          ),
        );
      }
      if (!out.taskDefinition) {
        throw new DeployerError({
          code: "AWS_ERROR",
          message: `RegisterTaskDefinition for ${input.family} returned no task definition`,
          target: context.target,
          account: context.account,
          action: "ecs:RegisterTaskDefinition",
          resource: input.family,
        });
      }
      return toLiveTaskDefinition(out.taskDefinition, out.tags);
    },

    async updateService(cluster, service, taskDefinitionArn, opts) {
      let out;
      try {
        out = await client.send(
          new UpdateServiceCommand({
            cluster,
            service,
            taskDefinition: taskDefinitionArn,
            ...(opts?.forceNewDeployment ? { forceNewDeployment: true } : {}),
          }),
        );
      } catch (e) {
        if (isAwsError(e, "ClusterNotFoundException")) throw clusterNotFound(cluster, "ecs:UpdateService", e);
        throw toDeployerError(e, ctx("ecs:UpdateService", `${cluster}/${service}`));
      }
      if (!out.service) {
        throw new DeployerError({
          code: "AWS_ERROR",
          message: `UpdateService for ${cluster}/${service} returned no service`,
          target: context.target,
          account: context.account,
          action: "ecs:UpdateService",
          resource: `${cluster}/${service}`,
        });
      }
      return toLiveService(out.service);
    },

    async listServiceDeployments(cluster, service, opts) {
      const maxResults = Math.min(100, Math.max(1, opts?.maxResults ?? 20));
      let out;
      try {
        out = await client.send(new ListServiceDeploymentsCommand({ cluster, service, maxResults }));
      } catch (e) {
        if (isAwsError(e, "ClusterNotFoundException")) throw clusterNotFound(cluster, "ecs:ListServiceDeployments", e);
        throw toDeployerError(e, ctx("ecs:ListServiceDeployments", `${cluster}/${service}`));
      }
      // The order is not documented: newest first, by creation time.
      return (out.serviceDeployments ?? []).map(toServiceDeploymentBrief).sort(newestFirst);
    },

    async describeServiceDeployments(arns) {
      const found: ServiceDeploymentInfo[] = [];
      for (let i = 0; i < arns.length; i += DESCRIBE_SERVICE_DEPLOYMENTS_BATCH) {
        const batch = arns.slice(i, i + DESCRIBE_SERVICE_DEPLOYMENTS_BATCH);
        let out;
        try {
          out = await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch }));
        } catch (e) {
          throw toDeployerError(e, ctx("ecs:DescribeServiceDeployments", batch.join(",")));
        }
        // failures (e.g. MISSING for deployments older than the API) are simply not returned.
        for (const d of out.serviceDeployments ?? []) found.push(toServiceDeployment(d));
      }
      return found;
    },

    async describeServiceRevisions(arns) {
      const found: ServiceRevisionInfo[] = [];
      for (let i = 0; i < arns.length; i += DESCRIBE_SERVICE_DEPLOYMENTS_BATCH) {
        const batch = arns.slice(i, i + DESCRIBE_SERVICE_DEPLOYMENTS_BATCH);
        let out;
        try {
          out = await client.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch }));
        } catch (e) {
          throw toDeployerError(e, ctx("ecs:DescribeServiceRevisions", batch.join(",")));
        }
        for (const r of out.serviceRevisions ?? []) {
          if (!r.serviceRevisionArn || !r.taskDefinition) continue;
          const rev: ServiceRevisionInfo = { arn: r.serviceRevisionArn, taskDefinition: r.taskDefinition };
          const createdAt = isoDate(r.createdAt);
          if (createdAt) rev.createdAt = createdAt;
          found.push(rev);
        }
      }
      return found;
    },

    async stopServiceDeployment(arn) {
      try {
        await client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ROLLBACK" }));
      } catch (e) {
        throw toDeployerError(e, ctx("ecs:StopServiceDeployment", arn));
      }
    },

    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html: launchType and
    // capacityProviderStrategy are exclusive; placement problems are `failures`, not an error.
    async runTask(req) {
      const { launch } = req;
      let out;
      try {
        out = await client.send(
          new RunTaskCommand({
            cluster: req.cluster,
            taskDefinition: req.taskDefinitionArn,
            count: 1,
            ...(launch.networkConfiguration
              ? {
                  networkConfiguration: {
                    awsvpcConfiguration: {
                      ...launch.networkConfiguration.awsvpcConfiguration,
                      assignPublicIp: launch.networkConfiguration.awsvpcConfiguration.assignPublicIp as AssignPublicIp | undefined,
                    },
                  },
                }
              : {}),
            ...(launch.capacityProviderStrategy
              ? { capacityProviderStrategy: launch.capacityProviderStrategy }
              : launch.launchType
                ? { launchType: launch.launchType as "FARGATE" }
                : {}),
            ...(launch.platformVersion ? { platformVersion: launch.platformVersion } : {}),
            overrides: { containerOverrides: [{ name: req.container, command: req.command }] },
            ...(req.startedBy ? { startedBy: req.startedBy } : {}),
            ...(req.clientToken ? { clientToken: req.clientToken } : {}),
            ...(req.tags && Object.keys(req.tags).length > 0
              ? { tags: Object.entries(req.tags).map(([key, value]) => ({ key, value })), propagateTags: "NONE" as const }
              : {}),
          }),
        );
      } catch (e) {
        throw toDeployerError(e, ctx("ecs:RunTask", req.taskDefinitionArn));
      }
      const task = out.tasks?.[0];
      if (task?.taskArn) return { task: toLiveTask(task) };
      const f = out.failures?.[0];
      return { failure: { ...(f?.reason ? { reason: f.reason } : {}), ...(f?.detail ? { detail: f.detail } : {}) } };
    },

    async describeTasks(cluster, taskArns) {
      const result = new Map<string, LiveTask | undefined>();
      for (let i = 0; i < taskArns.length; i += DESCRIBE_TASKS_BATCH) {
        const batch = taskArns.slice(i, i + DESCRIBE_TASKS_BATCH);
        let out;
        try {
          out = await client.send(new DescribeTasksCommand({ cluster, tasks: batch }));
        } catch (e) {
          throw toDeployerError(e, ctx("ecs:DescribeTasks", batch.join(",")));
        }
        for (const arn of batch) result.set(arn, undefined);
        for (const t of out.tasks ?? []) {
          const key = batch.find((a) => a === t.taskArn || t.taskArn?.endsWith(`/${a}`));
          if (key) result.set(key, toLiveTask(t));
        }
      }
      return result;
    },

    async stopTask(cluster, taskArn, reason) {
      try {
        await client.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
      } catch (e) {
        throw toDeployerError(e, ctx("ecs:StopTask", taskArn));
      }
    },
  };
}

export function toLiveTask(t: Task): LiveTask {
  const out: LiveTask = {
    arn: t.taskArn ?? "",
    lastStatus: t.lastStatus ?? "UNKNOWN",
    desiredStatus: t.desiredStatus ?? "UNKNOWN",
    containers: (t.containers ?? []).map((c) => ({
      name: c.name ?? "",
      ...(c.lastStatus ? { lastStatus: c.lastStatus } : {}),
      ...(typeof c.exitCode === "number" ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
    })),
  };
  if (t.taskDefinitionArn) out.taskDefinitionArn = t.taskDefinitionArn;
  if (t.stopCode) out.stopCode = t.stopCode;
  if (t.stoppedReason) out.stoppedReason = t.stoppedReason;
  const startedAt = isoDate(t.startedAt);
  const stoppedAt = isoDate(t.stoppedAt);
  if (startedAt) out.startedAt = startedAt;
  if (stoppedAt) out.stoppedAt = stoppedAt;
  return out;
}

/** How a service's tasks launch: its PRIMARY deployment's settings, else the service's own. */
function launchOf(s: Service): TaskLaunch | undefined {
  const primary = s.deployments?.find((d) => d.status === "PRIMARY");
  const network = primary?.networkConfiguration ?? s.networkConfiguration;
  const strategy = primary?.capacityProviderStrategy?.length ? primary.capacityProviderStrategy : s.capacityProviderStrategy;
  const launchType = primary?.launchType ?? s.launchType;
  const platformVersion = primary?.platformVersion ?? s.platformVersion;
  const out: TaskLaunch = {};
  const vpc = network?.awsvpcConfiguration;
  if (vpc)
    out.networkConfiguration = {
      awsvpcConfiguration: {
        subnets: [...(vpc.subnets ?? [])],
        ...(vpc.securityGroups ? { securityGroups: [...vpc.securityGroups] } : {}),
        ...(vpc.assignPublicIp ? { assignPublicIp: vpc.assignPublicIp } : {}),
      },
    };
  if (strategy?.length)
    out.capacityProviderStrategy = strategy.map((x) => ({
      capacityProvider: x.capacityProvider ?? "",
      ...(x.weight !== undefined ? { weight: x.weight } : {}),
      ...(x.base !== undefined ? { base: x.base } : {}),
    }));
  else if (launchType) out.launchType = launchType;
  if (platformVersion) out.platformVersion = platformVersion;
  return Object.keys(out).length > 0 ? out : undefined;
}

function newestFirst(a: ServiceDeploymentInfo, b: ServiceDeploymentInfo): number {
  return Date.parse(b.createdAt ?? "") - Date.parse(a.createdAt ?? "") || 0;
}

function setDates(
  out: ServiceDeploymentInfo,
  d: { createdAt?: Date; startedAt?: Date; finishedAt?: Date; stoppedAt?: Date; updatedAt?: Date },
): void {
  for (const k of ["createdAt", "startedAt", "finishedAt", "stoppedAt", "updatedAt"] as const) {
    const v = isoDate(d[k]);
    if (v) out[k] = v;
  }
}

export function toServiceDeploymentBrief(d: ServiceDeploymentBrief): ServiceDeploymentInfo {
  const out: ServiceDeploymentInfo = { arn: d.serviceDeploymentArn ?? "", status: d.status ?? "UNKNOWN", detailed: false };
  if (d.statusReason) out.statusReason = d.statusReason;
  if (d.targetServiceRevisionArn) out.targetRevisionArn = d.targetServiceRevisionArn;
  setDates(out, d);
  return out;
}

export function toServiceDeployment(d: ServiceDeployment): ServiceDeploymentInfo {
  const out: ServiceDeploymentInfo = { arn: d.serviceDeploymentArn ?? "", status: d.status ?? "UNKNOWN", detailed: true };
  if (d.statusReason) out.statusReason = d.statusReason;
  setDates(out, d);
  const target = d.targetServiceRevision;
  if (target?.arn) {
    out.targetRevisionArn = target.arn;
    out.target = {
      requested: target.requestedTaskCount ?? 0,
      running: target.runningTaskCount ?? 0,
      pending: target.pendingTaskCount ?? 0,
    };
  }
  out.sourceRevisionArns = (d.sourceServiceRevisions ?? []).map((r) => r.arn).filter((a): a is string => Boolean(a));
  if (d.lifecycleStage) out.lifecycleStage = d.lifecycleStage;
  if (d.rollback) {
    const rb: NonNullable<ServiceDeploymentInfo["rollback"]> = {};
    if (d.rollback.reason) rb.reason = d.rollback.reason;
    const startedAt = isoDate(d.rollback.startedAt);
    if (startedAt) rb.startedAt = startedAt;
    if (d.rollback.serviceRevisionArn) rb.serviceRevisionArn = d.rollback.serviceRevisionArn;
    out.rollback = rb;
  }
  if (d.deploymentCircuitBreaker?.status) out.circuitBreakerStatus = d.deploymentCircuitBreaker.status;
  if (d.alarms?.status) out.alarmsStatus = d.alarms.status;
  if (d.alarms?.triggeredAlarmNames?.length) out.triggeredAlarmNames = [...d.alarms.triggeredAlarmNames];
  if (d.deploymentConfiguration?.strategy) out.strategy = d.deploymentConfiguration.strategy;
  if (d.deploymentConfiguration?.bakeTimeInMinutes !== undefined) out.bakeTimeInMinutes = d.deploymentConfiguration.bakeTimeInMinutes;
  return out;
}

export function toLiveDeployment(d: Deployment): LiveDeployment {
  const out: LiveDeployment = {
    id: d.id ?? "",
    status: d.status ?? "UNKNOWN",
    taskDefinition: d.taskDefinition ?? "",
    desiredCount: d.desiredCount ?? 0,
    runningCount: d.runningCount ?? 0,
    pendingCount: d.pendingCount ?? 0,
    failedTasks: d.failedTasks ?? 0,
  };
  if (d.rolloutState !== undefined) out.rolloutState = d.rolloutState;
  if (d.rolloutStateReason !== undefined) out.rolloutStateReason = d.rolloutStateReason;
  // Deployment.serviceConnectConfiguration (botocore ecs; the Service shape has none of its own).
  const namespace = d.serviceConnectConfiguration?.enabled !== false ? d.serviceConnectConfiguration?.namespace : undefined;
  if (namespace) out.serviceConnectNamespace = namespace;
  const createdAt = isoDate(d.createdAt);
  const updatedAt = isoDate(d.updatedAt);
  if (createdAt) out.createdAt = createdAt;
  if (updatedAt) out.updatedAt = updatedAt;
  return out;
}

export function toLiveService(s: Service): LiveService {
  const breaker = s.deploymentConfiguration?.deploymentCircuitBreaker;
  const out: LiveService = {
    arn: s.serviceArn ?? "",
    name: s.serviceName ?? "",
    clusterArn: s.clusterArn ?? "",
    status: s.status ?? "UNKNOWN",
    taskDefinition: s.taskDefinition ?? "",
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    deploymentController: s.deploymentController?.type ?? "ECS",
    deployments: (s.deployments ?? []).map(toLiveDeployment),
    events: (s.events ?? []).map((e) => ({ id: e.id ?? "", createdAt: isoDate(e.createdAt) ?? "", message: e.message ?? "" })),
  };
  if (breaker) out.circuitBreaker = { enable: breaker.enable ?? false, rollback: breaker.rollback ?? false };
  const config = s.deploymentConfiguration;
  const alarms = config?.alarms;
  if (alarms)
    out.alarms = { enable: alarms.enable ?? false, rollback: alarms.rollback ?? false, alarmNames: [...(alarms.alarmNames ?? [])] };
  if (config?.strategy) out.strategy = config.strategy;
  if (config?.bakeTimeInMinutes !== undefined) out.bakeTimeInMinutes = config.bakeTimeInMinutes;
  if (config?.linearConfiguration) out.linear = { ...config.linearConfiguration };
  if (config?.canaryConfiguration) out.canary = { ...config.canaryConfiguration };
  const hookStages = [...new Set((config?.lifecycleHooks ?? []).flatMap((h) => h.lifecycleStages ?? []))];
  if (hookStages.length > 0) out.lifecycleHookStages = hookStages;
  if (s.currentServiceDeployment) out.currentServiceDeployment = s.currentServiceDeployment;
  const launch = launchOf(s);
  if (launch) out.launch = launch;
  return out;
}

export function toLiveTaskDefinition(td: TaskDefinition, tags: Tag[] | undefined): LiveTaskDefinition {
  const tagMap: Record<string, string> = {};
  for (const t of tags ?? []) if (t.key !== undefined) tagMap[t.key] = t.value ?? "";
  return {
    arn: td.taskDefinitionArn ?? "",
    family: td.family ?? "",
    revision: td.revision ?? 0,
    status: td.status ?? "UNKNOWN",
    raw: toJsonObject(td),
    tags: tagMap,
  };
}
