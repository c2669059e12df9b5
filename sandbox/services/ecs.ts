// ECS (JSON 1.1, AmazonEC2ContainerServiceV20141113): task definitions, clusters, services and
// deployments. Enforces at registration what real ECS enforces: iam:PassRole on the task and
// execution roles (for ecs-tasks.amazonaws.com), and "Role is not valid" for roles that do not exist,
// live in another account or do not trust ecs-tasks.amazonaws.com.
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import { evaluate } from "../iam-eval.js";
import { ONGOING_STATUSES, type Rollouts } from "../deployments.js";
import { applyDeploymentConfiguration, defaultSettings, renderDeploymentConfiguration, snapshotConfig } from "../deployment-config.js";
import { taskHealth } from "../task-start.js";
import { resolveAwsVpc } from "../network.js";
import {
  nextRevision,
  registerTaskDefinition,
  renderTaskDefinition,
  resolveTaskDefinition,
  taskDefinitionArn,
  validateRequestSize,
  validateTags,
  validateTaskDefinitionInput,
} from "../task-definitions.js";
import type { Deployment, EcsCluster, EcsService, RegionState, ServiceDeploymentRecord, ServiceRevision, World } from "../world.js";

type Json = Record<string, unknown>;
export type EcsAction = (ctx: CallContext, input: Json) => Promise<Json>;

const ECS_TASKS = "ecs-tasks.amazonaws.com";
const secs = (ms: number): number => ms / 1000;

export const clientError = (m: string) => new AwsError("ClientException", m);
export const invalidParameter = (m: string) => new AwsError("InvalidParameterException", m);
const clusterNotFound = () => new AwsError("ClusterNotFoundException", "Cluster not found.");

export function tagsToList(tags: Record<string, string> | undefined): { key: string; value: string }[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
}

export function tagsFromList(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (const t of v as { key?: unknown; value?: unknown }[]) {
    if (typeof t.key !== "string" || !t.key) throw invalidParameter("Tag keys must not be empty.");
    out[t.key] = typeof t.value === "string" ? t.value : "";
  }
  return out;
}

export function regionState(ctx: CallContext): RegionState {
  return ctx.world.region(ctx.account, ctx.region);
}

export function clusterName(ref: unknown): string {
  const s = typeof ref === "string" && ref ? ref : "default";
  const m = /^arn:aws:ecs:[^:]+:\d{12}:cluster\/(.+)$/.exec(s);
  return m ? m[1]! : s;
}

function serviceName(ref: string): string {
  const m = /^arn:aws:ecs:[^:]+:\d{12}:service\/(?:[^/]+\/)?([^/]+)$/.exec(ref);
  return m ? m[1]! : ref;
}

export function clusterArn(ctx: CallContext, name: string): string {
  return `arn:aws:ecs:${ctx.region}:${ctx.account}:cluster/${name}`;
}

function serviceArn(ctx: CallContext, cluster: string, name: string): string {
  return `arn:aws:ecs:${ctx.region}:${ctx.account}:service/${cluster}/${name}`;
}

export function findCluster(ctx: CallContext, ref: unknown): EcsCluster {
  const c = ctx.world.account(ctx.account)?.regions.get(ctx.region)?.clusters.get(clusterName(ref));
  if (!c || c.status !== "ACTIVE") throw clusterNotFound();
  return c;
}

/**
 * serviceConnectConfiguration as DescribeServices shows it on a deployment: as the request set it,
 * with `logConfiguration.secretOptions: []` added by ECS (the AWS developer guide's CreateService
 * output: awsdocs/amazon-ecs-developer-guide doc_source/create-service-connect.md).
 */
function renderServiceConnect(sc: Json | undefined): Json | undefined {
  if (!sc) return undefined;
  const out = structuredClone(sc);
  const log = out.logConfiguration as Json | undefined;
  if (log && typeof log === "object" && log.secretOptions === undefined) log.secretOptions = [];
  return out;
}

function renderDeployment(d: Deployment, s: EcsService): Json {
  const sc = renderServiceConnect(s.revisions.find((r) => r.arn === d.revisionArn)?.serviceConnectConfiguration);
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinition,
    desiredCount: d.desiredCount,
    pendingCount: d.pendingCount,
    runningCount: d.runningCount,
    failedTasks: d.failedTasks,
    createdAt: secs(d.createdAt),
    updatedAt: secs(d.updatedAt),
    launchType: "FARGATE",
    platformVersion: "1.4.0",
    platformFamily: "Linux",
    networkConfiguration: s.networkConfiguration,
    // "The rolloutState of a service is only returned for services that use the rolling update"
    // (API_Deployment): not for the ECS-native BLUE_GREEN / LINEAR / CANARY deployments.
    ...(d.native || s.strategy !== "ROLLING" ? {} : { rolloutState: d.rolloutState, rolloutStateReason: d.rolloutStateReason }),
    // Deployment.serviceConnectConfiguration: the configuration the deployment's tasks run with.
    ...(sc ? { serviceConnectConfiguration: sc } : {}),
  };
}

function renderService(s: EcsService): Json {
  const running = s.deployments.reduce((n, d) => n + d.runningCount, 0);
  const pending = s.deployments.reduce((n, d) => n + d.pendingCount, 0);
  return {
    serviceArn: s.arn,
    serviceName: s.name,
    clusterArn: s.clusterArn,
    loadBalancers: [],
    serviceRegistries: [],
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: running,
    pendingCount: pending,
    launchType: "FARGATE",
    platformVersion: "LATEST",
    platformFamily: "Linux",
    taskDefinition: s.taskDefinition,
    deploymentConfiguration: renderDeploymentConfiguration(snapshotConfig(s)),
    deployments: s.deployments.map((d) => renderDeployment(d, s)),
    // Service.currentServiceDeployment / currentServiceRevisions (API_Service).
    ...(s.currentServiceDeployment ? { currentServiceDeployment: s.currentServiceDeployment } : {}),
    currentServiceRevisions: currentRevisions(s),
    roleArn: `arn:aws:iam::${s.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: [...s.events]
      .reverse() // newest first; among equal timestamps, the later event first
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, 100)
      .map((e) => ({ id: e.id, createdAt: secs(e.createdAt), message: e.message })),
    createdAt: secs(s.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: s.networkConfiguration,
    healthCheckGracePeriodSeconds: 0,
    schedulingStrategy: "REPLICA",
    deploymentController: { type: s.deploymentController },
    createdBy: s.createdBy,
    enableECSManagedTags: true,
    propagateTags: "NONE",
    enableExecuteCommand: false,
    availabilityZoneRebalancing: "ENABLED",
  };
}

function currentRevisions(s: EcsService): Json[] {
  const byArn = new Map<string, Json>();
  for (const d of s.deployments) {
    const r = byArn.get(d.revisionArn) ?? { arn: d.revisionArn, requestedTaskCount: 0, runningTaskCount: 0, pendingTaskCount: 0 };
    r.requestedTaskCount = (r.requestedTaskCount as number) + (d.status === "PRIMARY" ? d.desiredCount : 0);
    r.runningTaskCount = (r.runningTaskCount as number) + d.runningCount;
    r.pendingTaskCount = (r.pendingTaskCount as number) + d.pendingCount;
    byArn.set(d.revisionArn, r);
  }
  return [...byArn.values()];
}

/** A service revision summary with the task counts of the deployments that run it now. */
function revisionSummary(s: EcsService, arn: string, requested: number): Json {
  const running = s.deployments.filter((d) => d.revisionArn === arn);
  return {
    arn,
    requestedTaskCount: requested,
    runningTaskCount: running.reduce((n, d) => n + d.runningCount, 0),
    pendingTaskCount: running.reduce((n, d) => n + d.pendingCount, 0),
  };
}

/** ServiceDeployment (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html). */
function renderServiceDeployment(s: EcsService, r: ServiceDeploymentRecord): Json {
  const c = r.config;
  const finished = !ONGOING_STATUSES.has(r.status);
  const monitor = (on: boolean, triggered: boolean) =>
    !on ? "DISABLED" : triggered ? "TRIGGERED" : finished ? "MONITORING_COMPLETE" : "MONITORING";
  const out: Json = {
    serviceDeploymentArn: r.arn,
    serviceArn: s.arn,
    clusterArn: s.clusterArn,
    createdAt: secs(r.createdAt),
    startedAt: secs(r.startedAt),
    updatedAt: secs(r.updatedAt),
    sourceServiceRevisions: r.sourceRevisionArns.map((arn) => revisionSummary(s, arn, 0)),
    targetServiceRevision: revisionSummary(s, r.targetRevisionArn, s.desiredCount),
    status: r.status,
    deploymentConfiguration: renderDeploymentConfiguration(c),
    deploymentCircuitBreaker: {
      status: monitor(c.circuitBreaker.enable, r.cause?.by === "circuit-breaker"),
      failureCount: r.failedTasks,
      threshold: Math.min(200, Math.max(3, Math.ceil(s.desiredCount * 0.5))),
    },
    // As in the AWS CLI example: `"alarms": {"status": "DISABLED"}` when alarms are not used.
    alarms: c.alarms.enable
      ? {
          status: monitor(true, r.cause?.by === "alarm"),
          alarmNames: [...c.alarms.alarmNames],
          ...(r.cause?.by === "alarm" ? { triggeredAlarmNames: [...(r.cause.alarms ?? [])] } : {}),
        }
      : { status: "DISABLED" },
  };
  if (r.finishedAt !== undefined) out.finishedAt = secs(r.finishedAt);
  if (r.stoppedAt !== undefined) out.stoppedAt = secs(r.stoppedAt);
  if (r.statusReason) out.statusReason = r.statusReason;
  if (c.strategy !== "ROLLING" && r.lifecycleStage) out.lifecycleStage = r.lifecycleStage;
  if (r.rollback)
    out.rollback = { reason: r.rollback.reason, startedAt: secs(r.rollback.startedAt), serviceRevisionArn: r.rollback.serviceRevisionArn };
  return out;
}

/** ServiceRevision (API_ServiceRevision), shaped like the AWS CLI's describe-service-revisions example. */
function renderServiceRevision(ctx: CallContext, s: EcsService, rev: ServiceRevision): Json {
  const td = resolveTaskDefinition(regionState(ctx), rev.taskDefinition);
  const containers = ((td?.body.containerDefinitions as Json[] | undefined) ?? []).map((c) => {
    const image = String(c.image ?? "");
    const digest = /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
    return { containerName: String(c.name ?? ""), ...(digest ? { imageDigest: digest } : {}), image };
  });
  return {
    serviceRevisionArn: rev.arn,
    serviceArn: s.arn,
    clusterArn: s.clusterArn,
    taskDefinition: rev.taskDefinition,
    capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
    platformVersion: "1.4.0",
    platformFamily: "Linux",
    networkConfiguration: s.networkConfiguration,
    containerImages: containers,
    guardDutyEnabled: false,
    serviceConnectConfiguration: renderServiceConnect(rev.serviceConnectConfiguration) ?? { enabled: false },
    createdAt: secs(rev.createdAt),
  };
}

/** The service a service-deployment or service-revision ARN belongs to. */
function serviceOfChildArn(ctx: CallContext, arn: string, kind: "service-deployment" | "service-revision"): EcsService | undefined {
  const m = new RegExp(`^arn:aws:ecs:([^:]+):(\\d{12}):${kind}/([^/]+)/([^/]+)/[^/]+$`).exec(arn);
  if (!m || m[1] !== ctx.region || m[2] !== ctx.account) return undefined;
  return ctx.world.account(ctx.account)?.regions.get(ctx.region)?.clusters.get(m[3]!)?.services.get(m[4]!);
}

function renderCluster(ctx: CallContext, c: EcsCluster, rollouts: Rollouts): Json {
  let running = 0;
  let pending = 0;
  for (const s of c.services.values()) {
    rollouts.advance(s, ctx.now);
    for (const d of s.deployments) {
      running += d.runningCount;
      pending += d.pendingCount;
    }
  }
  return {
    clusterArn: c.arn,
    clusterName: c.name,
    status: c.status,
    registeredContainerInstancesCount: 0,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: [...c.services.values()].filter((s) => s.status === "ACTIVE").length,
    statistics: [],
    tags: tagsToList(regionState(ctx).tags.get(c.arn)),
    settings: [{ name: "containerInsights", value: "disabled" }],
    capacityProviders: ["FARGATE", "FARGATE_SPOT"],
    defaultCapacityProviderStrategy: [],
  };
}

/** Real ECS at registration: the role must exist in this account and trust ecs-tasks.amazonaws.com. */
export async function roleIsValid(world: World, account: string, roleArn: string): Promise<boolean> {
  const role = world.roleByArn(roleArn);
  if (!role || role.account !== account || role.arn !== roleArn) return false;
  const e = await evaluate({
    principalArn: ECS_TASKS,
    principalAccount: account,
    policies: [],
    action: "sts:AssumeRole",
    resource: role.arn,
    resourceAccount: account,
    context: { "aws:SourceAccount": account },
    resourcePolicy: role.trustPolicy,
  });
  return e.decision === "allowed";
}

export function resolveInput(ctx: CallContext, ref: unknown) {
  if (typeof ref !== "string" || !ref) throw invalidParameter("taskDefinition can not be blank.");
  const arnAccount = /^arn:aws:ecs:([^:]+):(\d{12}):/.exec(ref);
  if (arnAccount && (arnAccount[1] !== ctx.region || arnAccount[2] !== ctx.account)) return undefined;
  return resolveTaskDefinition(ctx.world.account(ctx.account)?.regions.get(ctx.region), ref);
}

function resourceTags(ctx: CallContext, arn: string): Record<string, string> {
  const state = regionState(ctx);
  const td = /:task-definition\//.test(arn) ? resolveInput(ctx, arn) : undefined;
  const exists =
    td !== undefined || [...state.clusters.values()].some((c) => c.arn === arn || [...c.services.values()].some((s) => s.arn === arn));
  if (!exists) throw invalidParameter("The specified resource could not be found.");
  return state.tags.get(arn) ?? {};
}

/**
 * CreateService / UpdateService with serviceConnectConfiguration: `enabled` is required; an enabled
 * configuration's namespace (a name of this account's namespace, or an ARN — the only way to name
 * one shared through AWS RAM) must resolve from the service's account and Region, else
 * NamespaceNotFoundException (botocore ecs: CreateService/UpdateService errors; real text "Failed to
 * retrieve namespace for …": https://github.com/terraform-aws-modules/terraform-aws-ecs/issues/116).
 * Not shared, share not accepted, another Region, or a share without
 * AWSRAMPermissionCloudMapECSFullPermission: all the same error (sharing.ts usableByEcs).
 * Without a namespace ECS would use the cluster's default; sandbox clusters have none, so that is
 * refused too (stricter: the sandbox does not model cluster Service Connect defaults).
 */
function checkServiceConnect(ctx: CallContext, sc: unknown): Json | undefined {
  if (sc === undefined) return undefined;
  if (!sc || typeof sc !== "object" || Array.isArray(sc)) throw invalidParameter("serviceConnectConfiguration must be an object.");
  const config = sc as Json;
  if (typeof config.enabled !== "boolean") throw invalidParameter("serviceConnectConfiguration.enabled must be true or false.");
  if (!config.enabled) return config;
  const namespace = typeof config.namespace === "string" ? config.namespace : "";
  if (!namespace)
    throw new AwsError("NamespaceNotFoundException", "Failed to retrieve namespace: the cluster has no default Service Connect namespace.");
  if (!ctx.world.sharing.usableByEcs(namespace, ctx.account, ctx.region)) {
    throw new AwsError("NamespaceNotFoundException", `Failed to retrieve namespace for ${namespace}`);
  }
  return config;
}

export function ecsActions(rollouts: Rollouts): Record<string, EcsAction> {
  async function startDeployment(ctx: CallContext, s: EcsService, taskDefinition: string): Promise<Deployment> {
    const td = resolveTaskDefinition(regionState(ctx), taskDefinition)!;
    const verdict = await taskHealth(ctx.world, ctx.account, ctx.region, td.body);
    const images = ((td.body.containerDefinitions as Json[] | undefined) ?? []).map((c) => String(c.image ?? "").split("@")[1] ?? "");
    const tripsAlarms = images.some((digest) => ctx.world.alarmingDigests.has(digest));
    return rollouts.start(s, td.arn, ctx.now, { health: verdict.health, failureReason: verdict.reason, tripsAlarms });
  }

  /** The service a ListServiceDeployments / DescribeServices-style request names. */
  function serviceFor(ctx: CallContext, clusterRef: unknown, serviceRef: unknown): EcsService {
    const c = findCluster(ctx, clusterRef);
    const svc = c.services.get(serviceName(String(serviceRef ?? "")));
    if (!svc || svc.status === "INACTIVE") throw new AwsError("ServiceNotFoundException", "Service not found.");
    return svc;
  }

  return {
    async RegisterTaskDefinition(ctx, input) {
      validateRequestSize(input);
      validateTags(input.tags);
      validateTaskDefinitionInput(input);
      const state = regionState(ctx);
      const family = input.family as string;
      const arn = taskDefinitionArn(ctx.region, ctx.account, family, nextRevision(state, family));
      // Tags sent at creation are in the request context as aws:RequestTag/KEY and aws:TagKeys, and make
      // ECS authorise ecs:TagResource too, with ecs:CreateAction set to the creating action
      // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html).
      const requestTags = tagsFromList(input.tags);
      const tagContext: Record<string, string | string[]> = {};
      if (Object.keys(requestTags).length > 0) {
        tagContext["aws:TagKeys"] = Object.keys(requestTags);
        for (const [k, v] of Object.entries(requestTags)) tagContext[`aws:RequestTag/${k}`] = v;
      }
      await ctx.authorize("ecs:RegisterTaskDefinition", arn, { context: tagContext });
      const tags = tagsFromList(input.tags);
      if (Object.keys(tags).length > 0) {
        await ctx.authorize("ecs:TagResource", arn, { context: { ...tagContext, "ecs:CreateAction": "RegisterTaskDefinition" } });
      }
      const roles = [input.taskRoleArn, input.executionRoleArn].filter((r): r is string => typeof r === "string" && r !== "");
      for (const role of roles) {
        await ctx.authorize("iam:PassRole", role, { context: { "iam:PassedToService": ECS_TASKS } });
      }
      for (const role of roles) {
        if (!(await roleIsValid(ctx.world, ctx.account, role))) throw clientError("Role is not valid");
      }
      const td = registerTaskDefinition(state, ctx.region, ctx.account, input, ctx.caller.arn, ctx.now, ctx.world.disabledDefaults);
      if (Object.keys(tags).length > 0) state.tags.set(td.arn, tags);
      return { taskDefinition: renderTaskDefinition(td), tags: tagsToList(tags) };
    },

    async DescribeTaskDefinition(ctx, input) {
      await ctx.authorize("ecs:DescribeTaskDefinition", "*");
      const td = resolveInput(ctx, input.taskDefinition);
      if (!td) throw clientError("Unable to describe task definition.");
      const out: Json = { taskDefinition: renderTaskDefinition(td) };
      if (Array.isArray(input.include) && input.include.includes("TAGS")) {
        out.tags = tagsToList(regionState(ctx).tags.get(td.arn));
      }
      return out;
    },

    async DeregisterTaskDefinition(ctx, input) {
      await ctx.authorize("ecs:DeregisterTaskDefinition", "*");
      const ref = input.taskDefinition;
      if (typeof ref === "string" && !/:\d+$/.test(ref)) throw clientError("Invalid revision number. Number: undefined");
      const td = resolveInput(ctx, ref);
      if (!td) throw clientError("The specified task definition does not exist.");
      if (td.status === "ACTIVE") {
        td.status = "INACTIVE";
        td.deregisteredAt = ctx.now;
      }
      return { taskDefinition: renderTaskDefinition(td) };
    },

    async ListTaskDefinitions(ctx, input) {
      await ctx.authorize("ecs:ListTaskDefinitions", "*");
      const prefix = typeof input.familyPrefix === "string" ? input.familyPrefix : undefined;
      const status = typeof input.status === "string" ? input.status : "ACTIVE";
      const arns: string[] = [];
      for (const [family, revs] of regionState(ctx).taskDefinitions) {
        if (prefix !== undefined && family !== prefix) continue;
        for (const td of revs) if (status === "ALL" || td.status === status) arns.push(td.arn);
      }
      arns.sort();
      if (input.sort === "DESC") arns.reverse();
      return { taskDefinitionArns: arns };
    },

    async ListTagsForResource(ctx, input) {
      const arn = String(input.resourceArn ?? "");
      await ctx.authorize("ecs:ListTagsForResource", arn);
      return { tags: tagsToList(resourceTags(ctx, arn)) };
    },

    async TagResource(ctx, input) {
      const arn = String(input.resourceArn ?? "");
      validateTags(input.tags);
      await ctx.authorize("ecs:TagResource", arn);
      const tags = { ...resourceTags(ctx, arn), ...tagsFromList(input.tags) };
      regionState(ctx).tags.set(arn, tags);
      return {};
    },

    async UntagResource(ctx, input) {
      const arn = String(input.resourceArn ?? "");
      await ctx.authorize("ecs:UntagResource", arn);
      const tags = { ...resourceTags(ctx, arn) };
      for (const k of (input.tagKeys as string[] | undefined) ?? []) delete tags[k];
      regionState(ctx).tags.set(arn, tags);
      return {};
    },

    async CreateCluster(ctx, input) {
      const name = typeof input.clusterName === "string" && input.clusterName ? input.clusterName : "default";
      const arn = clusterArn(ctx, name);
      await ctx.authorize("ecs:CreateCluster", arn);
      const state = regionState(ctx);
      let c = state.clusters.get(name);
      if (!c || c.status !== "ACTIVE") {
        c = { name, arn, status: "ACTIVE", services: new Map() };
        state.clusters.set(name, c);
      }
      const tags = tagsFromList(input.tags);
      if (Object.keys(tags).length > 0) state.tags.set(arn, tags);
      return { cluster: renderCluster(ctx, c, rollouts) };
    },

    async DescribeClusters(ctx, input) {
      const refs = Array.isArray(input.clusters) && input.clusters.length > 0 ? (input.clusters as string[]) : ["default"];
      const clusters: Json[] = [];
      const failures: Json[] = [];
      for (const ref of refs) {
        const name = clusterName(ref);
        const arn = clusterArn(ctx, name);
        await ctx.authorize("ecs:DescribeClusters", arn);
        const c = regionState(ctx).clusters.get(name);
        if (c) clusters.push(renderCluster(ctx, c, rollouts));
        else failures.push({ arn, reason: "MISSING" });
      }
      return { clusters, failures };
    },

    async ListServices(ctx, input) {
      const name = clusterName(input.cluster);
      await ctx.authorize("ecs:ListServices", clusterArn(ctx, name));
      const c = findCluster(ctx, name);
      return { serviceArns: [...c.services.values()].filter((s) => s.status !== "INACTIVE").map((s) => s.arn) };
    },

    async DescribeServices(ctx, input) {
      const cname = clusterName(input.cluster);
      const refs = Array.isArray(input.services) ? (input.services as string[]) : [];
      if (refs.length === 0) throw invalidParameter("Services cannot be empty.");
      if (refs.length > 10) throw invalidParameter("Services cannot contain more than 10 elements.");
      for (const ref of refs) await ctx.authorize("ecs:DescribeServices", serviceArn(ctx, cname, serviceName(ref)));
      const c = findCluster(ctx, cname);
      const services: Json[] = [];
      const failures: Json[] = [];
      for (const ref of refs) {
        const s = c.services.get(serviceName(ref));
        if (!s) {
          failures.push({ arn: serviceArn(ctx, cname, serviceName(ref)), reason: "MISSING" });
          continue;
        }
        rollouts.advance(s, ctx.now);
        const out = renderService(s);
        if (Array.isArray(input.include) && input.include.includes("TAGS")) out.tags = tagsToList(regionState(ctx).tags.get(s.arn));
        services.push(out);
      }
      return { services, failures };
    },

    async CreateService(ctx, input) {
      const cname = clusterName(input.cluster);
      const name = String(input.serviceName ?? "");
      if (!name) throw invalidParameter("serviceName can not be blank.");
      const arn = serviceArn(ctx, cname, name);
      await ctx.authorize("ecs:CreateService", arn);
      const c = findCluster(ctx, cname);
      const existing = c.services.get(name);
      if (existing && existing.status !== "INACTIVE") throw invalidParameter("Creation of service was not idempotent.");
      const td = resolveInput(ctx, input.taskDefinition);
      if (!td) throw clientError("TaskDefinition not found.");
      const serviceConnect = checkServiceConnect(ctx, input.serviceConnectConfiguration);
      // The subnets and security groups must exist (network.ts; CreateService's real error:
      // https://github.com/eddmann/serverless-fargate/issues/20).
      if (input.networkConfiguration !== undefined) resolveAwsVpc(ctx.world, ctx.account, ctx.region, input.networkConfiguration);
      const controller = ((input.deploymentController as Json | undefined)?.type as string | undefined) ?? "ECS";
      const settings = applyDeploymentConfiguration(defaultSettings(), input.deploymentConfiguration as Json | undefined, controller);
      const s: EcsService = {
        name,
        arn,
        clusterName: c.name,
        clusterArn: c.arn,
        account: ctx.account,
        region: ctx.region,
        status: "ACTIVE",
        desiredCount: typeof input.desiredCount === "number" ? input.desiredCount : 0,
        taskDefinition: td.arn,
        ...settings,
        deploymentController: controller,
        serviceDeployments: [],
        revisions: [],
        createdAt: ctx.now,
        createdBy: ctx.caller.arn.replace(/^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.*$/, "arn:aws:iam::$1:role/$2"),
        deployments: [],
        events: [],
        networkConfiguration: (input.networkConfiguration as Json | undefined) ?? {},
        ...(serviceConnect ? { serviceConnectConfiguration: structuredClone(serviceConnect) } : {}),
      };
      c.services.set(name, s);
      const tags = tagsFromList(input.tags);
      if (Object.keys(tags).length > 0) regionState(ctx).tags.set(arn, tags);
      await startDeployment(ctx, s, td.arn);
      return { service: renderService(s) };
    },

    async UpdateService(ctx, input) {
      const cname = clusterName(input.cluster);
      const name = serviceName(String(input.service ?? ""));
      await ctx.authorize("ecs:UpdateService", serviceArn(ctx, cname, name));
      const c = findCluster(ctx, cname);
      const s = c.services.get(name);
      if (!s) throw new AwsError("ServiceNotFoundException", "Service not found.");
      if (s.status !== "ACTIVE") throw new AwsError("ServiceNotActiveException", "Service was not ACTIVE.");
      rollouts.advance(s, ctx.now);
      let newTaskDefinition: string | undefined;
      if (input.taskDefinition !== undefined) {
        const td = resolveInput(ctx, input.taskDefinition);
        if (!td) throw clientError("TaskDefinition not found.");
        // A deregistered (INACTIVE) revision cannot be deployed: "you can't ... update a service to
        // use an INACTIVE task definition revision"
        // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html).
        if (td.status !== "ACTIVE") throw clientError("TaskDefinition is inactive");
        if (s.deploymentController !== "ECS" && td.arn !== s.taskDefinition) {
          throw invalidParameter(
            `Unable to update task definition on services with a ${s.deploymentController} deployment controller. Use AWS CodeDeploy to trigger a new deployment.`,
          );
        }
        newTaskDefinition = td.arn;
      }
      // Before any change: a namespace ECS cannot use fails the whole call, as does a network naming
      // subnets or security groups that do not exist (network.ts).
      const serviceConnect = checkServiceConnect(ctx, input.serviceConnectConfiguration);
      if (input.networkConfiguration !== undefined) resolveAwsVpc(ctx.world, ctx.account, ctx.region, input.networkConfiguration);
      Object.assign(s, applyDeploymentConfiguration(s, input.deploymentConfiguration as Json | undefined, s.deploymentController));
      if (typeof input.desiredCount === "number") {
        if (input.desiredCount < 0) throw invalidParameter("desiredCount must be at least 0.");
        s.desiredCount = input.desiredCount;
        const primary = s.deployments.find((d) => d.status === "PRIMARY");
        if (primary) primary.desiredCount = input.desiredCount;
      }
      if (input.networkConfiguration) s.networkConfiguration = input.networkConfiguration as Json;
      // Adding Service Connect to a service: "Amazon ECS also creates a new deployment in the service to
      // replace the tasks that are currently running"
      // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html);
      // modelled for any change of the configuration.
      const scChanged = serviceConnect !== undefined && JSON.stringify(serviceConnect) !== JSON.stringify(s.serviceConnectConfiguration);
      if (serviceConnect !== undefined) s.serviceConnectConfiguration = structuredClone(serviceConnect);
      const changed = newTaskDefinition !== undefined && newTaskDefinition !== s.taskDefinition;
      if (changed || scChanged || input.forceNewDeployment === true) {
        await startDeployment(ctx, s, newTaskDefinition ?? s.taskDefinition);
      }
      rollouts.advance(s, ctx.now);
      return { service: renderService(s) };
    },

    // ---------- service deployments and revisions ----------
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html; permissions
    // on the service, service-deployment/… and service-revision/… ARNs as in
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment-permissions.html

    async ListServiceDeployments(ctx, input) {
      const cname = clusterName(input.cluster);
      const sname = serviceName(String(input.service ?? ""));
      if (!sname) throw invalidParameter("service can not be blank.");
      await ctx.authorize("ecs:ListServiceDeployments", serviceArn(ctx, cname, sname));
      const svc = serviceFor(ctx, cname, sname);
      rollouts.advance(svc, ctx.now);
      // maxResults 1..100, default 20, then nextToken (ListServiceDeploymentsRequest).
      const max = input.maxResults === undefined ? 20 : Number(input.maxResults);
      if (!Number.isInteger(max) || max < 1 || max > 100) throw invalidParameter("maxResults must be between 1 and 100.");
      const statuses = Array.isArray(input.status) ? (input.status as string[]) : undefined;
      const created = input.createdAt as { before?: number; after?: number } | undefined;
      // Newest first (the order is not documented; deployer sorts by createdAt itself).
      const all = [...svc.serviceDeployments]
        .reverse()
        .filter((r) => !statuses || statuses.length === 0 || statuses.includes(r.status))
        .filter((r) => created?.before === undefined || r.createdAt / 1000 < created.before)
        .filter((r) => created?.after === undefined || r.createdAt / 1000 > created.after);
      const from = typeof input.nextToken === "string" ? Number(Buffer.from(input.nextToken, "base64").toString("utf8")) : 0;
      if (!Number.isInteger(from) || from < 0) throw invalidParameter("Invalid nextToken.");
      const page = all.slice(from, from + max);
      const out: Json = {
        serviceDeployments: page.map((r) => ({
          serviceDeploymentArn: r.arn,
          serviceArn: svc.arn,
          clusterArn: svc.clusterArn,
          startedAt: secs(r.startedAt),
          createdAt: secs(r.createdAt),
          ...(r.finishedAt !== undefined ? { finishedAt: secs(r.finishedAt) } : {}),
          targetServiceRevisionArn: r.targetRevisionArn,
          status: r.status,
          ...(r.statusReason ? { statusReason: r.statusReason } : {}),
        })),
      };
      if (from + max < all.length) out.nextToken = Buffer.from(String(from + max)).toString("base64");
      return out;
    },

    async DescribeServiceDeployments(ctx, input) {
      const arns = Array.isArray(input.serviceDeploymentArns) ? (input.serviceDeploymentArns as string[]) : [];
      if (arns.length === 0) throw invalidParameter("serviceDeploymentArns can not be empty.");
      if (arns.length > 20) throw invalidParameter("You can specify a maximum of 20 ARNs.");
      const serviceDeployments: Json[] = [];
      const failures: Json[] = [];
      for (const arn of arns) {
        await ctx.authorize("ecs:DescribeServiceDeployments", arn);
        const svc = serviceOfChildArn(ctx, arn, "service-deployment");
        if (svc) rollouts.advance(svc, ctx.now);
        const rec = svc ? rollouts.record(svc, arn) : undefined;
        if (svc && rec) serviceDeployments.push(renderServiceDeployment(svc, rec));
        else failures.push({ arn, reason: "MISSING" });
      }
      return { serviceDeployments, failures };
    },

    async DescribeServiceRevisions(ctx, input) {
      const arns = Array.isArray(input.serviceRevisionArns) ? (input.serviceRevisionArns as string[]) : [];
      if (arns.length === 0) throw invalidParameter("serviceRevisionArns can not be empty.");
      if (arns.length > 20) throw invalidParameter("You can specify a maximum of 20 ARNs.");
      const serviceRevisions: Json[] = [];
      const failures: Json[] = [];
      for (const arn of arns) {
        await ctx.authorize("ecs:DescribeServiceRevisions", arn);
        const svc = serviceOfChildArn(ctx, arn, "service-revision");
        const rev = svc?.revisions.find((r) => r.arn === arn);
        if (svc && rev) serviceRevisions.push(renderServiceRevision(ctx, svc, rev));
        else failures.push({ arn, reason: "MISSING" });
      }
      return { serviceRevisions, failures };
    },

    /**
     * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html:
     * stopType ROLLBACK ("The valid values are ROLLBACK"); a deployment that is not ongoing cannot
     * be stopped (ConflictException: "conflict in the current state of the resource").
     */
    async StopServiceDeployment(ctx, input) {
      const arn = String(input.serviceDeploymentArn ?? "");
      if (!arn) throw invalidParameter("serviceDeploymentArn can not be blank.");
      await ctx.authorize("ecs:StopServiceDeployment", arn);
      const stopType = input.stopType === undefined ? "ROLLBACK" : String(input.stopType);
      if (stopType !== "ROLLBACK") throw invalidParameter(`Invalid stopType ${stopType}: the valid values are ROLLBACK.`);
      const svc = serviceOfChildArn(ctx, arn, "service-deployment");
      const rec = svc ? rollouts.record(svc, arn) : undefined;
      if (!svc || !rec) throw new AwsError("ServiceDeploymentNotFoundException", `The service deployment ${arn} does not exist.`);
      if (!rollouts.requestRollback(svc, rec, ctx.now)) {
        throw new AwsError("ConflictException", `The service deployment is ${rec.status} and cannot be stopped.`);
      }
      return { serviceDeploymentArn: arn };
    },
  };
}
