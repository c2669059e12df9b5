// LogsPort over @aws-sdk/client-cloudwatch-logs: log group metadata (see region-clients.ts).
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { toDeployerError } from "./aws-error.js";
import type { PortContext } from "./port-context.js";
import type { LogsPort } from "./ports.js";
import { perRegion, type ClientConfigFor } from "./region-clients.js";

/**
 * logs:DescribeLogGroups with logGroupNamePrefix = the name, paged until the exact name is found
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html).
 */
export function createLogsPort(config: ClientConfigFor, context: PortContext = {}): LogsPort {
  const client = perRegion((region) => new CloudWatchLogsClient(config(region)));
  return {
    async describeLogGroup(region, name) {
      let nextToken: string | undefined;
      let pages = 0;
      do {
        let out;
        try {
          out = await client(region).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 50, nextToken }));
        } catch (e) {
          throw toDeployerError(e, { ...context, action: "logs:DescribeLogGroups", resource: name });
        }
        const g = (out.logGroups ?? []).find((x) => x.logGroupName === name);
        if (g) {
          const arn = g.logGroupArn ?? g.arn?.replace(/:\*$/, "") ?? "";
          return { name, arn };
        }
        nextToken = out.nextToken;
        // Names sort after their prefix's shorter matches; the exact name is on the first page in
        // practice. A bound keeps a pathological account (thousands of groups under one prefix) cheap.
      } while (nextToken && ++pages < 20);
      return undefined;
    },
  };
}
