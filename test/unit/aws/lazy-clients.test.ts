// Which SDK client packages a session loads, and when (issue 14: an unreachable endpoint is reported
// within 5 s; importing every client at start-up took seconds of that on a loaded machine). Only STS,
// the first call, is loaded with the session module; ECS, ECR and IAM after the first STS call; the
// ports of what tasks need at launch (SSM, Secrets Manager, Logs, KMS, Cloud Map, RAM, EC2) at their
// first call. Each package is mocked by itself (the real module, recording that it was loaded).
import { afterEach, describe, expect, it, vi } from "vitest";
import { closedPort } from "../../helpers/closed-port.js";
import { createSessionFactory, type ClosableSessionFactory } from "../../../src/aws/session.js";
import { DeployerError } from "../../../src/errors.js";
import { assumeRoleOk, startFakeAws, type FakeAwsServer } from "./fake-aws-server.js";

const { loaded, record } = vi.hoisted(() => {
  const loaded = new Set<string>();
  const record = (name: string) => async (importOriginal: () => Promise<unknown>) => {
    loaded.add(name);
    return await importOriginal();
  };
  return { loaded, record };
});
vi.mock("@aws-sdk/client-ecr", record("ecr"));
vi.mock("@aws-sdk/client-ecs", record("ecs"));
vi.mock("@aws-sdk/client-iam", record("iam"));
vi.mock("@aws-sdk/client-kms", record("kms"));
vi.mock("@aws-sdk/client-cloudwatch-logs", record("logs"));
vi.mock("@aws-sdk/client-ec2", record("ec2"));
vi.mock("@aws-sdk/client-secrets-manager", record("secretsmanager"));
vi.mock("@aws-sdk/client-ssm", record("ssm"));
vi.mock("@aws-sdk/client-servicediscovery", record("servicediscovery"));
vi.mock("@aws-sdk/client-ram", record("ram"));

const baseCredentials = async () => ({ accessKeyId: "AKIABASEKEY000000001", secretAccessKey: "base-secret" });
const req = { roleArn: "arn:aws:iam::222222222222:role/deployer", region: "eu-west-1", sessionName: "deployer-shop-r1", target: "dev" };
const LAUNCH = ["ec2", "kms", "logs", "ram", "secretsmanager", "servicediscovery", "ssm"];

let factory: ClosableSessionFactory | undefined;
let aws: FakeAwsServer | undefined;
afterEach(async () => {
  await factory?.close();
  await aws?.close();
  factory = undefined;
  aws = undefined;
});

describe("SDK clients are loaded on first use", () => {
  it("an unreachable STS is reported before any other client is loaded", async () => {
    expect([...loaded]).toEqual([]); // the session module is imported (above): it loads none of them
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    factory = createSessionFactory({ endpointUrl: endpoint, baseCredentials, unreachableBudgetMs: 50 });
    const err = await factory.target(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployerError);
    expect(err).toMatchObject({ code: "ENDPOINT_UNREACHABLE", action: "sts:AssumeRole" });
    expect((err as DeployerError).message).toContain(endpoint);
    expect([...loaded]).toEqual([]);
  });

  it("a target session loads ECS, ECR and IAM; each launch-time port loads its client at its first call, errors unchanged", async () => {
    aws = await startFakeAws();
    aws.handle((r) =>
      r.action === "AssumeRole"
        ? assumeRoleOk(r.params.RoleArn ?? "", r.params.RoleSessionName ?? "", new Date(Date.now() + 3_600_000), 1)
        : undefined,
    );
    factory = createSessionFactory({ endpointUrl: aws.endpoint, baseCredentials, maxAttempts: 1 });
    const session = await factory.target(req);
    expect([...loaded].sort()).toEqual(["ecr", "ecs", "iam"]);

    // The fake answers every other call with a 400 UnknownOperationException: the port's error, with its context.
    const kms = await session.kms.describeKey("eu-west-1", "alias/app").catch((e: unknown) => e);
    expect(kms).toMatchObject({ action: "kms:DescribeKey", resource: "alias/app", target: "dev", account: "222222222222" });
    expect(LAUNCH.filter((s) => loaded.has(s))).toEqual(["kms"]);

    const ec2 = await session.ec2?.describeSubnets(["subnet-0aaa"]).catch((e: unknown) => e);
    expect(ec2).toMatchObject({ action: "ec2:DescribeSubnets", resource: "subnet-0aaa", target: "dev" });
    const ram = await session.ram?.listInvitations("eu-west-1").catch((e: unknown) => e);
    expect(ram).toMatchObject({ action: "ram:GetResourceShareInvitations", target: "dev" });
    // Cloud Map and RAM share a module (sdk-sharing.ts): the check that reads one reads the other.
    expect(LAUNCH.filter((s) => loaded.has(s))).toEqual(["ec2", "kms", "ram", "servicediscovery"]);

    await session.ssm.describeParameter("eu-west-1", "/app/db").catch(() => undefined);
    await session.secretsManager.describeSecret("eu-west-1", "app/db").catch(() => undefined);
    await session.logs.describeLogGroup("eu-west-1", "/ecs/app").catch(() => undefined);
    await session.serviceDiscovery?.getNamespace("eu-west-1", "ns-1").catch(() => undefined);
    expect(LAUNCH.filter((s) => loaded.has(s))).toEqual(LAUNCH);
  });
});
