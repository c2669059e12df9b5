// Ec2Port over @aws-sdk/client-ec2: which subnets and security groups exist in the session's account
// and region (check task-network). Reads only, in the target's region.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { isAwsError, toDeployerError } from "./aws-error.js";
import type { PortContext } from "./port-context.js";
import type { Ec2Lookup, Ec2Port } from "./ports.js";

/**
 * Asks for every id at once; EC2 fails the whole call when one id does not exist (InvalidSubnetID.NotFound,
 * InvalidGroup.NotFound: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html),
 * so then each id is asked alone and the ones failing with that code are the missing ones. Any other
 * error (AccessDenied / UnauthorizedOperation, throttling) is thrown as a DeployerError.
 */
async function lookup(ids: string[], notFound: string, ask: (ids: string[]) => Promise<string[]>): Promise<Ec2Lookup> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return { found: [], missing: [] };
  try {
    const found = new Set(await ask(unique));
    return { found: unique.filter((id) => found.has(id)), missing: unique.filter((id) => !found.has(id)) };
  } catch (e) {
    if (!isAwsError(e, notFound) || unique.length === 1) {
      if (isAwsError(e, notFound)) return { found: [], missing: unique };
      throw e;
    }
  }
  const out: Ec2Lookup = { found: [], missing: [] };
  for (const id of unique) {
    try {
      const got = await ask([id]);
      (got.includes(id) ? out.found : out.missing).push(id);
    } catch (e) {
      if (!isAwsError(e, notFound)) throw e;
      out.missing.push(id);
    }
  }
  return out;
}

/** The port over a client of its own made with `config` (region, credentials, retries, endpoint): what sessions use. */
export function ec2PortWith(config: Record<string, unknown>, context: PortContext = {}): Ec2Port {
  return createEc2Port(new EC2Client(config), context);
}

export function createEc2Port(client: EC2Client, context: PortContext = {}): Ec2Port {
  return {
    async describeSubnets(ids) {
      try {
        return await lookup(ids, "InvalidSubnetID.NotFound", async (SubnetIds) => {
          const out = await client.send(new DescribeSubnetsCommand({ SubnetIds }));
          return (out.Subnets ?? []).map((s) => s.SubnetId ?? "");
        });
      } catch (e) {
        throw toDeployerError(e, { ...context, action: "ec2:DescribeSubnets", resource: ids.join(",") });
      }
    },
    async describeSecurityGroups(ids) {
      try {
        return await lookup(ids, "InvalidGroup.NotFound", async (GroupIds) => {
          const out = await client.send(new DescribeSecurityGroupsCommand({ GroupIds }));
          return (out.SecurityGroups ?? []).map((g) => g.GroupId ?? "");
        });
      } catch (e) {
        throw toDeployerError(e, { ...context, action: "ec2:DescribeSecurityGroups", resource: ids.join(",") });
      }
    },
  };
}
