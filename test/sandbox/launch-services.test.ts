// SSM, Secrets Manager, CloudWatch Logs and KMS as a preflight reads them (metadata only) and as
// the task start uses them, through the real SDK v3 clients over HTTP (JSON 1.1, SigV4).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeParametersCommand, GetParametersCommand } from "@aws-sdk/client-ssm";
import { DescribeSecretCommand, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { assumeDeployer, rejection } from "./clients.js";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
  // A preflight role's reads (metadata only) on the deploy role of dev, plus one secret and key.
  sb.admin.putRolePolicy({
    account: "222222222222",
    role: "deployer",
    name: "preflight-reads",
    document: {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["ssm:DescribeParameters", "logs:DescribeLogGroups"], Resource: "*" },
        { Effect: "Allow", Action: ["secretsmanager:DescribeSecret", "kms:DescribeKey"], Resource: "*" },
      ],
    },
  });
  sb.admin.putSecret({ account: "222222222222", region: "eu-west-1", name: "shop-api/db", value: '{"password":"x"}' });
});
afterAll(async () => {
  await sb.stop();
});

describe("sandbox: SSM Parameter Store", () => {
  it("DescribeParameters with a Name filter returns metadata (never the value) of the seeded parameter", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const out = await dev.ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: ["/shop-api/database-url"] }] }),
    );
    expect(out.Parameters).toHaveLength(1);
    const p = out.Parameters![0]!;
    expect(p).toMatchObject({
      Name: "/shop-api/database-url",
      ARN: "arn:aws:ssm:eu-west-1:222222222222:parameter/shop-api/database-url",
      Type: "SecureString",
      KeyId: "alias/aws/ssm",
      Version: 1,
      Tier: "Standard",
      DataType: "text",
    });
    expect(p.LastModifiedDate).toBeInstanceOf(Date);
    expect(JSON.stringify(out)).not.toContain("sandbox-value-of");
    const none = await dev.ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "BeginsWith", Values: ["/nope/"] }] }),
    );
    expect(none.Parameters).toEqual([]);
  });

  it("GetParameters: a missing name is no error but an InvalidParameters entry; the deploy role may not read values", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const err = await rejection(dev.ssm.send(new GetParametersCommand({ Names: ["/shop-api/database-url"], WithDecryption: true })));
    expect(err.name).toBe("AccessDeniedException");
    expect(err.message).toContain(
      "is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:222222222222:parameter/shop-api/database-url",
    );
    sb.admin.putRolePolicy({
      account: "222222222222",
      role: "deployer",
      name: "read-values",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ssm:GetParameters", Resource: "*" }] },
    });
    try {
      const out = await dev.ssm.send(
        new GetParametersCommand({ Names: ["/shop-api/database-url", "/shop-api/missing"], WithDecryption: true }),
      );
      expect(out.Parameters!.map((p) => p.Name)).toEqual(["/shop-api/database-url"]);
      expect(out.InvalidParameters).toEqual(["/shop-api/missing"]);
    } finally {
      sb.admin.deleteRolePolicy({ account: "222222222222", role: "deployer", name: "read-values" });
    }
  });
});

describe("sandbox: Secrets Manager", () => {
  it("DescribeSecret by name or full ARN: metadata; a missing one is ResourceNotFoundException", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const byName = await dev.secrets.send(new DescribeSecretCommand({ SecretId: "shop-api/db" }));
    expect(byName.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:222222222222:secret:shop-api\/db-[A-Za-z]{6}$/);
    expect(byName.Name).toBe("shop-api/db");
    expect(byName.KmsKeyId).toBeUndefined(); // the AWS managed key aws/secretsmanager
    expect(Object.values(byName.VersionIdsToStages!)).toEqual([["AWSCURRENT"]]);
    expect(JSON.stringify(byName)).not.toContain("password");
    const byArn = await dev.secrets.send(new DescribeSecretCommand({ SecretId: byName.ARN! }));
    expect(byArn.Name).toBe("shop-api/db");
    const err = await rejection(dev.secrets.send(new DescribeSecretCommand({ SecretId: "shop-api/nope" })));
    expect(err.name).toBe("ResourceNotFoundException");
    expect(err.message).toBe("Secrets Manager can't find the specified secret.");
  });

  it("GetSecretValue needs secretsmanager:GetSecretValue (the deploy role has none)", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const err = await rejection(dev.secrets.send(new GetSecretValueCommand({ SecretId: "shop-api/db" })));
    expect(err.name).toBe("AccessDeniedException");
    expect(err.message).toMatch(
      /is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:222222222222:secret:shop-api\/db-/,
    );
  });
});

describe("sandbox: CloudWatch Logs", () => {
  it("DescribeLogGroups with a prefix lists the target's awslogs group; CreateLogGroup needs logs:CreateLogGroup and refuses a duplicate", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const out = await dev.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/shop-api/" }));
    expect(out.logGroups!.map((g) => [g.logGroupName, g.arn, g.logGroupArn])).toEqual([
      [
        "/ecs/shop-api/dev",
        "arn:aws:logs:eu-west-1:222222222222:log-group:/ecs/shop-api/dev:*",
        "arn:aws:logs:eu-west-1:222222222222:log-group:/ecs/shop-api/dev",
      ],
    ]);
    const denied = await rejection(dev.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/x" })));
    expect(denied.name).toBe("AccessDeniedException");
    sb.admin.putRolePolicy({
      account: "222222222222",
      role: "deployer",
      name: "create-groups",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "logs:CreateLogGroup", Resource: "*" }] },
    });
    await dev.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/x" }));
    const dup = await rejection(dev.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/x" })));
    expect(dup.name).toBe("ResourceAlreadyExistsException");
    expect((await dev.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/x" }))).logGroups).toHaveLength(1);
  });
});

describe("sandbox: KMS", () => {
  it("DescribeKey by alias, id or ARN returns KeyMetadata; an unknown alias is NotFoundException", async () => {
    const key = sb.admin.createKmsKey({
      account: "222222222222",
      region: "eu-west-1",
      alias: "alias/shop-api",
      description: "shop-api secrets",
    });
    const dev = await assumeDeployer(sb, "222222222222");
    for (const id of ["alias/shop-api", key.keyId, key.arn]) {
      const out = await dev.kms.send(new DescribeKeyCommand({ KeyId: id }));
      expect(out.KeyMetadata).toMatchObject({
        KeyId: key.keyId,
        Arn: key.arn,
        KeyManager: "CUSTOMER",
        KeyState: "Enabled",
        AWSAccountId: "222222222222",
      });
    }
    const managed = await dev.kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/ssm" }));
    expect(managed.KeyMetadata!.KeyManager).toBe("AWS");
    const err = await rejection(dev.kms.send(new DescribeKeyCommand({ KeyId: "alias/nope" })));
    expect(err.name).toBe("NotFoundException");
    expect(err.message).toBe("Alias arn:aws:kms:eu-west-1:222222222222:alias/nope is not found.");
  });
});
