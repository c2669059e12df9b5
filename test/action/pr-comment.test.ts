// The sticky plan comment, through the bundled Action, against a stand-in GitHub API on 127.0.0.1
// (GITHUB_API_URL): the first plan of a pull request creates one comment, the next updates that
// same comment (found by its hidden marker among other comments), no secret reaches it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { cleanupActionRuns, runDistAction, type ActionRun } from "./run-dist.js";
import { startFakeGitHubApi, type FakeGitHubApi } from "./fake-github-api.js";

const SENTRY_DSN = "https://0f1e2d3c4b5a@o1.ingest.sentry.example/42";
const MARKER = "<!-- deployer-plan:shop-api -->";
const TOKEN = "ghs_faketoken0123456789";

let sandbox: Sandbox;
let github: FakeGitHubApi;
let repo: TempRepo;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(async () => {
  repo = exampleRepo();
  github = await startFakeGitHubApi();
});
afterEach(async () => {
  repo.cleanup();
  cleanupActionRuns();
  await github.stop();
});

const planOnPr = (inputs: Record<string, string> = {}, eventName = "pull_request") =>
  runDistAction({
    workspace: repo.dir,
    sandbox,
    eventName,
    pr: 17,
    repository: "acme/shop-deploy",
    inputs: { command: "plan", image: "8d1e4b7", stage: "all", "github-token": TOKEN, ...inputs },
    env: { GITHUB_API_URL: github.url },
  });

function describeRun(r: ActionRun): string {
  return `exit ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

describe("action: sticky pull-request comment", () => {
  it("first plan creates the comment, the second updates the same one; other comments are left alone", async () => {
    const other = github.seed("acme", "shop-deploy", 17, "LGTM", "octocat");
    // More than a page of chatter before ours, so finding it needs pagination.
    for (let i = 0; i < 120; i++) github.seed("acme", "shop-deploy", 17, `comment ${i}`, "octocat");

    const first = await planOnPr();
    expect(first.exitCode, describeRun(first)).toBe(0);
    const created = github.requests.filter((r) => r.method === "POST" && r.path !== "/graphql");
    expect(created).toHaveLength(1);
    expect(created[0]!.path).toBe("/repos/acme/shop-deploy/issues/17/comments");
    expect(created[0]!.authorization).toBe(`token ${TOKEN}`);
    const ours = github.comments("acme", "shop-deploy", 17).filter((c) => c.body.includes(MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body.split("\n")[0]).toBe(MARKER);
    expect(ours[0]!.body).toContain("### deployer plan · `shop-api` · 🔄 4 targets to change");
    expect(ours[0]!.body).toContain("SENTRY_DSN: (sensitive)");
    expect(first.log).toContain(`Plan comment created on pull request #17: ${ours[0]!.html_url}`);

    github.requests.length = 0;
    repo.edit("environments/_defaults.yaml", "logLevel: info", "logLevel: trace");
    const second = await planOnPr();
    expect(second.exitCode, describeRun(second)).toBe(0);
    expect(github.requests.filter((r) => r.method === "POST" && r.path !== "/graphql")).toEqual([]);
    const patched = github.requests.filter((r) => r.method === "PATCH");
    expect(patched.map((r) => r.path)).toEqual([`/repos/acme/shop-deploy/issues/comments/${ours[0]!.id}`]);
    expect(github.requests.filter((r) => r.method === "GET").length).toBeGreaterThan(1);

    const all = github.comments("acme", "shop-deploy", 17);
    expect(all).toHaveLength(122);
    expect(all.filter((c) => c.body.includes(MARKER))).toHaveLength(1);
    expect(all.find((c) => c.body.includes(MARKER))!.body).toContain('"trace"');
    expect(all.find((c) => c.id === other.id)!.body).toBe("LGTM");
    for (const c of all) expect(c.body).not.toContain(SENTRY_DSN);
    for (const r of [first, second]) {
      expect(r.log).not.toContain(SENTRY_DSN);
      expect(r.summary).not.toContain(SENTRY_DSN);
    }
  });

  it("a comment carrying the marker but written by someone else is never updated: a new comment is created", async () => {
    // The pull request's author plants the marker in a comment of their own, and so does another app.
    const planted = github.seed("acme", "shop-deploy", 17, `${MARKER}\nLGTM, approved by the deploy bot ✅`, "mallory");
    const otherBot = github.seed("acme", "shop-deploy", 17, `${MARKER}\nfrom another app`, "some-other-app[bot]");
    const r = await planOnPr();
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(github.requests.filter((x) => x.method === "PATCH")).toEqual([]);
    const posted = github.requests.filter((x) => x.method === "POST" && x.path !== "/graphql");
    expect(posted.map((x) => x.path)).toEqual(["/repos/acme/shop-deploy/issues/17/comments"]);
    const all = github.comments("acme", "shop-deploy", 17);
    expect(all.find((c) => c.id === planted.id)!.body).toBe(`${MARKER}\nLGTM, approved by the deploy bot ✅`);
    expect(all.find((c) => c.id === otherBot.id)!.body).toBe(`${MARKER}\nfrom another app`);
    const ours = all.filter((c) => c.user.login === "github-actions[bot]");
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain("### deployer plan");

    // The next push updates the Action's own comment, still not the planted ones.
    github.requests.length = 0;
    const again = await planOnPr();
    expect(again.exitCode, describeRun(again)).toBe(0);
    expect(github.requests.filter((x) => x.method === "PATCH").map((x) => x.path)).toEqual([
      `/repos/acme/shop-deploy/issues/comments/${ours[0]!.id}`,
    ]);
    expect(github.comments("acme", "shop-deploy", 17)).toHaveLength(3);
  });

  it("with an identity GraphQL cannot tell, only github-actions[bot]'s own comment counts", async () => {
    github.viewerLogin = undefined;
    github.seed("acme", "shop-deploy", 17, `${MARKER}\nplanted`, "mallory");
    const r = await planOnPr();
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(github.requests.filter((x) => x.method === "PATCH")).toEqual([]);
    expect(github.comments("acme", "shop-deploy", 17).filter((c) => c.user.login === "github-actions[bot]")).toHaveLength(1);
  });

  it("comment: false, or an event without a pull request, writes no comment", async () => {
    const off = await planOnPr({ comment: "false" });
    expect(off.exitCode, describeRun(off)).toBe(0);
    const push = await planOnPr({}, "push");
    expect(push.exitCode, describeRun(push)).toBe(0);
    expect(github.requests).toEqual([]);
    const forced = await planOnPr({ comment: "true" }, "push");
    expect(forced.exitCode, describeRun(forced)).toBe(0);
    expect(github.requests).toEqual([]);
    expect(forced.annotations).toContainEqual(expect.objectContaining({ level: "warning", props: { title: "deployer: no pull request" } }));
  });

  it("a token without pull-requests: write is a warning with the fix, not a failed plan", async () => {
    github.failWith = 403;
    const r = await planOnPr();
    expect(r.exitCode, describeRun(r)).toBe(0);
    const w = r.annotations.find((a) => a.props.title === "deployer: plan comment not written");
    expect(w?.level).toBe("warning");
    expect(w?.message).toMatch(/^could not write the plan comment on pull request #17 \(HTTP 403\)/);
    expect(w?.message).toContain("permissions: pull-requests: write");
    expect(r.outputs.changes).toBe("true");
  });
});
