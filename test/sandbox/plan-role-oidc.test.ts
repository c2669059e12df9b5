// The pull-request plan role (issue 18): GitHub OIDC subjects per event/environment, the demo's
// `deployer-plan` role trusting only pull_request tokens of the deploy repository, and reaching
// only the read-only viewer roles.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { githubSubject } from "../../sandbox/github-oidc.js";
import { clients, rejection } from "./clients.js";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, githubOidc: { event: "pull_request", ref: "refs/pull/7/merge" } });
});
afterAll(async () => {
  await sb.stop();
});

async function token(): Promise<string> {
  const res = await fetch(`${sb.githubOidc!.requestUrl}&audience=sts.amazonaws.com`, {
    headers: { authorization: `Bearer ${sb.githubOidc!.requestToken}` },
  });
  return ((await res.json()) as { value: string }).value;
}

const anonymous = () =>
  new STSClient({ endpoint: sb.endpoint, region: "eu-west-1", maxAttempts: 1, credentials: { accessKeyId: "", secretAccessKey: "" } });

async function planSession() {
  const out = await anonymous().send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: "arn:aws:iam::111111111111:role/deployer-plan",
      RoleSessionName: "pr-7",
      WebIdentityToken: await token(),
    }),
  );
  const c = out.Credentials!;
  return clients(sb, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
}

describe("sandbox: GitHub OIDC subjects", () => {
  it("follow GitHub's formats and precedence: environment, then pull_request, then ref; immutable ids", () => {
    expect(githubSubject({})).toBe("repo:acme/shop-deploy:ref:refs/heads/main");
    expect(githubSubject({ event: "pull_request", ref: "refs/pull/7/merge" })).toBe("repo:acme/shop-deploy:pull_request");
    expect(githubSubject({ event: "pull_request", environment: "prod:eu" })).toBe("repo:acme/shop-deploy:environment:prod%3Aeu");
    expect(githubSubject({ ref: "refs/tags/v1", immutableIds: { owner: 123456, repository: 456789 } })).toBe(
      "repo:acme@123456/shop-deploy@456789:ref:refs/tags/v1",
    );
  });
});

describe("sandbox: the pull-request plan role (deployer-plan)", () => {
  it("a pull_request token assumes it; from there only the viewer roles are reachable", async () => {
    const plan = await planSession();
    const viewer = await plan.sts.send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::222222222222:role/deployer-viewer",
        RoleSessionName: "plan",
        ExternalId: "shop-viewer",
      }),
    );
    expect(viewer.AssumedRoleUser?.Arn).toBe("arn:aws:sts::222222222222:assumed-role/deployer-viewer/plan");
    const err = await rejection(
      plan.sts.send(
        new AssumeRoleCommand({
          RoleArn: "arn:aws:iam::222222222222:role/deployer",
          RoleSessionName: "plan",
          ExternalId: "shop-deployer-dev",
        }),
      ),
    );
    expect(err.name).toBe("AccessDenied");
  });

  it("a push token (refs/heads/main) does not assume it, while deployer-ci accepts it", async () => {
    sb.githubOidc!.setJob({ event: "push", ref: "refs/heads/main" });
    try {
      const err = await rejection(
        anonymous().send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: "arn:aws:iam::111111111111:role/deployer-plan",
            RoleSessionName: "main",
            WebIdentityToken: await token(),
          }),
        ),
      );
      expect(err.name).toBe("AccessDenied");
      const ci = await anonymous().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: "arn:aws:iam::111111111111:role/deployer-ci",
          RoleSessionName: "main",
          WebIdentityToken: await token(),
        }),
      );
      expect(ci.SubjectFromWebIdentityToken).toBe("repo:acme/shop-deploy:ref:refs/heads/main");
    } finally {
      sb.githubOidc!.setJob({ event: "pull_request", ref: "refs/pull/7/merge" });
    }
  });
});
