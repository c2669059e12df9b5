// Check `task-network`: a unit that runs one-off tasks (`tasks:`, no --skip-tasks) starts them in the
// service's awsvpc network (plan/build.ts copies the live service's PRIMARY deployment's
// networkConfiguration into each run-task step). Its subnets and security groups must exist in the
// target's account and Region, else RunTask fails with InvalidParameterException ("Error retrieving
// subnet information for [ID]: The subnet ID 'ID' does not exist (ErrorCode: InvalidSubnetID.NotFound)":
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html) — after the task
// definition was registered. Read as the reading session (the viewer role when the target has one)
// with ec2:DescribeSubnets (SubnetIds) and ec2:DescribeSecurityGroups (GroupIds):
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html
// EC2 fails the whole call for one id that does not exist (InvalidSubnetID.NotFound /
// InvalidGroup.NotFound: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html);
// the port (src/aws/sdk-ec2.ts) then asks id by id, so the failure names every missing id.
import { awsFailure, isAccessDenied, targetError, verdict, type CheckResult } from "./check-result.js";
import { plannedTasks, type CheckContext } from "./context.js";
import type { Ec2Lookup } from "../aws/ports.js";

export const TASK_NETWORK_CHECK = {
  id: "task-network",
  title: "the subnets and security groups one-off tasks run in exist",
} as const;

export async function checkTaskNetwork(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...TASK_NETWORK_CHECK, target };
  const tasks = plannedTasks(ctx);
  if (tasks.length === 0) return verdict(head, "skip", { message: "no one-off task planned" });
  const names = tasks.map((t) => t.name).join(", ");
  const live = await ctx.reads.service();
  if (!live.ok) return verdict(head, "skip", { message: `not run: the service ${target.cluster}/${target.service} could not be read` });
  if (!live.value) return verdict(head, "skip", { message: `not run: the service ${target.cluster}/${target.service} does not exist` });
  const awsvpc = live.value.launch?.networkConfiguration?.awsvpcConfiguration;
  if (!awsvpc) {
    return verdict(head, "skip", {
      message: `${target.cluster}/${target.service} has no awsvpc network configuration: its one-off tasks (${names}) run without one`,
    });
  }
  const subnets = awsvpc.subnets;
  const groups = awsvpc.securityGroups ?? [];
  const evidence: Record<string, unknown> = { subnets, securityGroups: groups, tasks: tasks.map((t) => t.name) };
  const ec2 = ctx.session.ec2;
  if (!ec2) return verdict(head, "unverified", { message: "no EC2 client for this target: the network was not read", evidence });

  const role = target.viewRole ?? target.deployRole;
  const read = async (action: string, ids: string[], ask: (ids: string[]) => Promise<Ec2Lookup>) => {
    try {
      return { ok: true as const, value: await ask(ids) };
    } catch (e) {
      return { ok: false as const, error: awsFailure(target, e, action, ids.join(",")), action };
    }
  };
  const [sn, sg] = await Promise.all([
    read("ec2:DescribeSubnets", subnets, (ids) => ec2.describeSubnets(ids)),
    read("ec2:DescribeSecurityGroups", groups, (ids) => ec2.describeSecurityGroups(ids)),
  ]);

  const missing = [
    ...(sn.ok ? sn.value.missing.map((id) => `subnet ${id}`) : []),
    ...(sg.ok ? sg.value.missing.map((id) => `security group ${id}`) : []),
  ];
  if (sn.ok) evidence.missingSubnets = sn.value.missing;
  if (sg.ok) evidence.missingSecurityGroups = sg.value.missing;
  if (missing.length > 0) {
    const message = `${missing.join(", ")} of ${target.cluster}/${target.service}'s network configuration ${missing.length === 1 ? "does" : "do"} not exist in ${target.account}/${target.region}: RunTask of ${names} would fail after the task definition is registered`;
    const error = targetError(target, {
      code: "NETWORK_NOT_FOUND",
      message,
      // The read that found a missing id (with the subnets unreadable, a security group is what is missing).
      action: sn.ok && sn.value.missing.length > 0 ? "ec2:DescribeSubnets" : "ec2:DescribeSecurityGroups",
      resource: [...(sn.ok ? sn.value.missing : []), ...(sg.ok ? sg.value.missing : [])].join(","),
      hint: `Update the service's network configuration to subnets and security groups of ${target.account}/${target.region} (aws ecs update-service --network-configuration …), or roll out with --skip-tasks if the task already ran.`,
    });
    return verdict(head, "fail", { message, error, evidence });
  }
  const failed = [sn, sg].filter((r) => !r.ok);
  if (failed.length > 0) {
    const first = failed[0]!;
    const denied = failed.filter((r) => isAccessDenied(r.error));
    const message = failed.map((r) => `could not read with ${r.action} as ${role}: ${r.error.awsCode ?? r.error.code}`).join("; ");
    return verdict(head, "unverified", {
      message,
      hint:
        denied.length > 0
          ? `Allow ${role} ${denied.map((r) => r.action).join(" and ")} (resource "*"). --strict turns this warning into an error.`
          : `${first.error.hint ?? "Run the check again."} --strict turns this warning into an error.`,
      error: first.error,
      evidence,
    });
  }
  return verdict(head, "pass", {
    message: `subnets ${subnets.join(", ")}${groups.length > 0 ? ` and security groups ${groups.join(", ")}` : ""} exist in ${target.account}/${target.region}`,
    evidence,
  });
}
