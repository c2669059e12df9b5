// Check `logs`: every container with the awslogs driver can write its logs when ECS starts the task —
// the log group exists in awslogs-region (or awslogs-create-group is "true" and the execution role
// may logs:CreateLogGroup), and the execution role may logs:CreateLogStream and logs:PutLogEvents
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html). Otherwise the
// tasks stop with ResourceInitializationError ("failed to validate logger args").
import type { CheckContext } from "./context.js";
import { isAccessDenied, parentOf, targetError, verdict, type CheckResult } from "./check-result.js";
import { answerEvidence, executionAnswer, executionRoleFacts } from "./execution-role.js";
import { logGroupArn, logStreamArn, type LogNeed } from "./launch-needs.js";
import { allowStatement, denialHint, denialText } from "./simulation.js";

export const LOGS_CHECK = { id: "logs", title: "awslogs log groups exist and the execution role can write them" } as const;

export async function checkLogs(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...LOGS_CHECK, target };
  const facts = await executionRoleFacts(ctx);
  if (facts.needs.logs.length === 0) return verdict(head, "pass", { message: "no container uses the awslogs driver" });
  const children = await Promise.all(facts.needs.logs.map((need) => logCheck(ctx, need, facts)));
  return parentOf(head, children, `${facts.needs.logs.map((l) => l.group).join(", ")}: ready for ${target.executionRole}`);
}

async function logCheck(ctx: CheckContext, need: LogNeed, facts: Awaited<ReturnType<typeof executionRoleFacts>>): Promise<CheckResult> {
  const { target } = ctx;
  const role = target.executionRole;
  const head = { id: `logs:${need.container}`, title: `log group ${need.group} (${need.region}) of container ${need.container}`, target };
  const groupArn = logGroupArn(need.region, target.account, need.group);
  const streamArn = logStreamArn(need, target.account);
  const evidence: Record<string, unknown> = { group: need.group, region: need.region, createGroup: need.createGroup };

  const read = await ctx.reads.logGroup(need.region, need.group);
  if (!read.ok) {
    return verdict(head, "unverified", {
      message: `could not read the log group ${need.group} (logs:DescribeLogGroups: ${read.error.awsCode ?? read.error.code})`,
      hint: isAccessDenied(read.error)
        ? `Allow ${target.deployRole} logs:DescribeLogGroups in ${need.region}. --strict turns this warning into an error.`
        : read.error.hint,
      error: read.error,
      evidence,
    });
  }
  evidence.exists = read.value !== undefined;
  const stream = allowStatement(["logs:CreateLogStream", "logs:PutLogEvents"], `${groupArn}:*`);
  const problems: CheckResult[] = [];
  if (!read.value && !need.createGroup) {
    const message = `log group ${need.group} does not exist in ${target.account}/${need.region}: ECS would stop the tasks with ResourceInitializationError`;
    const hint = `Create it (aws logs create-log-group --region ${need.region} --log-group-name ${need.group}), or set "awslogs-create-group": "true" in the container's logConfiguration.options and allow ${role}: ${JSON.stringify(allowStatement("logs:CreateLogGroup", groupArn))}`;
    const error = targetError(target, { code: "LOG_GROUP_NOT_FOUND", message, action: "logs:DescribeLogGroups", resource: groupArn, hint });
    problems.push(verdict(head, "fail", { message, error, evidence }));
  }
  const asks: Array<[string, string, Record<string, unknown>]> = [
    ...(need.createGroup
      ? [["logs:CreateLogGroup", groupArn, allowStatement("logs:CreateLogGroup", groupArn)] as [string, string, Record<string, unknown>]]
      : []),
    ["logs:CreateLogStream", streamArn, stream],
    ["logs:PutLogEvents", streamArn, stream],
  ];
  for (const [action, resource, statement] of asks) {
    const a = executionAnswer(facts, action, resource);
    evidence[action] = answerEvidence(a);
    if (a.verdict === "denied") {
      const message = `${denialText(a.by, role, action, resource, { matched: a.matched })}: ECS would stop the tasks with ResourceInitializationError`;
      const error = targetError(target, {
        code: "EXECUTION_ROLE_DENIED",
        message,
        action,
        resource,
        hint: denialHint(a.by, role, statement, { matched: a.matched }),
      });
      problems.push(verdict(head, "fail", { message, error, evidence }));
    } else if (a.verdict === "unverified") {
      problems.push(
        verdict(head, "unverified", {
          message: `could not verify ${action} for ${role}: ${a.why}`,
          hint: `Check by hand that ${role} may: ${JSON.stringify(statement)}. --strict turns this warning into an error.`,
          evidence,
        }),
      );
    }
  }
  const failed = problems.filter((p) => p.verdict === "fail");
  const shown = failed.length > 0 ? failed : problems;
  if (shown.length === 0) {
    return verdict(head, "pass", {
      message: `${need.group} ${read.value ? "exists" : "is created by the task"}; ${role} may write it`,
      evidence,
    });
  }
  const first = shown[0]!;
  const out = verdict(head, first.verdict, { message: shown.map((p) => p.message).join("; "), evidence });
  out.hint = shown
    .map((p) => p.hint)
    .filter(Boolean)
    .join(" ");
  if (first.error) out.error = first.error;
  return out;
}
