// `command: plan` through the bundled Action (node dist/index.js) against the sandbox: outputs,
// files, the job summary, one log group per target, annotations, and no sensitive value anywhere.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeRun, runDistAction, useActionFixture, type ActionRun } from "./run-dist.js";

const SENTRY_DSN = "https://0f1e2d3c4b5a@o1.ingest.sentry.example/42";

const fx = useActionFixture();

function expectNoSecret(r: ActionRun, ...texts: string[]): void {
  for (const t of [r.log, r.stderr, r.summary, ...Object.values(r.outputs), ...texts]) expect(t).not.toContain(SENTRY_DSN);
}

describe("action: plan", () => {
  it("plans every stage: changes output, plan files, summary, one group per target, the secret masked", async () => {
    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "plan", image: "8d1e4b7", stage: "all" },
    });
    expect(r.exitCode, describeRun(r)).toBe(0);

    expect(r.masks).toContain(SENTRY_DSN);
    const maskAt = r.stdout.indexOf(`::add-mask::${SENTRY_DSN}`);
    expect(maskAt).toBeGreaterThanOrEqual(0);
    expect(maskAt).toBeLessThan(r.stdout.indexOf("::group::"));

    expect(r.outputs.changes).toBe("true");
    const plan = JSON.parse(readFileSync(r.outputs["plan-json"]!, "utf8"));
    expect(plan.service).toBe("shop-api");
    expect(plan.targets.map((t: { target: { name: string }; action: string }) => `${t.target.name}:${t.action}`)).toEqual([
      "dev:update",
      "staging:update",
      "prod-eu:update",
      "prod-us:update",
    ]);
    const markdown = readFileSync(r.outputs["plan-markdown"]!, "utf8");
    expect(markdown.split("\n")[0]).toBe("<!-- deployer-plan:shop-api -->");

    // One group per target, titled with its number of changes, holding its diff and checks.
    expect(r.groups).toEqual(
      plan.targets.map((t: { target: { name: string }; diff: unknown[] }) => `${t.target.name} · 🔄 ${t.diff.length} changes`),
    );
    const dev = /::group::dev · [^\n]*\n([\s\S]*?)::endgroup::/.exec(r.log)?.[1] ?? "";
    expect(dev).toContain("containers[app].environment.SENTRY_DSN: (sensitive)");
    // The example's targets have a viewRole: plan reads as it, and never assumes the deploy role (issue 18).
    expect(dev).toMatch(/^\s+\[OK\] viewer role can be assumed/m);
    // The deploy role's trust is still checked, read as the viewer: the deploy role itself is not assumed.
    expect(dev).toMatch(/^\s+\[OK\] deploy role can be assumed — .*read as the viewer role: this run does not assume/m);
    expect(dev).not.toMatch(/assumed arn:aws:iam::\d+:role\/deployer as/);
    expect(dev).not.toContain("staging");

    expect(r.summary).toContain("<!-- deployer-plan:shop-api -->");
    expect(r.summary).toContain("### deployer plan · `shop-api` · 🔄 4 targets to change");
    expect(r.summary).toMatch(/\| \*\*prod-us\*\* \| prod \| 555555555555 \| us-east-1 \|/);
    expect(r.annotations.filter((a) => a.level === "error")).toEqual([]);
    expectNoSecret(r, readFileSync(r.outputs["plan-json"]!, "utf8"), markdown);
  });

  it("no stage input plans the first stage only, as the CLI does; environments narrow by name", async () => {
    const first = await runDistAction({ workspace: fx.repo.dir, sandbox: fx.sandbox, inputs: { command: "plan", image: "3f2a9c1" } });
    expect(first.exitCode, describeRun(first)).toBe(0);
    expect(first.groups.map((g) => g.split(" ")[0])).toEqual(["dev"]);
    expect(first.outputs.changes).toBe("true");
    const named = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "plan", image: "3f2a9c1", stage: "all", environments: "prod-us,\nstaging" },
    });
    expect(named.exitCode, describeRun(named)).toBe(0);
    expect(named.groups.map((g) => g.split(" ")[0])).toEqual(["staging", "prod-us"]);
    expect(named.outputs.changes).toBe("true");
  });

  it("nothing to change: after a rollout, planning the same image says changes=false", async () => {
    const rollout = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", image: "c0ffee1", stage: "dev" },
    });
    expect(rollout.exitCode, describeRun(rollout)).toBe(0);
    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "plan", image: "c0ffee1", stage: "dev" },
    });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const plan = JSON.parse(readFileSync(r.outputs["plan-json"]!, "utf8"));
    expect(plan.targets.map((t: { target: { name: string }; action: string }) => `${t.target.name}:${t.action}`)).toEqual(["dev:noop"]);
    expect(r.outputs.changes).toBe("false");
  });

  it("a broken environment file: an error annotation at its file and line, the step fails, the summary lists it", async () => {
    fx.repo.edit("environments/prod-eu.yaml", 'account: "444444444444"', "account: 012345678901");
    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "plan", image: "8d1e4b7", stage: "all" },
    });
    expect(r.exitCode, describeRun(r)).toBe(1);
    const configErrors = r.annotations.filter((a) => a.props.title?.startsWith("CONFIG_INVALID"));
    expect(configErrors).toEqual([
      expect.objectContaining({
        level: "error",
        props: { title: "CONFIG_INVALID (prod-eu)", file: "environments/prod-eu.yaml", line: "2", col: "10" },
      }),
    ]);
    expect(configErrors[0]!.message).toMatch(/^account: expected a 12-digit AWS account id/);
    expect(configErrors[0]!.message).toMatch(/\nHint: /);
    // setFailed: the one-line reason, last.
    expect(r.annotations.at(-1)).toEqual({
      level: "error",
      props: {},
      message: expect.stringMatching(/^CONFIG_INVALID environments\/prod-eu\.yaml:2:10 account: expected/),
    });
    expect(r.summary).toContain("### ❌ deployer plan failed");
    expect(r.summary).toContain("at `environments/prod-eu.yaml:2:10`");
    expect(r.outputs).toEqual({});
  });

  it("a config in a subdirectory (working-directory): annotation paths stay relative to the checkout", async () => {
    const { mkdirSync, renameSync } = await import("node:fs");
    mkdirSync(fx.repo.file("deploy"));
    for (const entry of ["deployer.yaml", "environments", "templates"]) renameSync(fx.repo.file(entry), fx.repo.file(`deploy/${entry}`));
    fx.repo.edit("deploy/environments/dev.yaml", "cluster: shop-dev", "cluster: shop-dev\nbogusField: 1");
    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "plan", image: "8d1e4b7", "working-directory": "deploy" },
    });
    expect(r.exitCode, describeRun(r)).toBe(1);
    const a = r.annotations.find((x) => x.props.title?.startsWith("CONFIG_INVALID"));
    expect(a?.props.file).toBe("deploy/environments/dev.yaml");
    expect(a?.props.line).toBe(String(fx.repo.lineOf("deploy/environments/dev.yaml", "bogusField")));
  });

  it("failing preflight checks: annotations on the environment file, the step fails, the summary shows the checks", async () => {
    const { cpSync } = await import("node:fs");
    cpSync(fx.repo.file("templates"), fx.repo.file("examples-root/templates"), { recursive: true });
    cpSync(new URL("../../examples/broken", import.meta.url), fx.repo.file("examples-root/examples/broken"), { recursive: true });
    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "plan", image: "8d1e4b7", config: "examples-root/examples/broken/deployer.yaml" },
    });
    expect(r.exitCode, describeRun(r)).toBe(1);
    const errors = r.annotations.filter((a) => a.level === "error" && a.props.file);
    expect(errors.length).toBeGreaterThan(0);
    for (const a of errors) {
      expect(a.props.file).toBe("examples-root/examples/broken/environments/broken.yaml");
      expect(a.props.title).toMatch(/^broken: /);
    }
    expect(r.annotations.at(-1)?.message).toMatch(/^preflight failed for 1 target \(broken\)/);
    expect(r.summary).toContain("#### ❌ Failing checks");
    // A blocked target is not going to change: nothing would be deployed.
    expect(r.outputs.changes).toBe("false");
    expect(r.groups).toEqual(["broken · ⛔ blocked (preflight failed)"]);
  });

  it("invalid inputs: one annotation per input, nothing called", async () => {
    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "deploy", timeout: "soon", comment: "maybe" },
    });
    expect(r.exitCode).toBe(1);
    const byInput = r.annotations.filter((a) => a.props.title === "INVALID_ARGUMENT").map((a) => a.message.split("\n")[0]);
    expect(byInput).toEqual([
      'input `command`: "deploy" is not a command',
      'input `comment`: "maybe" is not true, false or auto',
      'input `timeout`: "soon" is not a duration',
    ]);
    expect(r.summary).toContain("3 errors");
  });
});
