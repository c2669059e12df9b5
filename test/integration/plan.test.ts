// Issue 5 against the local sandbox: plan is read-only, shows per-field diffs, "no change" after a
// rollout, failing checks; the CLI's saved-plan round trip refuses a stale plan; no sensitive value
// reaches any output.
import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startPipeline, type Pipeline } from "../helpers/pipeline.js";
import { projectRoot } from "../fixtures/config/repo.js";
import { formatPlanText } from "../../src/report/plan-text.js";
import { formatPlanMarkdown } from "../../src/report/plan-markdown.js";
import { planToJsonText } from "../../src/report/plan-json.js";

const run = promisify(execFile);
const NEW_TAG = "8d1e4b7";
const SENTRY = "https://0f1e2d3c4b5a@o1.ingest.sentry.example/42"; // marked sensitive in environments/_defaults.yaml

let p: Pipeline | undefined;
afterEach(async () => {
  await p?.stop();
  p = undefined;
});

async function cli(p: Pipeline, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ENDPOINT_URL: p.sandbox.endpoint,
    AWS_ACCESS_KEY_ID: p.sandbox.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: p.sandbox.credentials.secretAccessKey,
    AWS_REGION: "eu-west-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    DEPLOYER_POLL_INTERVAL_MS: "50",
    NO_COLOR: "1",
  };
  try {
    const r = await run(process.execPath, [path.join(projectRoot, "bin/deployer.js"), ...args], { cwd: p.repo.dir, env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe("plan against the sandbox", () => {
  it("shows the image change for every target of every stage and writes nothing", async () => {
    p = await startPipeline();
    const { plan, run: r } = await p.plan({ all: true }, NEW_TAG);
    await r.sessions.close();
    expect(plan.targets.map((t) => t.target.name)).toEqual(["dev", "staging", "prod-eu", "prod-us"]);
    for (const t of plan.targets) {
      expect(t.action).toBe("update");
      expect(t.diff.find((c) => c.path === "containers[app].image")?.kind).toBe("changed");
    }
    const writes = p.sandbox.admin.log().filter((e) => /^(Register|Update|Tag|Untag|Deregister|Create|Delete)/.test(e.action));
    expect(writes).toEqual([]);
  });

  it("is 'no change' right after a rollout of the same image, and a cpu change is a one-field diff", async () => {
    p = await startPipeline();
    await p.rollout({ stages: ["dev"] }, NEW_TAG);
    const same = await p.plan({ stages: ["dev"] }, NEW_TAG);
    await same.run.sessions.close();
    expect(same.plan.targets[0]!.action).toBe("noop");
    expect(same.plan.targets[0]!.diff).toEqual([]);

    p.repo.write("environments/dev.yaml", p.repo.read("environments/dev.yaml") + "  cpu: 512\n  memory: 1024\n");
    const changed = await p.plan({ stages: ["dev"] }, NEW_TAG);
    await changed.run.sessions.close();
    expect(changed.plan.targets[0]!.diff).toEqual([
      { path: "cpu", kind: "changed", before: "256", after: "512" },
      { path: "memory", kind: "changed", before: "512", after: "1024" },
    ]);
  });

  it("never shows a sensitive value in text, JSON or Markdown", async () => {
    p = await startPipeline();
    const { plan, run: r } = await p.plan({ all: true }, NEW_TAG);
    await r.sessions.close();
    const outputs = [
      formatPlanText(plan, { color: false }),
      formatPlanText(plan, { color: true }),
      planToJsonText(plan),
      formatPlanMarkdown(plan),
    ];
    for (const out of outputs) {
      expect(out).not.toContain(SENTRY);
      expect(out).not.toContain("0f1e2d3c4b5a");
    }
    expect(outputs[0]).toContain("SENTRY_DSN");
    expect(outputs[0]).toContain("(sensitive)");
  });

  it("CLI: --save then rollout --plan applies it; a plan made stale by a later change is refused", async () => {
    p = await startPipeline();
    const saved = await cli(p, ["plan", "--image", NEW_TAG, "--stage", "dev", "--out-plan", "dev.plan.json", "--detailed-exitcode"]);
    // Nothing but the read/check phase's line (not a terminal): no error, no warning.
    expect(saved.stderr).toMatch(/^\S+Z plan: reading the configuration and AWS state for image \S+…\n$/);
    expect(saved.code).toBe(2);
    const file = readFileSync(path.join(p.repo.dir, "dev.plan.json"), "utf8");
    expect(file).not.toContain(SENTRY);
    expect(JSON.parse(file).targets[0].target.name).toBe("dev");

    const applied = await cli(p, ["rollout", "--plan", "dev.plan.json"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("deployed");
    expect(applied.stdout).not.toContain(SENTRY);

    // The same saved plan again: the service moved on (it runs the new revision now) → stale.
    const stale = await cli(p, ["rollout", "--plan", "dev.plan.json"]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("PLAN_STALE");
    expect(p.sandbox.admin.log({ account: "222222222222", action: "RegisterTaskDefinition" })).toHaveLength(1);

    // A config change after planning also makes the plan stale.
    await cli(p, ["plan", "--image", "c0ffee1", "--stage", "dev", "--out-plan", "next.plan.json"]);
    p.repo.edit("environments/dev.yaml", "logLevel: debug", "logLevel: trace");
    const moved = await cli(p, ["rollout", "--plan", "next.plan.json"]);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain("PLAN_STALE");
  });

  it("CLI: the broken target's failed checks, as Markdown for a pull request", async () => {
    p = await startPipeline();
    p.brokenConfig();
    const md = await cli(p, ["plan", "--config", "examples/broken/deployer.yaml", "--image", NEW_TAG, "-o", "markdown"]);
    expect(md.code).toBe(1);
    expect(md.stdout.split("\n")[0]).toContain("<!-- deployer-plan:shop-api -->");
    expect(md.stdout).toContain("iam:PassRole");
    expect(md.stdout).toContain("ecs-tasks.amazonaws.com");
    expect(md.stdout).not.toContain(SENTRY);
  });
});
