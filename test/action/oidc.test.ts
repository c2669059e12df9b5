// The Action's own base credentials from GitHub OIDC (`role-to-assume`), against the sandbox and its
// GitHub OIDC token stand-in on 127.0.0.1: no AWS keys in the job's environment at all. Sessions
// live 2 s here (the sandbox caps every STS session), so a wait of several seconds outlives many base
// sessions: each is replaced by exchanging a NEW ID token (AssumeRoleWithWebIdentity again).
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { cleanupActionRuns, describeRun, runDistAction } from "./run-dist.js";

const CI_ROLE = "arn:aws:iam::111111111111:role/deployer-ci";
const SESSION_SECONDS = 2;

let sb: Sandbox;
let repo: TempRepo;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, deploymentSeconds: 9, maxSessionSeconds: SESSION_SECONDS, githubOidc: { tokenSeconds: 300 } });
});
afterAll(async () => {
  await sb?.stop();
});
beforeEach(() => {
  repo = exampleRepo();
});
afterEach(() => {
  repo.cleanup();
  cleanupActionRuns();
});

/** The job's environment: the OIDC request variables, and no AWS keys. */
function oidcJob(s: Sandbox): Record<string, string | undefined> {
  return {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    ACTIONS_ID_TOKEN_REQUEST_URL: s.githubOidc!.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: s.githubOidc!.requestToken,
  };
}

describe("action: role-to-assume (GitHub OIDC)", () => {
  it("a rollout whose wait outlives three base sessions completes; the web identity was re-exchanged with fresh tokens", async () => {
    sb.admin.clearLog();
    const issuedBefore = sb.githubOidc!.issued();
    const r = await runDistAction({
      workspace: repo.dir,
      sandbox: sb,
      inputs: {
        command: "rollout",
        image: "8d1e4b7",
        stage: "dev",
        timeout: "2m",
        "role-to-assume": CI_ROLE,
        "role-duration-seconds": "900",
      },
      env: oidcJob(sb),
    });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const report = JSON.parse(readFileSync(r.outputs["report-json"]!, "utf8")) as { targets: Array<{ outcome: string }> };
    expect(report.targets.map((t) => t.outcome)).toEqual(["deployed"]);

    const exchanges = sb.admin.log({ action: "AssumeRoleWithWebIdentity" });
    expect(
      exchanges.every((e) => e.status === 200 && e.account === "111111111111"),
      JSON.stringify(exchanges),
    ).toBe(true);
    // Every AWS call was made as the CI role's sessions (or deploy roles assumed from them), never as a user.
    expect(
      sb.admin
        .log({ service: "sts", action: "AssumeRole" })
        .every((e) => e.principal.startsWith("arn:aws:sts::111111111111:assumed-role/deployer-ci/")),
    ).toBe(true);
    // The wait outlived at least three base sessions...
    const polls = sb.admin.log({ account: "222222222222", action: "DescribeServices" });
    const waitedMs = Date.parse(polls.at(-1)!.time) - Date.parse(exchanges[0]!.time);
    expect(waitedMs).toBeGreaterThan(3 * SESSION_SECONDS * 1000);
    // ...so the job's token was exchanged again and again, each time a new one from the issuer.
    expect(exchanges.length).toBeGreaterThanOrEqual(4);
    expect(sb.githubOidc!.issued() - issuedBefore).toBe(exchanges.length);
    // The tokens were registered as secrets with the runner (@actions/core getIDToken masks them).
    expect(r.masks.filter((m) => m.split(".").length === 3).length).toBe(exchanges.length);
  }, 90_000);

  it("without `permissions: id-token: write` (no token request URL): the step fails before any AWS call, naming the permission", async () => {
    sb.admin.clearLog();
    const r = await runDistAction({
      workspace: repo.dir,
      sandbox: sb,
      inputs: { command: "plan", image: "8d1e4b7", stage: "dev", "role-to-assume": CI_ROLE },
      env: { ...oidcJob(sb), ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
    });
    expect(r.exitCode, describeRun(r)).toBe(1);
    const error = r.annotations.find((a) => a.level === "error")!;
    expect(error.props.title).toBe("INVALID_ARGUMENT");
    expect(error.message).toContain("role-to-assume");
    expect(error.message).toContain("id-token: write");
    expect(sb.admin.log()).toEqual([]);
  });

  it("a role whose trust policy does not accept the token: ASSUME_ROLE_DENIED explaining the trust policy's conditions", async () => {
    const r = await runDistAction({
      workspace: repo.dir,
      sandbox: sb,
      inputs: { command: "plan", image: "8d1e4b7", stage: "dev", "role-to-assume": "arn:aws:iam::111111111111:role/nope" },
      env: oidcJob(sb),
    });
    expect(r.exitCode, describeRun(r)).toBe(1);
    const error = r.annotations.find((a) => a.level === "error")!;
    expect(error.props.title).toBe("ASSUME_ROLE_DENIED");
    expect(error.message).toContain("token.actions.githubusercontent.com:sub");
  });
});
