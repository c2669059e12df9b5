// The admin side of one-off tasks and of the target's network: how a task's containers exit (by image,
// by a word in the command, by account or container), Fargate capacity, deleting a subnet or a
// security group, and the tasks RunTask started (for assertions). In-process through SandboxAdmin
// (admin.ts), over HTTP under /_sandbox/ (TASK_ADMIN_ROUTES below; README "Admin API").
import { renderTask, type TaskExitRule } from "./tasks.js";
import type { World } from "./world.js";

type Json = Record<string, unknown>;

/** A rule for how one-off task containers exit: every condition given must match (tasks.ts). */
export interface TaskExitRuleInput {
  exitCode: number;
  digest?: string;
  commandContains?: string;
  account?: string;
  container?: string;
  /** Real seconds the container runs before it exits (default 0.3 × deploymentSeconds); null: until StopTask. */
  runSeconds?: number | null;
}

export interface TaskAdmin {
  /** Containers of one-off tasks (RunTask) that match exit with `exitCode`; the newest rule that matches wins. */
  setTaskExit(rule: TaskExitRuleInput): void;
  /** One-off tasks of this image (sha256:…) exit with `exitCode`. */
  markImageTaskExit(digest: string, exitCode: number): void;
  /** One-off task containers whose command (as overridden) has an argument containing `word` exit with `exitCode`. */
  markCommandTaskExit(word: string, exitCode: number): void;
  /** Removes the rules set through the admin API (the fixture's `taskExitCode` images keep theirs). */
  clearTaskExits(): void;
  /** available false: RunTask in this account (region, or all its regions) places nothing: `failures` "Capacity is unavailable…". */
  setTaskCapacity(a: { account: string; region?: string; available: boolean }): void;
  /** Deletes a subnet, e.g. one a service's network names (tasks and services then fail to use it). */
  deleteSubnet(a: { account: string; region: string; subnetId: string }): void;
  /** Deletes a security group. */
  deleteSecurityGroup(a: { account: string; region: string; groupId: string }): void;
  /** The tasks RunTask started in an account and region, as DescribeTasks shows them now (with tags). */
  listTasks(a: { account: string; region: string }): Json[];
}

function exitCodeOf(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255)
    throw new Error(`${where}: exitCode must be an integer 0-255 (got ${String(v)})`);
  return v;
}

export class TaskAdminImpl implements TaskAdmin {
  constructor(private readonly taskWorld: World) {}

  setTaskExit(r: TaskExitRuleInput): void {
    const rule: TaskExitRule = { exitCode: exitCodeOf(r.exitCode, "setTaskExit") };
    if (r.digest !== undefined) {
      if (!/^sha256:[0-9a-f]{64}$/.test(r.digest)) throw new Error(`setTaskExit: not an image digest: ${r.digest}`);
      rule.digest = r.digest;
    }
    if (r.commandContains !== undefined) {
      if (typeof r.commandContains !== "string" || r.commandContains === "")
        throw new Error("setTaskExit: commandContains must be a non-empty string");
      rule.commandContains = r.commandContains;
    }
    if (r.account !== undefined) {
      if (!/^\d{12}$/.test(r.account)) throw new Error(`setTaskExit: not an account id: ${r.account}`);
      rule.account = r.account;
    }
    if (r.container !== undefined) rule.container = String(r.container);
    if (r.runSeconds !== undefined) {
      if (r.runSeconds !== null && !(typeof r.runSeconds === "number" && r.runSeconds >= 0))
        throw new Error(`setTaskExit: runSeconds must be a number >= 0 or null (got ${String(r.runSeconds)})`);
      rule.runSeconds = r.runSeconds;
    }
    this.taskWorld.taskExitRules.unshift(rule);
  }

  markImageTaskExit(digest: string, exitCode: number): void {
    this.setTaskExit({ digest, exitCode });
  }

  markCommandTaskExit(word: string, exitCode: number): void {
    this.setTaskExit({ commandContains: word, exitCode });
  }

  clearTaskExits(): void {
    const kept = this.taskWorld.taskExitRules.filter((r) => r.fromFixture);
    this.taskWorld.taskExitRules.splice(0, this.taskWorld.taskExitRules.length, ...kept);
  }

  setTaskCapacity(a: { account: string; region?: string; available: boolean }): void {
    if (!/^\d{12}$/.test(String(a.account))) throw new Error(`setTaskCapacity: not an account id: ${String(a.account)}`);
    if (typeof a.available !== "boolean") throw new Error("setTaskCapacity: available must be true or false");
    const key = a.region ? `${a.account}/${a.region}` : a.account;
    if (a.available) this.taskWorld.noCapacity.delete(key);
    else this.taskWorld.noCapacity.add(key);
  }

  deleteSubnet(a: { account: string; region: string; subnetId: string }): void {
    if (!this.taskWorld.account(a.account)?.regions.get(a.region)?.subnets.delete(a.subnetId))
      throw new Error(`no subnet ${a.subnetId} in account ${a.account} region ${a.region}`);
  }

  deleteSecurityGroup(a: { account: string; region: string; groupId: string }): void {
    if (!this.taskWorld.account(a.account)?.regions.get(a.region)?.securityGroups.delete(a.groupId))
      throw new Error(`no security group ${a.groupId} in account ${a.account} region ${a.region}`);
  }

  listTasks(a: { account: string; region: string }): Json[] {
    const now = Date.now();
    const tasks = [...(this.taskWorld.account(a.account)?.regions.get(a.region)?.tasks.values() ?? [])];
    return tasks.map((t) => renderTask(t, now, { tags: true }));
  }
}

/** HTTP routes (JSON body in, `{ ok: true }` or the result out). */
export function handleTaskAdminRoute(
  admin: TaskAdmin,
  method: string,
  path: string,
  input: Json,
  query: URLSearchParams,
): { result: unknown } | undefined {
  const route = `${method} ${path}`;
  switch (route) {
    case "POST /_sandbox/tasks/exit":
      admin.setTaskExit(input as unknown as TaskExitRuleInput);
      return { result: { ok: true } };
    case "POST /_sandbox/images/task-exit":
      admin.markImageTaskExit(String(input.digest ?? ""), input.exitCode as number);
      return { result: { ok: true } };
    case "POST /_sandbox/tasks/command-exit":
      admin.markCommandTaskExit(String(input.word ?? ""), input.exitCode as number);
      return { result: { ok: true } };
    case "POST /_sandbox/tasks/exit/clear":
      admin.clearTaskExits();
      return { result: { ok: true } };
    case "POST /_sandbox/tasks/capacity":
      admin.setTaskCapacity(input as unknown as { account: string; region?: string; available: boolean });
      return { result: { ok: true } };
    case "POST /_sandbox/network/subnets/delete":
      admin.deleteSubnet(input as unknown as { account: string; region: string; subnetId: string });
      return { result: { ok: true } };
    case "POST /_sandbox/network/security-groups/delete":
      admin.deleteSecurityGroup(input as unknown as { account: string; region: string; groupId: string });
      return { result: { ok: true } };
    case "GET /_sandbox/tasks":
      return { result: admin.listTasks({ account: query.get("account") ?? "", region: query.get("region") ?? "" }) };
    default:
      return undefined;
  }
}
