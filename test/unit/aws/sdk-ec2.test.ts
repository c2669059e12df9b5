// Ec2Port over the SDK: EC2 fails a whole DescribeSubnets / DescribeSecurityGroups call for one id that
// does not exist (InvalidSubnetID.NotFound / InvalidGroup.NotFound, HTTP 400:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html); the port then asks id by
// id so every missing id is named. Other errors become DeployerErrors naming the action.
import { beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { createEc2Port } from "../../../src/aws/sdk-ec2.js";
import { DeployerError } from "../../../src/errors.js";

const ec2Mock = mockClient(EC2Client);
const client = new EC2Client({ region: "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } });
const port = createEc2Port(client, { target: "dev/api", account: "222222222222" });

/** An EC2 error as the SDK's query protocol gives it: name = the error code. */
const ec2Error = (code: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name: code, $fault: "client", $metadata: { httpStatusCode: status } });

const EXISTING = new Set(["subnet-0aaa", "sg-0ccc"]);

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { SubnetIds?: string[] }) => {
    const missing = (input.SubnetIds ?? []).find((id) => !EXISTING.has(id));
    if (missing) throw ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${missing}' does not exist`);
    return { Subnets: (input.SubnetIds ?? []).map((SubnetId) => ({ SubnetId, VpcId: "vpc-0111" })) };
  });
  ec2Mock.on(DescribeSecurityGroupsCommand).callsFake((input: { GroupIds?: string[] }) => {
    const missing = (input.GroupIds ?? []).find((id) => !EXISTING.has(id));
    if (missing) throw ec2Error("InvalidGroup.NotFound", `The security group '${missing}' does not exist`);
    return { SecurityGroups: (input.GroupIds ?? []).map((GroupId) => ({ GroupId })) };
  });
});

describe("Ec2Port (sdk-ec2.ts)", () => {
  it("all ids exist: one call", async () => {
    expect(await port.describeSubnets(["subnet-0aaa"])).toEqual({ found: ["subnet-0aaa"], missing: [] });
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)).toHaveLength(1);
  });

  it("one id missing fails the whole call: asked id by id, each missing one named", async () => {
    const r = await port.describeSubnets(["subnet-0aaa", "subnet-0bbb", "subnet-0ddd"]);
    expect(r).toEqual({ found: ["subnet-0aaa"], missing: ["subnet-0bbb", "subnet-0ddd"] });
    const g = await port.describeSecurityGroups(["sg-0ccc", "sg-0eee"]);
    expect(g).toEqual({ found: ["sg-0ccc"], missing: ["sg-0eee"] });
  });

  it("UnauthorizedOperation: a DeployerError ACCESS_DENIED naming the action", async () => {
    ec2Mock.on(DescribeSubnetsCommand).rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation.", 403));
    const err = await port.describeSubnets(["subnet-0aaa"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployerError);
    expect((err as DeployerError).code).toBe("ACCESS_DENIED");
    expect((err as DeployerError).action).toBe("ec2:DescribeSubnets");
  });

  it("no ids: no call", async () => {
    expect(await port.describeSecurityGroups([])).toEqual({ found: [], missing: [] });
    expect(ec2Mock.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(0);
  });
});
