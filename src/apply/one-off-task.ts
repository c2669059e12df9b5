// A one-off task of a service (`tasks:` in deployer.yaml, issue 17), run by a `run-task` step after
// the new task definition is registered and before any service of the environment is updated:
//  - RunTask with the NEW task definition, the task's command as the override of its container,
//    launched like the service's tasks (network, launch type or capacity provider strategy, platform
//    version: read from the live service when planned);
//  - DescribeTasks on the poller's interval until the task is STOPPED, at most `timeoutSeconds`; on
//    the timeout or Ctrl-C the task is stopped (StopTask) and the step fails (or is interrupted);
//  - success is exit code 0 of the named container. A stopped task's stopCode is
//    EssentialContainerExited whether it exited 0 or not, so the stop code never decides
//    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html: exitCode;
//    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html).
//    A task that never ran (TaskFailedToStart, a placement failure) has no exit code: it failed.
// The result (stop code and reason, exit code, the container's reason, its awslogs stream) goes into
// the run report (TaskRunResult); a failure ends the target "failed" before its UpdateService.
import type { LiveTask, RunTaskRequest } from "../aws/ports.js";
import type { ErrorInfo } from "../errors.js";
import type { Step, TargetPlan } from "../plan/types.js";
import type { TaskRunResult } from "./types.js";
import { DEFAULT_POLL_INTERVAL, type PollInterval } from "./service-poller.js";
import { GUARD_READ_ATTEMPTS, type RolloutContext, TargetEnded } from "./rollout-context.js";
import { taskDefinitionName } from "../config/aws-names.js";
import { formatSeconds } from "./rollout-messages.js";

export type RunTaskStep = Extract<Step, { kind: "run-task" }>;

/** What ends the wait: the task as last read, or why there is none. */
type WaitEnd = { kind: "stopped"; task: LiveTask } | { kind: "timeout"; task?: LiveTask } | { kind: "aborted"; task?: LiveTask };

/**
 * Runs one task and waits for it. Returns its result when it succeeded; throws TargetEnded (failed,
 * unknown or interrupted) carrying nothing of the result: the caller records `result` first via
 * `record`, which is called exactly once in every case.
 */
export async function runOneOffTask(
  ctx: RolloutContext,
  step: RunTaskStep,
  record: (r: TaskRunResult) => void,
  interval: PollInterval = DEFAULT_POLL_INTERVAL,
): Promise<void> {
  const { clock, session, plan } = ctx.deps;
  const ecs = session.ecs;
  const started = clock.now();
  const base: TaskRunResult = { name: step.name, container: step.container, outcome: "failed" };
  const finish = (r: TaskRunResult): TaskRunResult => {
    const out = { ...r, durationMs: clock.now() - started };
    record(out);
    return out;
  };
  const failWith = (r: TaskRunResult, error: ErrorInfo): TargetEnded => {
    finish({ ...r, outcome: "failed", error });
    return ctx.fail(error, { by: "none", ok: false });
  };

  const arn = ctx.taskDefinitionArn;
  if (!arn) {
    throw failWith(
      base,
      ctx.info({
        code: "PLAN_INVALID",
        message: `the plan for ${ctx.name} runs task ${step.name} before registering or choosing a task definition`,
        hint: "make the plan again",
      }),
    );
  }
  base.taskDefinitionArn = arn;
  if (!ecs.runTask || !ecs.describeTasks) {
    throw failWith(
      base,
      ctx.info({
        code: "AWS_ERROR",
        message: `deployer cannot run task ${step.name}: this endpoint has no RunTask/DescribeTasks`,
        action: "ecs:RunTask",
      }),
    );
  }
  const log = awslogsOf(plan.desired, step.container);
  if (log) base.logGroup = log.group;

  ctx.step("run-task", `running task ${step.name} (${step.command.join(" ")} in ${step.container}) with ${taskDefinitionName(arn)}`);
  const req: RunTaskRequest = {
    cluster: step.cluster,
    taskDefinitionArn: arn,
    launch: step.launch,
    container: step.container,
    command: step.command,
    startedBy: `deployer/${step.name}`.replace(/[^A-Za-z0-9/_-]/g, "-").slice(0, 128),
  };
  let ran: Awaited<ReturnType<NonNullable<typeof ecs.runTask>>>;
  try {
    ran = await ctx.call(
      { action: "ecs:RunTask", resource: arn, hint: "check that the deploy role may ecs:RunTask and pass the task's roles" },
      () => ecs.runTask!(req),
    );
  } catch (e) {
    // Refused (access, network, …): the task never ran. Ctrl-C during the call: it may have started.
    if (e instanceof TargetEnded)
      finish({ ...base, outcome: e.outcome === "failed" ? "failed" : "unknown", ...(e.error ? { error: e.error } : {}) });
    throw e;
  }
  if (!ran.task) {
    const why = [ran.failure?.reason, ran.failure?.detail].filter(Boolean).join(": ") || "RunTask started no task";
    throw failWith(
      { ...base, stoppedReason: why },
      ctx.info({
        code: "TASK_FAILED",
        message: `task ${step.name} did not start on ${step.cluster}: ${why}; ${ctx.service} was not updated`,
        action: "ecs:RunTask",
        resource: arn,
        hint: "ECS could not place the task (capacity, network): run the command again once it can",
      }),
    );
  }
  const taskArn = ran.task.arn;
  base.taskArn = taskArn;
  if (log) base.logStream = `${log.prefix ? `${log.prefix}/` : ""}${step.container}/${taskArn.slice(taskArn.lastIndexOf("/") + 1)}`;
  if (!log?.prefix) delete base.logStream; // awslogs names streams PREFIX/CONTAINER/TASK_ID only with a prefix

  const end = await waitStopped(ctx, step, taskArn, ran.task, interval);
  if (end.kind === "aborted") {
    await stopQuietly(ctx, step, taskArn, `deployer was interrupted while waiting for task ${step.name}`);
    finish({ ...base, outcome: "unknown", ...taskFields(end.task, step.container) });
    throw ctx.interrupted();
  }
  if (end.kind === "timeout") {
    await stopQuietly(ctx, step, taskArn, `deployer: task ${step.name} did not stop within ${formatSeconds(step.timeoutSeconds)}`);
    throw failWith(
      { ...base, ...taskFields(end.task, step.container) },
      ctx.info({
        code: "TASK_FAILED",
        message: `task ${step.name} did not stop within ${formatSeconds(step.timeoutSeconds)}; deployer stopped it and did not update ${ctx.service}`,
        action: "ecs:DescribeTasks",
        resource: taskArn,
        hint: "raise timeoutSeconds of the task in deployer.yaml if it is just slow; its log stream says what it was doing",
      }),
    );
  }
  const fields = taskFields(end.task, step.container);
  const result: TaskRunResult = { ...base, ...fields };
  if (fields.exitCode === 0) {
    finish({ ...result, outcome: "succeeded" });
    ctx.done("run-task", `task ${step.name} succeeded (exit code 0${result.logStream ? `; log stream ${result.logStream}` : ""})`);
    return;
  }
  const why =
    fields.exitCode !== undefined
      ? `exited with code ${fields.exitCode}`
      : `stopped without running${fields.containerReason ? ` (${fields.containerReason})` : fields.stoppedReason ? ` (${fields.stoppedReason})` : ""}`;
  throw failWith(
    result,
    ctx.info({
      code: "TASK_FAILED",
      message: `task ${step.name} ${why}; ${ctx.service} was not updated`,
      action: "ecs:RunTask",
      resource: taskArn,
      ...(fields.stopCode ? { awsCode: fields.stopCode } : {}),
      ...(fields.stoppedReason ? { awsMessage: fields.stoppedReason } : {}),
      hint: result.logStream
        ? `read its log: aws logs tail ${result.logGroup} --log-stream-names ${result.logStream} --region ${plan.target.region}`
        : "look at the stopped task's reason in the ECS console",
    }),
  );
}

/** The plan's skipped one-off tasks as results ("skipped", with why). */
export function skippedTaskResults(t: TargetPlan): TaskRunResult[] {
  return (t.skippedTasks ?? []).map((s) => ({ name: s.name, container: s.container, outcome: "skipped", skippedBecause: s.because }));
}

/** Polls DescribeTasks until the task is STOPPED, the timeout passes or Ctrl-C. */
async function waitStopped(
  ctx: RolloutContext,
  step: RunTaskStep,
  taskArn: string,
  first: LiveTask,
  interval: PollInterval,
): Promise<WaitEnd> {
  const { clock, signal } = ctx.deps;
  const deadline = clock.now() + step.timeoutSeconds * 1000;
  let last: LiveTask | undefined = first;
  let wait = interval.initialMs;
  let failures = 0;
  let status = first.lastStatus;
  while (last?.lastStatus !== "STOPPED") {
    const left = deadline - clock.now();
    if (left <= 0) return { kind: "timeout", ...(last ? { task: last } : {}) };
    await clock.sleep(Math.min(wait, left), signal);
    if (signal?.aborted) return { kind: "aborted", ...(last ? { task: last } : {}) };
    wait = Math.min(interval.maxMs, wait * interval.factor);
    try {
      const read = (await ctx.deps.session.ecs.describeTasks!(step.cluster, [taskArn])).get(taskArn);
      failures = 0;
      if (!read) {
        // DescribeTasks answers MISSING for a task it no longer knows: it stopped long ago.
        throw new Error(`ECS no longer knows task ${taskArn}`);
      }
      last = read;
      if (read.lastStatus !== status) {
        status = read.lastStatus;
        ctx.step("run-task", `task ${step.name}: ${status}`);
      }
    } catch (e) {
      failures++;
      ctx.emit({
        type: "warning",
        at: ctx.iso(),
        target: ctx.name,
        message: `could not read task ${step.name} (${failures}/${GUARD_READ_ATTEMPTS}): ${e instanceof Error ? e.message : String(e)}`,
      });
      if (failures >= GUARD_READ_ATTEMPTS) throw taskUnknown(ctx, step, taskArn, e);
    }
  }
  return { kind: "stopped", task: last };
}

function taskUnknown(ctx: RolloutContext, step: RunTaskStep, taskArn: string, e: unknown): TargetEnded {
  const read = ctx.readError(e, "ecs:DescribeTasks");
  return new TargetEnded("unknown", {
    ...read,
    message: `could not read task ${step.name} (${taskArn}): ${read.message}; ${ctx.service} was not updated`,
    resource: taskArn,
  });
}

async function stopQuietly(ctx: RolloutContext, step: RunTaskStep, taskArn: string, reason: string): Promise<void> {
  const ecs = ctx.deps.session.ecs;
  if (!ecs.stopTask) return;
  try {
    await ecs.stopTask(step.cluster, taskArn, reason);
    ctx.emit({ type: "warning", at: ctx.iso(), target: ctx.name, message: `stopped task ${step.name}: ${reason}` });
  } catch (e) {
    ctx.emit({
      type: "warning",
      at: ctx.iso(),
      target: ctx.name,
      message: `could not stop task ${step.name} (${taskArn}): ${e instanceof Error ? e.message : String(e)}; stop it yourself`,
    });
  }
}

function taskFields(task: LiveTask | undefined, container: string): Partial<TaskRunResult> {
  if (!task) return {};
  const c = task.containers.find((x) => x.name === container);
  return {
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(c?.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    ...(c?.reason ? { containerReason: c.reason } : {}),
  };
}

/**
 * The awslogs group and stream prefix of a container of the definition. The stream of a task is
 * PREFIX/CONTAINER/TASK_ID (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html).
 */
export function awslogsOf(def: Record<string, unknown>, container: string): { group: string; prefix?: string } | undefined {
  const containers = Array.isArray(def.containerDefinitions) ? (def.containerDefinitions as Array<Record<string, unknown>>) : [];
  const c = containers.find((x) => x.name === container);
  const lc = c?.logConfiguration as { logDriver?: string; options?: Record<string, string> } | undefined;
  if (lc?.logDriver !== "awslogs" || !lc.options?.["awslogs-group"]) return undefined;
  const prefix = lc.options["awslogs-stream-prefix"];
  return { group: lc.options["awslogs-group"], ...(prefix ? { prefix } : {}) };
}
