// CloudWatch Logs (JSON 1.1, Logs_20140328): DescribeLogGroups (what a preflight reads) and
// CreateLogGroup (what `awslogs-create-group: "true"` makes the task do). Shapes: botocore
// logs/2014-03-28/service-2.json.
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import { createLogGroup, logGroupArn, type LogGroup } from "../launch-resources.js";

type Json = Record<string, unknown>;
export type LogsAction = (ctx: CallContext, input: Json) => Promise<Json>;

/** LogGroup: `arn` ends with ":*", `logGroupArn` does not (API_LogGroup). */
function renderLogGroup(g: LogGroup): Json {
  return {
    logGroupName: g.name,
    creationTime: g.createdAt,
    ...(g.retentionInDays ? { retentionInDays: g.retentionInDays } : {}),
    metricFilterCount: 0,
    arn: `${g.arn}:*`,
    storedBytes: 0,
    logGroupClass: "STANDARD",
    logGroupArn: g.arn,
  };
}

const NAME_RE = /^[.\-_/#A-Za-z0-9]{1,512}$/;

export const logsActions: Record<string, LogsAction> = {
  /**
   * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html:
   * logGroupNamePrefix, limit 1..50 (default 50), nextToken; sorted by name. Authorised on the
   * account's log groups (the sandbox evaluates "*": the action has no resource-level condition keys).
   */
  async DescribeLogGroups(ctx, input) {
    await ctx.authorize("logs:DescribeLogGroups", "*");
    const prefix = typeof input.logGroupNamePrefix === "string" ? input.logGroupNamePrefix : "";
    const limit = input.limit === undefined ? 50 : Number(input.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
      throw new AwsError(
        "InvalidParameterException",
        `1 validation error detected: Value '${String(input.limit)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50`,
      );
    }
    const state = ctx.world.account(ctx.account)?.regions.get(ctx.region);
    const all = [...(state?.logGroups.values() ?? [])].filter((g) => g.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : 1));
    const from = typeof input.nextToken === "string" ? Number(Buffer.from(input.nextToken, "base64").toString("utf8")) : 0;
    if (!Number.isInteger(from) || from < 0) throw new AwsError("InvalidParameterException", "The specified nextToken is not valid.");
    const out: Json = { logGroups: all.slice(from, from + limit).map(renderLogGroup) };
    if (from + limit < all.length) out.nextToken = Buffer.from(String(from + limit)).toString("base64");
    return out;
  },

  /** https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html */
  async CreateLogGroup(ctx, input) {
    const name = typeof input.logGroupName === "string" ? input.logGroupName : "";
    if (!NAME_RE.test(name)) {
      throw new AwsError(
        "InvalidParameterException",
        `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
      );
    }
    await ctx.authorize("logs:CreateLogGroup", logGroupArn(ctx.account, ctx.region, name));
    const state = ctx.world.region(ctx.account, ctx.region);
    if (state.logGroups.has(name)) throw new AwsError("ResourceAlreadyExistsException", "The specified log group already exists");
    createLogGroup(ctx.world, ctx.account, { region: ctx.region, name }, ctx.now);
    return {};
  },
};
