// A minimal model of a target account's VPC networking, as far as ECS tasks need it: VPCs, their
// subnets (each in one Availability Zone) and security groups. Seeded from the fixture (`vpcs` of an
// account; every compact target gets one VPC with two subnets and a task security group), served by
// services/ec2.ts (DescribeSubnets, DescribeSecurityGroups, DescribeVpcs) and checked by ECS
// wherever an `awsvpcConfiguration` is given (RunTask, CreateService, UpdateService).
//
// ECS's errors for a configuration that names what does not exist, all InvalidParameterException:
// - a missing subnet: "Error retrieving subnet information for [ID]: The subnet ID 'ID' does not exist
//   (ErrorCode: InvalidSubnetID.NotFound)" (CreateService, 2022: https://github.com/eddmann/serverless-fargate/issues/20;
//   RunTask, 2018, older wording: https://github.com/moosefs/moosefs-csi/issues/1);
// - a missing security group: "Error retrieving security group information for [ID]: …" (RunTask:
//   https://github.com/reproio/wrapbox/issues/43), detail "The security group 'ID' does not exist
//   (ErrorCode: InvalidGroup.NotFound)" in the same form as the subnet's (EC2's own text for a missing
//   group: https://github.com/deis/deis/issues/129);
// - a security group of another VPC: "Security group ID does not appear to belong to the same VPC as
//   the input subnets." (CreateService: https://github.com/aws/aws-dotnet-deploy/pull/735); a RunTask
//   output quoted in a public ECS troubleshooting README shows the group's id in place of ID
//   ("Security group sg-0dd8a777c45711f1d does not appear to belong to …");
// - no subnets: "subnets can not be empty." (RunTask: https://github.com/awslabs/fargatecli/issues/73).
// Subnets of different VPCs: the API reference says "All specified subnets must be from the same VPC"
// (API_AwsVpcConfiguration); no real error text was found, so that sentence is the message.
// Limits: 16 subnets, 5 security groups (API_AwsVpcConfiguration). Without security groups "the
// default security group for the VPC is used" (same page): every VPC here has one (AWS creates it
// with the VPC: https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html).
import { createHash } from "node:crypto";
import { AwsError } from "./aws-error.js";
import type { World } from "./world.js";

export interface Vpc {
  id: string;
  account: string;
  region: string;
  cidrBlock: string;
  isDefault: boolean;
}

export interface Subnet {
  id: string;
  vpcId: string;
  account: string;
  region: string;
  availabilityZone: string;
  cidrBlock: string;
}

export interface SecurityGroup {
  id: string;
  vpcId: string;
  account: string;
  region: string;
  name: string;
  description: string;
}

export interface VpcFixture {
  region: string;
  /** vpc-… */
  id: string;
  /** Default 10.0.0.0/16. */
  cidrBlock?: string;
  /** availabilityZone defaults to the region's "a", "b", … zone in list order; cidrBlock to 10.0.N.0/24. */
  subnets?: { id: string; availabilityZone?: string; cidrBlock?: string }[];
  /** Besides the VPC's default security group (created with it, named "default"). */
  securityGroups?: { id: string; name: string; description?: string }[];
  /** Id of the default security group (default: derived from the VPC id). */
  defaultSecurityGroupId?: string;
}

export interface AwsVpcConfiguration {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: "ENABLED" | "DISABLED";
}

/** The resolved network of one task: the subnet it runs in (the first one named) and its groups. */
export interface ResolvedNetwork {
  config: AwsVpcConfiguration;
  subnet: Subnet;
  securityGroups: SecurityGroup[];
}

function hex(seed: string, n: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, n);
}

export function addVpc(world: World, account: string, v: VpcFixture): Vpc {
  const state = world.region(account, v.region);
  const vpc: Vpc = { id: v.id, account, region: v.region, cidrBlock: v.cidrBlock ?? "10.0.0.0/16", isDefault: false };
  state.vpcs.set(vpc.id, vpc);
  const defaultSg = v.defaultSecurityGroupId ?? `sg-0${hex(`${account}/${v.id}/default`, 16)}`;
  state.securityGroups.set(defaultSg, {
    id: defaultSg,
    vpcId: vpc.id,
    account,
    region: v.region,
    name: "default",
    description: "default VPC security group",
  });
  (v.subnets ?? []).forEach((s, i) => {
    state.subnets.set(s.id, {
      id: s.id,
      vpcId: vpc.id,
      account,
      region: v.region,
      availabilityZone: s.availabilityZone ?? `${v.region}${String.fromCharCode(97 + (i % 6))}`,
      cidrBlock: s.cidrBlock ?? `10.0.${i + 1}.0/24`,
    });
  });
  for (const g of v.securityGroups ?? []) {
    state.securityGroups.set(g.id, {
      id: g.id,
      vpcId: vpc.id,
      account,
      region: v.region,
      name: g.name,
      description: g.description ?? g.name,
    });
  }
  return vpc;
}

/**
 * A service seeded by the fixture could only have been created with subnets and groups that existed:
 * those it names but no VPC of the fixture declares are created, in one VPC per account and region.
 */
export function ensureNetwork(world: World, account: string, region: string, awsvpc: Record<string, unknown> | undefined): void {
  if (!awsvpc) return;
  const state = world.region(account, region);
  const subnets = (Array.isArray(awsvpc.subnets) ? awsvpc.subnets : []).filter((s): s is string => typeof s === "string");
  const groups = (Array.isArray(awsvpc.securityGroups) ? awsvpc.securityGroups : []).filter((s): s is string => typeof s === "string");
  const known = subnets.map((s) => state.subnets.get(s)?.vpcId).find((v): v is string => v !== undefined);
  const vpcId = known ?? `vpc-0${hex(`${account}/${region}/seeded`, 16)}`;
  if (!state.vpcs.has(vpcId)) addVpc(world, account, { region, id: vpcId });
  subnets.forEach((s, i) => {
    if (!state.subnets.has(s)) {
      state.subnets.set(s, {
        id: s,
        vpcId,
        account,
        region,
        availabilityZone: `${region}${String.fromCharCode(97 + (i % 6))}`,
        cidrBlock: `10.0.${100 + state.subnets.size}.0/24`,
      });
    }
  });
  for (const g of groups) {
    if (!state.securityGroups.has(g)) state.securityGroups.set(g, { id: g, vpcId, account, region, name: g, description: g });
  }
}

const invalid = (m: string) => new AwsError("InvalidParameterException", m);

/**
 * Checks `networkConfiguration` as ECS does for a task or a service in `account`/`region`: the
 * subnets and groups must exist there (a subnet shared from another account through AWS RAM is not
 * modelled: stricter, it does not exist) and belong to one VPC. Returns the configuration with the
 * defaults ECS applies (the VPC's default group when none is named, assignPublicIp DISABLED).
 */
export function resolveAwsVpc(world: World, account: string, region: string, networkConfiguration: unknown): ResolvedNetwork {
  const nc = networkConfiguration && typeof networkConfiguration === "object" ? (networkConfiguration as Record<string, unknown>) : {};
  const awsvpc =
    nc.awsvpcConfiguration && typeof nc.awsvpcConfiguration === "object" ? (nc.awsvpcConfiguration as Record<string, unknown>) : {};
  const subnetIds = Array.isArray(awsvpc.subnets) ? awsvpc.subnets.map(String) : [];
  const groupIds = Array.isArray(awsvpc.securityGroups) ? awsvpc.securityGroups.map(String) : [];
  if (subnetIds.length === 0) throw invalid("subnets can not be empty.");
  if (subnetIds.length > 16) throw invalid("subnets can have at most 16 items.");
  if (groupIds.length > 5) throw invalid("securityGroups can have at most 5 items.");
  const assign = awsvpc.assignPublicIp === undefined ? "DISABLED" : String(awsvpc.assignPublicIp);
  if (assign !== "ENABLED" && assign !== "DISABLED") throw invalid(`assignPublicIp must be ENABLED or DISABLED (got ${assign}).`);
  const state = world.account(account)?.regions.get(region);
  const subnets: Subnet[] = [];
  for (const id of subnetIds) {
    const s = state?.subnets.get(id);
    if (!s)
      throw invalid(
        `Error retrieving subnet information for [${id}]: The subnet ID '${id}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`,
      );
    subnets.push(s);
  }
  const vpcId = subnets[0]!.vpcId;
  if (subnets.some((s) => s.vpcId !== vpcId)) throw invalid("All specified subnets must be from the same VPC.");
  const groups: SecurityGroup[] = [];
  for (const id of groupIds) {
    const g = state?.securityGroups.get(id);
    if (!g) {
      throw invalid(
        `Error retrieving security group information for [${id}]: The security group '${id}' does not exist (ErrorCode: InvalidGroup.NotFound)`,
      );
    }
    if (g.vpcId !== vpcId) throw invalid(`Security group ${id} does not appear to belong to the same VPC as the input subnets.`);
    groups.push(g);
  }
  if (groups.length === 0) {
    const def = [...(state?.securityGroups.values() ?? [])].find((g) => g.vpcId === vpcId && g.name === "default");
    if (def) groups.push(def);
  }
  return {
    config: { subnets: subnetIds, securityGroups: groups.map((g) => g.id), assignPublicIp: assign },
    subnet: subnets[0]!,
    securityGroups: groups,
  };
}
