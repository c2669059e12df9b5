// Fault injection seen through the SDK (throttling retried, 5xx, dropped connections, unreachable
// accounts), the request log, the HTTP admin API and generated accounts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { BatchGetImageCommand } from "@aws-sdk/client-ecr";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { assumeDeployer, clients, rejection } from "./clients.js";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.stop();
});
beforeEach(() => {
  sb.admin.setFaults({});
  sb.admin.clearLog();
});

describe("sandbox: faults", () => {
  it("throttles at the configured rate; the SDK's retry sees ThrottlingException and then succeeds", async () => {
    const dev = await assumeDeployer(sb, "222222222222", "eu-west-1", 5);
    // seed 8: the first roll (0.16) throttles, the second (0.63) passes.
    sb.admin.setFaults({ throttleRate: 0.5, actions: ["DescribeServices"], seed: 8 });
    const out = await dev.ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] }));
    expect(out.services![0]!.serviceName).toBe("api");
    expect(out.$metadata.attempts).toBe(2);
    const log = sb.admin.log({ action: "DescribeServices" });
    expect(log.map((e) => [e.status, e.errorCode, e.fault])).toEqual([
      [400, "ThrottlingException", "throttle"],
      [200, undefined, undefined],
    ]);
  });

  it("answers Throttling in the Query protocol", async () => {
    sb.admin.setFaults({ throttleRate: 1, actions: ["GetCallerIdentity"] });
    const err = await rejection(clients(sb, sb.credentials).sts.send(new GetCallerIdentityCommand({})));
    expect(err.name).toBe("Throttling");
  });

  it("injects 5xx errors only for the listed accounts", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const staging = await assumeDeployer(sb, "333333333333");
    sb.admin.setFaults({ errorRate: 1, accounts: ["222222222222"] });
    const err = await rejection(dev.ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] })));
    expect(err.name).toBe("InternalFailure");
    expect(err.$metadata?.httpStatusCode).toBe(500);
    const ok = await staging.ecs.send(new DescribeServicesCommand({ cluster: "shop-staging", services: ["api"] }));
    expect(ok.services).toHaveLength(1);
  });

  it("drops connections for unreachable accounts, including AssumeRole into them", async () => {
    sb.admin.setFaults({ unreachableAccounts: ["555555555555"] });
    const err = await rejection(
      clients(sb, sb.credentials).sts.send(
        new AssumeRoleCommand({
          RoleArn: "arn:aws:iam::555555555555:role/deployer",
          RoleSessionName: "x1",
          ExternalId: "shop-deployer-prod-us",
        }),
      ),
    );
    expect(err.$metadata?.httpStatusCode).toBeUndefined(); // no HTTP response at all
    expect(sb.admin.log({ action: "AssumeRole" })).toEqual([
      expect.objectContaining({ fault: "drop", status: 0, account: "111111111111" }),
    ]);
    const other = await assumeDeployer(sb, "222222222222");
    expect(other).toBeDefined();
  });

  it("rejects invalid fault settings", () => {
    expect(() => sb.admin.setFaults({ throttleRate: 2 })).toThrow("faults.throttleRate must be a number between 0 and 1 (got 2)");
  });
});

describe("sandbox: request log and admin HTTP API", () => {
  it("records each call with account, principal, region, status and error code", async () => {
    const broken = await assumeDeployer(sb, "666666666666");
    await rejection(
      broken.ecr.send(
        new BatchGetImageCommand({ registryId: "111111111111", repositoryName: "shop/api", imageIds: [{ imageTag: "c0ffee1" }] }),
      ),
    );
    const log = sb.admin.log({ account: "666666666666" });
    expect(log).toEqual([
      expect.objectContaining({
        service: "ecr",
        action: "BatchGetImage",
        account: "666666666666",
        region: "eu-west-1",
        principal: "arn:aws:sts::666666666666:assumed-role/deployer/deployer-test",
        status: 400,
        errorCode: "AccessDeniedException",
      }),
    ]);
    expect(sb.admin.log({ service: "sts" }).map((e) => [e.action, e.account])).toEqual([["AssumeRole", "111111111111"]]);
  });

  it("serves the same operations over HTTP under /_sandbox/", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${sb.endpoint}/_sandbox/${path}`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
    expect((await post("faults", { throttleRate: 1, actions: ["GetCallerIdentity"] })).status).toBe(200);
    expect((await rejection(clients(sb, sb.credentials).sts.send(new GetCallerIdentityCommand({})))).name).toBe("Throttling");
    const log = (await (await fetch(`${sb.endpoint}/_sandbox/log?action=GetCallerIdentity`)).json()) as { fault?: string }[];
    expect(log.map((e) => e.fault)).toEqual(["throttle"]);
    expect((await post("log/clear", {})).status).toBe(200);
    expect(await (await fetch(`${sb.endpoint}/_sandbox/log`)).json()).toEqual([]);
    const bad = await post("images/bad", { digest: "nope" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe("markImageBad: not an image digest: nope");
    const td = await post("task-definitions", {
      account: "222222222222",
      region: "eu-west-1",
      // EC2-style (no task memory): a container needs memory or memoryReservation, as ECS requires.
      input: { family: "shop-api-dev", containerDefinitions: [{ name: "app", image: "nginx", memory: 128 }] },
    });
    expect(await td.json()).toEqual({ taskDefinitionArn: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:2" });
    expect((await fetch(`${sb.endpoint}/_sandbox/nope`)).status).toBe(404);
  });

  it("generates extra target accounts like the demo ones", async () => {
    const ids = sb.admin.addGeneratedAccounts(2, { firstAccount: 700000000010 });
    expect(ids).toEqual(["700000000010", "700000000011"]);
    const base = clients(sb, sb.credentials);
    const out = await base.sts.send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::700000000011:role/deployer",
        RoleSessionName: "bench",
        ExternalId: "shop-deployer-gen-700000000011",
      }),
    );
    const c = out.Credentials!;
    const gen = clients(sb, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
    const svc = await gen.ecs.send(new DescribeServicesCommand({ cluster: "shop-gen-700000000011", services: ["api"] }));
    expect(svc.services![0]!.deployments![0]!.rolloutState).toBe("COMPLETED");
    const img = await gen.ecr.send(
      new BatchGetImageCommand({ registryId: "111111111111", repositoryName: "shop/api", imageIds: [{ imageTag: "8d1e4b7" }] }),
    );
    expect(img.images).toHaveLength(1);
  });
});
