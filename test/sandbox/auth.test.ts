// Authentication and STS: SigV4 verification, session tokens, expiry, AssumeRole trust evaluation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { assumeDeployer, clients, rejection } from "./clients.js";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, maxSessionSeconds: 1 });
});
afterAll(async () => {
  await sb.stop();
});

const DEV_ROLE = "arn:aws:iam::222222222222:role/deployer";

describe("sandbox: SigV4 authentication", () => {
  it("serves on 127.0.0.1 and identifies the demo CI user", async () => {
    expect(sb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sb.credentials.accessKeyId).toBe("AKIASANDBOXCI0000001");
    const me = await clients(sb, sb.credentials).sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe("arn:aws:iam::111111111111:user/ci");
    expect(me.Account).toBe("111111111111");
  });

  it("rejects a request signed with the wrong secret (Query: SignatureDoesNotMatch, JSON: InvalidSignatureException)", async () => {
    const wrong = { accessKeyId: sb.credentials.accessKeyId, secretAccessKey: "not-the-secret" };
    const q = await rejection(clients(sb, wrong).sts.send(new GetCallerIdentityCommand({})));
    expect(q.name).toBe("SignatureDoesNotMatch");
    expect(q.$metadata?.httpStatusCode).toBe(403);
    const j = await rejection(clients(sb, wrong).ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] })));
    expect(j.name).toBe("InvalidSignatureException");
  });

  it("rejects an unknown access key as AWS does per protocol", async () => {
    const unknown = { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" };
    expect((await rejection(clients(sb, unknown).sts.send(new GetCallerIdentityCommand({})))).name).toBe("InvalidClientTokenId");
    expect((await rejection(clients(sb, unknown).ecs.send(new DescribeServicesCommand({ cluster: "c", services: ["s"] })))).name).toBe(
      "UnrecognizedClientException",
    );
  });
});

describe("sandbox: AssumeRole", () => {
  const sts = () => clients(sb, sb.credentials).sts;

  it("succeeds with the right ExternalId and acts as assumed-role/deployer/SESSION in the target account", async () => {
    const out = await sts().send(
      new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: "ci-run-42", ExternalId: "shop-deployer-dev" }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.Credentials?.SessionToken).toBeTruthy();
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::222222222222:assumed-role/deployer/ci-run-42");
    const c = out.Credentials!;
    const me = await clients(sb, {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    }).sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe("222222222222");
    expect(me.Arn).toBe("arn:aws:sts::222222222222:assumed-role/deployer/ci-run-42");
  });

  it("is denied without an ExternalId", async () => {
    const err = await rejection(sts().send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: "s1" })));
    expect(err.name).toBe("AccessDenied");
    expect(err.message).toBe(
      `User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:AssumeRole on resource: ${DEV_ROLE}`,
    );
  });

  it("is denied with the wrong ExternalId (another target's)", async () => {
    const err = await rejection(
      sts().send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: "s1", ExternalId: "shop-deployer-staging" })),
    );
    expect(err.name).toBe("AccessDenied");
    expect(err.$metadata?.httpStatusCode).toBe(403);
  });

  it("is denied for a role that does not exist, without revealing it", async () => {
    const err = await rejection(
      sts().send(
        new AssumeRoleCommand({ RoleArn: "arn:aws:iam::222222222222:role/nope", RoleSessionName: "s1", ExternalId: "shop-deployer-dev" }),
      ),
    );
    expect(err.name).toBe("AccessDenied");
  });

  it("is denied when the caller's own policy does not allow sts:AssumeRole on the role", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const err = await rejection(
      dev.sts.send(
        new AssumeRoleCommand({
          RoleArn: "arn:aws:iam::333333333333:role/deployer",
          RoleSessionName: "hop",
          ExternalId: "shop-deployer-staging",
        }),
      ),
    );
    expect(err.name).toBe("AccessDenied");
    expect(err.message).toContain(
      "arn:aws:sts::222222222222:assumed-role/deployer/deployer-test is not authorized to perform: sts:AssumeRole",
    );
  });

  it("validates DurationSeconds", async () => {
    const err = await rejection(
      sts().send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: "s", ExternalId: "shop-deployer-dev", DurationSeconds: 60 })),
    );
    expect(err.name).toBe("ValidationError");
    const tooLong = await rejection(
      sts().send(
        new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: "s2", ExternalId: "shop-deployer-dev", DurationSeconds: 7200 }),
      ),
    );
    expect(tooLong.message).toBe("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  });

  it("rejects a session key used without its session token", async () => {
    const out = await sts().send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: "s3", ExternalId: "shop-deployer-dev" }));
    const c = out.Credentials!;
    const err = await rejection(
      clients(sb, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey! }).iam.send(
        new ListRolePoliciesCommand({ RoleName: "deployer" }),
      ),
    );
    expect(err.name).toBe("InvalidClientTokenId");
  });

  it("rejects expired temporary credentials (maxSessionSeconds caps the lifetime)", async () => {
    const out = await sts().send(
      new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: "short", ExternalId: "shop-deployer-dev", DurationSeconds: 900 }),
    );
    const c = out.Credentials!;
    expect(c.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, 1100));
    const creds = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    const q = await rejection(clients(sb, creds).sts.send(new GetCallerIdentityCommand({})));
    expect(q.name).toBe("ExpiredToken");
    const j = await rejection(clients(sb, creds).ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] })));
    expect(j.name).toBe("ExpiredTokenException");
  });
});
