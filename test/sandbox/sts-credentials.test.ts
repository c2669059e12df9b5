// The sandbox's credential model: a GitHub OIDC token stand-in and AssumeRoleWithWebIdentity, session
// tags (sts:TagSession in the trust policy), the 1-hour role-chaining cap, opt-in regions a caller
// account must enable, and temporary credentials that nothing refreshes (what a CI step exports).
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { DEMO_FIXTURE, startSandbox, type Fixture, type Sandbox } from "../../sandbox/index.js";
import { clients, rejection } from "./clients.js";

const CI_ROLE = "arn:aws:iam::111111111111:role/deployer-ci";
const DEV_ROLE = "arn:aws:iam::222222222222:role/deployer";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, githubOidc: { tokenSeconds: 300 } });
});
afterAll(async () => {
  await sb?.stop();
});

/** What @actions/core getIDToken does: GET the request URL + &audience=, bearer request token. */
async function idToken(
  s: Sandbox,
  audience = "sts.amazonaws.com",
  bearer = s.githubOidc!.requestToken,
): Promise<{ status: number; value?: string }> {
  const res = await fetch(`${s.githubOidc!.requestUrl}&audience=${encodeURIComponent(audience)}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  const body = (await res.json()) as { value?: string };
  return { status: res.status, value: body.value };
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** An STS client with no credentials at all: AssumeRoleWithWebIdentity is unsigned. */
const anonymousSts = (s: Sandbox) =>
  new STSClient({ endpoint: s.endpoint, region: "eu-west-1", maxAttempts: 1, credentials: { accessKeyId: "", secretAccessKey: "" } });

describe("sandbox: GitHub OIDC token stand-in", () => {
  it("issues RS256 tokens for an audience to the bearer of the request token, and refuses others", async () => {
    expect((await idToken(sb, "sts.amazonaws.com", "wrong")).status).toBe(401);
    const { status, value } = await idToken(sb);
    expect(status).toBe(200);
    const claims = claimsOf(value!);
    expect(claims).toMatchObject({
      iss: "https://token.actions.githubusercontent.com",
      aud: "sts.amazonaws.com",
      sub: "repo:acme/shop-deploy:ref:refs/heads/main",
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    expect(JSON.parse(Buffer.from(value!.split(".")[0]!, "base64url").toString("utf8"))).toMatchObject({ alg: "RS256" });
  });
});

describe("sandbox: AssumeRoleWithWebIdentity", () => {
  it("exchanges a token for the CI role's credentials without signing the request; they act as the role", async () => {
    const { value } = await idToken(sb);
    const out = await anonymousSts(sb).send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: CI_ROLE, RoleSessionName: "gha-1", WebIdentityToken: value!, DurationSeconds: 900 }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::111111111111:assumed-role/deployer-ci/gha-1");
    expect(out.SubjectFromWebIdentityToken).toBe("repo:acme/shop-deploy:ref:refs/heads/main");
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(800_000);
    const c = out.Credentials!;
    const me = await clients(sb, {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    }).sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe("arn:aws:sts::111111111111:assumed-role/deployer-ci/gha-1");
    const logged = sb.admin.log({ action: "AssumeRoleWithWebIdentity" }).at(-1)!;
    expect(logged).toMatchObject({ status: 200, account: "111111111111", principal: "repo:acme/shop-deploy:ref:refs/heads/main" });
  });

  it("refuses a token for another audience, a tampered token, and a role whose account has no OIDC provider", async () => {
    const other = (await idToken(sb, "https://github.com/acme")).value!;
    const wrongAud = await rejection(
      anonymousSts(sb).send(new AssumeRoleWithWebIdentityCommand({ RoleArn: CI_ROLE, RoleSessionName: "gha-2", WebIdentityToken: other })),
    );
    expect(wrongAud.name).toBe("InvalidIdentityTokenException"); // the SDK names the modelled InvalidIdentityToken

    const good = (await idToken(sb)).value!;
    const [h, p, sig] = good.split(".");
    const forged = Buffer.from(JSON.stringify({ ...claimsOf(good), sub: "repo:acme/shop-deploy:ref:refs/heads/evil" })).toString(
      "base64url",
    );
    const tampered = await rejection(
      anonymousSts(sb).send(
        new AssumeRoleWithWebIdentityCommand({ RoleArn: CI_ROLE, RoleSessionName: "gha-3", WebIdentityToken: `${h}.${forged}.${sig}` }),
      ),
    );
    expect(tampered.name).toBe("InvalidIdentityTokenException");
    expect(p).toBeDefined();

    const noProvider = await rejection(
      anonymousSts(sb).send(new AssumeRoleWithWebIdentityCommand({ RoleArn: DEV_ROLE, RoleSessionName: "gha-4", WebIdentityToken: good })),
    );
    expect(noProvider.name).toBe("InvalidIdentityTokenException");
    expect(noProvider.message).toBe("No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com");
  });

  it("refuses a token the trust policy does not accept (another repository) as AccessDenied", async () => {
    const other = await startSandbox({ port: 0, githubOidc: { repository: "mallory/fork" } });
    try {
      const { value } = await idToken(other);
      const err = await rejection(
        anonymousSts(other).send(
          new AssumeRoleWithWebIdentityCommand({ RoleArn: CI_ROLE, RoleSessionName: "gha-5", WebIdentityToken: value! }),
        ),
      );
      expect(err.name).toBe("AccessDenied");
      expect(err.message).toBe("Not authorized to perform sts:AssumeRoleWithWebIdentity");
      expect(err.$metadata?.httpStatusCode).toBe(403);
    } finally {
      await other.stop();
    }
  });

  it("refuses an expired token (ExpiredTokenException) and a DurationSeconds above the role's maximum", async () => {
    const short = await startSandbox({ port: 0, githubOidc: { tokenSeconds: 1 } });
    try {
      const { value } = await idToken(short);
      await new Promise((r) => setTimeout(r, 2_100));
      const expired = await rejection(
        anonymousSts(short).send(
          new AssumeRoleWithWebIdentityCommand({ RoleArn: CI_ROLE, RoleSessionName: "gha-6", WebIdentityToken: value! }),
        ),
      );
      expect(expired.name).toBe("ExpiredTokenException");
    } finally {
      await short.stop();
    }
    const tooLong = await rejection(
      anonymousSts(sb).send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: CI_ROLE,
          RoleSessionName: "gha-7",
          WebIdentityToken: (await idToken(sb)).value!,
          DurationSeconds: 50_000,
        }),
      ),
    );
    expect(tooLong.name).toBe("ValidationError");
  });
});

describe("sandbox: session tags need sts:TagSession in the trust policy", () => {
  it("tags the session where the trust policy allows sts:TagSession, and is denied naming sts:TagSession where it does not", async () => {
    const tagged = await startSandbox({ port: 0, fixture: demoWith({ tagSession: false, name: "untagged", account: "700000000099" }) });
    try {
      const sts = clients(tagged, tagged.credentials).sts;
      const Tags = [{ Key: "deployer:run-id", Value: "r1" }];
      const ok = await sts.send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: "t1", ExternalId: "shop-deployer-dev", Tags }));
      expect(ok.AssumedRoleUser?.Arn).toContain("assumed-role/deployer/t1");
      const role = "arn:aws:iam::700000000099:role/deployer";
      const denied = await rejection(
        sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: "t2", ExternalId: "shop-deployer-untagged", Tags })),
      );
      expect(denied.name).toBe("AccessDenied");
      expect(denied.message).toBe(
        `User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:TagSession on resource: ${role}`,
      );
      await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: "t3", ExternalId: "shop-deployer-untagged" }));
    } finally {
      await tagged.stop();
    }
  });
});

describe("sandbox: role chaining is capped at one hour", () => {
  it("a role session may not ask for more than 3600 s, even where the role allows 12 hours", async () => {
    const fixture: Fixture = {
      accounts: [
        {
          id: "123456789012",
          users: [
            {
              name: "u",
              accessKeys: [{ id: "AKIACHAIN00000000001", secret: "chain-secret" }],
              inlinePolicies: { p: { Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] } },
            },
          ],
          roles: ["r1", "r2"].map((name) => ({
            name,
            maxSessionDuration: 43_200,
            trustPolicy: {
              Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }],
            },
            inlinePolicies: { p: { Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] } },
          })),
        },
      ],
    };
    const chain = await startSandbox({ port: 0, fixture });
    try {
      const user = clients(chain, chain.credentials).sts;
      const r1 = (
        await user.send(
          new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/r1", RoleSessionName: "s1", DurationSeconds: 7200 }),
        )
      ).Credentials!;
      const asR1 = clients(chain, {
        accessKeyId: r1.AccessKeyId!,
        secretAccessKey: r1.SecretAccessKey!,
        sessionToken: r1.SessionToken!,
      }).sts;
      const err = await rejection(
        asR1.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/r2", RoleSessionName: "s2", DurationSeconds: 7200 })),
      );
      expect(err.name).toBe("ValidationError");
      expect(err.message).toContain("1 hour session limit for roles assumed by role chaining");
      await asR1.send(
        new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/r2", RoleSessionName: "s3", DurationSeconds: 3600 }),
      );
    } finally {
      await chain.stop();
    }
  });
});

describe("sandbox: opt-in regions", () => {
  it("credentials of an account do not work in an opt-in region it has not enabled; the target account's do", async () => {
    const [optIn] = sb.admin.addGeneratedAccounts(1, { region: "ap-southeast-3", firstAccount: 710000000001 });
    const inOptIn = clients(sb, sb.credentials, "ap-southeast-3");
    const err = await rejection(
      inOptIn.sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${optIn}:role/deployer`,
          RoleSessionName: "o1",
          ExternalId: `shop-deployer-gen-${optIn}`,
        }),
      ),
    );
    expect(err.name).toBe("InvalidClientTokenId");
    expect(err.$metadata?.httpStatusCode).toBe(403);
    // From the caller's own region the session works, and it acts in the target's opt-in region.
    const c = (
      await clients(sb, sb.credentials).sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${optIn}:role/deployer`,
          RoleSessionName: "o2",
          ExternalId: `shop-deployer-gen-${optIn}`,
        }),
      )
    ).Credentials!;
    const asTarget = clients(
      sb,
      { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
      "ap-southeast-3",
    );
    const out = await asTarget.ecs.send(new DescribeServicesCommand({ cluster: `shop-gen-${optIn}`, services: ["api"] }));
    expect(out.services?.[0]?.status).toBe("ACTIVE");
  });

  it("AssumeRole in a region the caller enabled but the role's account did not: RegionDisabledException", async () => {
    const base = demoWith({ name: "plain", account: "700000000098" });
    const ci = base.accounts!.find((a) => a.id === "111111111111")!;
    ci.enabledRegions = ["me-south-1"];
    const s = await startSandbox({ port: 0, fixture: base });
    try {
      const err = await rejection(
        clients(s, s.credentials, "me-south-1").sts.send(
          new AssumeRoleCommand({
            RoleArn: "arn:aws:iam::700000000098:role/deployer",
            RoleSessionName: "o3",
            ExternalId: "shop-deployer-plain",
          }),
        ),
      );
      expect(err.name).toBe("RegionDisabledException");
      expect(err.message).toBe(
        "STS is not activated in this region for account:700000000098. Your account administrator can activate STS in this region using the IAM Console.",
      );
    } finally {
      await s.stop();
    }
  });
});

describe("sandbox: temporary credentials nothing refreshes", () => {
  it("work until they expire, then every call gets ExpiredToken", async () => {
    const { expiration, ...keys } = sb.admin.issueTemporaryCredentials({ seconds: 1 });
    expect(Date.parse(expiration) - Date.now()).toBeLessThanOrEqual(1_000);
    const sts = clients(sb, keys).sts;
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::111111111111:user/ci");
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await rejection(sts.send(new GetCallerIdentityCommand({})))).name).toBe("ExpiredToken");
  });
});

/** The demo fixture plus one target account (from the demo's own fixture file). */
function demoWith(target: { name: string; account: string; tagSession?: boolean }): Fixture {
  const demo = parse(readFileSync(DEMO_FIXTURE, "utf8")) as Fixture;
  return {
    ...demo,
    targets: [
      ...(demo.targets ?? []),
      {
        name: target.name,
        account: target.account,
        region: "eu-west-1",
        ...(target.tagSession !== undefined ? { tagSession: target.tagSession } : {}),
      },
    ],
  };
}
