// Issue 17: every output knows services. With several services, status, drift, plan and the run report
// show which service a row is (a SERVICE column, grouped by environment: the environment once, a row
// per service under it) and fit the terminal; a one-service project looks as before. JSON outputs
// carry env and serviceKey per row, one-off tasks and per-service images, and validate against schemas/.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { beforeEach, describe, expect, it } from "vitest";
import type { Project } from "../../../src/config/types.js";
import type { RunReport, TargetResult } from "../../../src/apply/types.js";
import type { Plan } from "../../../src/plan/types.js";
import { fleetStatus } from "../../../src/fleet/status.js";
import { detectDrift } from "../../../src/fleet/drift.js";
import { formatStatusText } from "../../../src/report/status-text.js";
import { formatStatusMarkdown } from "../../../src/report/status-markdown.js";
import { statusToJsonText } from "../../../src/report/status-json.js";
import { formatDriftText } from "../../../src/report/drift-text.js";
import { formatDriftMarkdown } from "../../../src/report/drift-markdown.js";
import { driftToJsonText } from "../../../src/report/drift-json.js";
import { buildPlan, targetSummary } from "../../../src/plan/build.js";
import { formatPlanText } from "../../../src/report/plan-text.js";
import { formatPlanMarkdown } from "../../../src/report/plan-markdown.js";
import { planToJsonText } from "../../../src/report/plan-json.js";
import { formatRunReportText } from "../../../src/report/run-text.js";
import { formatRunReportMarkdown } from "../../../src/report/run-markdown.js";
import { runReportToJsonText } from "../../../src/report/run-json.js";
import { DIGEST_B, ROOT, desired, image, makeTarget, modelledDescription, observed, planInput } from "../../helpers/factories.js";
import { DIGEST_A, FakeFleet, loadExample, twoServiceProject, WORKER_REPO } from "../fleet/fleet-fakes.js";

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addKeyword({ keyword: "x-hint", schemaType: "string" });
for (const f of readdirSync(path.join(ROOT, "schemas")))
  ajv.addSchema(JSON.parse(readFileSync(path.join(ROOT, "schemas", f), "utf8")) as object, f);
function expectValid(name: string, text: string): Record<string, unknown> {
  const value = JSON.parse(text) as Record<string, unknown>;
  const validate: ValidateFunction = ajv.getSchema(`${name}.schema.json`)!;
  expect(validate(value), ajv.errorsText(validate.errors, { separator: "\n" })).toBe(true);
  return value;
}

const now = () => new Date("2025-03-01T12:00:00.000Z");
const longest = (text: string) => Math.max(...text.split("\n").map((l) => Array.from(l).length));

let project: Project;
let fleet: FakeFleet;
beforeEach(async () => {
  project = twoServiceProject(await loadExample());
  fleet = new FakeFleet(project);
  // dev runs api@B and worker@A; staging api@A and worker@A; prod A everywhere.
  for (const t of project.targets) fleet.runs(t.name, t.name === "dev/api" ? DIGEST_B : DIGEST_A);
});

describe("status with several services", () => {
  it("a SERVICE column; the environment shown once, a row per service under it; readiness per service", async () => {
    const status = await fleetStatus(fleet.run(), { now });
    const lines = formatStatusText(status, { color: false }).split("\n");
    expect(lines[2]).toMatch(/^ENV\s+SERVICE\s+STAGE\s+ACCOUNT/);
    const dev = lines.findIndex((l) => l.startsWith("dev "));
    expect(lines[dev]).toMatch(/^dev\s+api\s+dev\s+\d{12}/);
    expect(lines[dev + 1]).toMatch(/^\s+worker\s{2,}\S/);
    expect(lines[dev + 1]).not.toMatch(/\d{12}/);
    // staging's api is behind dev's api (B); its worker runs what dev's worker runs (A).
    const staging = lines.findIndex((l) => l.startsWith("staging "));
    expect(lines[staging]).toMatch(/^staging\s+api\s.*← dev sha256:9b2c1f0e8d7a$/);
    expect(lines[staging + 1]).toMatch(/^\s+worker\s.*= dev$/);
    expect(status.rows.find((r) => r.target.name === "staging/worker")!.promotion).toMatchObject({ state: "in-sync", digest: DIGEST_A });
  });

  it("fits 80 and 120 columns, keeping ENV, SERVICE, IMAGE, ROLLOUT and PROMOTION", async () => {
    const status = await fleetStatus(fleet.run(), { now });
    for (const width of [80, 120]) {
      const text = formatStatusText(status, { color: false, width });
      expect(longest(text), text).toBeLessThanOrEqual(width);
      const header = text.split("\n")[2]!;
      for (const col of ["ENV", "SERVICE", "IMAGE", "ROLLOUT", "PROMOTION"]) expect(header).toContain(col);
      expect(text).toMatch(/^\s+worker\s/m);
    }
  });

  it("Markdown: Service column, environment once per group; JSON: env and serviceKey per row, valid", async () => {
    const status = await fleetStatus(fleet.run(), { now });
    const md = formatStatusMarkdown(status).split("\n");
    expect(md.find((l) => l.startsWith("| ENV |"))).toMatch(/^\| ENV \| SERVICE \| STAGE \|/);
    const dev = md.findIndex((l) => l.startsWith("| dev |"));
    expect(md[dev]).toMatch(/^\| dev \| api \| dev \|/);
    expect(md[dev + 1]).toMatch(/^\| {2}\| worker \| {2}\|/);
    const json = expectValid("status", statusToJsonText(status));
    expect(
      (json.rows as Array<{ target: Record<string, string> }>).map((r) => [r.target.name, r.target.env, r.target.serviceKey]).slice(0, 2),
    ).toEqual([
      ["dev/api", "dev", "api"],
      ["dev/worker", "dev", "worker"],
    ]);
  });

  it("a --service selection reads only that service's units of the stage before (its promotion source)", async () => {
    const status = await fleetStatus(fleet.run(["staging/worker"]), { now });
    expect(status.rows.map((r) => [r.target.name, r.promotion.state])).toEqual([["staging/worker", "in-sync"]]);
    const described = fleet.world.calls.filter((c) => c.method === "describeServices").flatMap((c) => c.args[1] as string[]);
    expect(described.sort()).toEqual(["worker-dev", "worker-staging"]);
  });

  it("a one-service project has no SERVICE column", async () => {
    const one = await loadExample();
    const f = new FakeFleet(one);
    for (const t of one.targets) f.runs(t.name, DIGEST_A);
    const status = await fleetStatus(f.run(), { now });
    expect(formatStatusText(status, { color: false })).not.toMatch(/ SERVICE /);
    expect(formatStatusText(status, { color: false }).split("\n")[2]).toMatch(/^TARGET\s+STAGE/);
    expect(formatStatusMarkdown(status)).not.toContain("| SERVICE |");
  });
});

describe("drift with several services", () => {
  it("grouped by environment; a stage is compared per service (an api and a worker differ by design)", async () => {
    const report = await detectDrift(fleet.run(), { now });
    expect(report.stages.filter((s) => s.stage === "prod").map((s) => [s.serviceKey, s.compared])).toEqual([
      ["api", ["prod-eu/api", "prod-us/api"]],
      ["worker", ["prod-eu/worker", "prod-us/worker"]],
    ]);
    expect(report.summary.inconsistentStages).toBe(0);
    const text = formatDriftText(report, { color: false }).split("\n");
    const dev = text.findIndex((l) => l.startsWith("dev "));
    expect(text[dev + 1]).toMatch(/^ {2}= api {2}shop-dev\/api$/);
    expect(text.slice(dev + 1).find((l) => /^ {2}= worker/.test(l))).toMatch(/^ {2}= worker {2}shop-dev\/worker-dev$/);
    const md = formatDriftMarkdown(report);
    expect(md).toContain("| Env | Service | Stage | Account | Region | Runs | Drift |");
    expect(md).toMatch(/^\| {2}\| worker \| {2}\| {2}\| {2}\|/m);
    const json = expectValid("drift", driftToJsonText(report));
    expect((json.stages as Array<{ serviceKey?: string }>)[0]!.serviceKey).toBe("api");
  });

  it("a hand edit of one prod worker shows against the other prod worker, not against an api", async () => {
    fleet.edit("prod-us/worker", (raw) => {
      raw.cpu = "2048";
    });
    const report = await detectDrift(fleet.run(), { now });
    const prod = report.stages.filter((s) => s.stage === "prod" && s.differences.length > 0);
    expect(prod.map((s) => [s.serviceKey, s.reference, s.differences.map((d) => d.target)])).toEqual([
      ["worker", "prod-eu/worker", ["prod-us/worker"]],
    ]);
    expect(formatDriftText(report, { color: false })).toContain("differs from prod-eu/worker in stage prod (service worker):");
  });
});

function twoServicePlan(withTaskStep = true): Plan {
  const live = modelledDescription("task-definition.shop-api-dev.json").taskDefinition;
  const api = makeTarget({ name: "dev/api", env: "dev", serviceKey: "api" });
  const worker = makeTarget({ name: "dev/worker", env: "dev", serviceKey: "worker", service: "worker-dev" });
  const stagingApi = makeTarget({ name: "staging/api", env: "staging", serviceKey: "api", stage: "staging", account: "333333333333" });
  const apiDesired = desired(stagingApi);
  const plan = buildPlan(
    planInput(
      [
        { desired: desired(api, image(DIGEST_B)), observed: observed(api, live) },
        { desired: desired(worker, image(DIGEST_B)), observed: observed(worker, live) },
        { desired: apiDesired, observed: observed(stagingApi, apiDesired.taskDefinition) },
      ],
      {},
      image(DIGEST_B),
    ),
  );
  plan.service = "shop";
  plan.images = { api: image(DIGEST_B), worker: { repository: WORKER_REPO, tag: "8d1e4b7", digest: DIGEST_A } };
  // The one-off task step (issue 17): shown under its service.
  if (withTaskStep)
    plan.targets[0]!.steps.unshift({
      kind: "run-task",
      name: "migrate",
      container: "app",
      command: ["bin/migrate"],
      timeoutSeconds: 600,
    } as never);
  return plan;
}

describe("plan with several services", () => {
  it("text: each service's image in the header; grouped by environment, one block per service", () => {
    const lines = formatPlanText(twoServicePlan(), { color: false }).split("\n");
    expect(lines[0]).toBe("Plan for shop");
    expect(lines[1]).toMatch(/^ {2}image api {5}.*shop\/api:9c1e4b7 → sha256:9b2c1f0e8d7a/);
    expect(lines[2]).toBe(`  image worker  ${WORKER_REPO}:8d1e4b7 → ${DIGEST_A}`);
    const dev = lines.findIndex((l) => l.startsWith("dev "));
    expect(lines[dev]).toMatch(/^dev {2}dev · 222222222222 · eu-west-1 · /);
    expect(lines[dev + 1]).toMatch(/^ {2}~ api {2}shop-dev\/api$/);
    expect(lines.find((l) => l.includes("steps:"))).toMatch(/^ {4}steps: run task migrate \(bin\/migrate in app; up to 10m\) → register/);
    expect(lines.some((l) => /^ {2}~ worker {2}\S+\/worker-dev$/.test(l))).toBe(true);
    expect(lines.some((l) => /^staging {2}staging · 333333333333/.test(l))).toBe(true);
  });

  it("Markdown (the PR comment): images per service, a Service column, the environment once", () => {
    const md = formatPlanMarkdown(twoServicePlan());
    expect(md).toContain("**Images**\n\n- `api` `111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api:9c1e4b7` → `sha256:9b2c1f0e8d7a`");
    expect(md).toContain("| Target | Service | Stage | Account | Region | Change | Checks |");
    expect(md).toMatch(/^\| \*\*dev\*\* \| api \| dev \| 222222222222 \| eu-west-1 \|/m);
    expect(md).toMatch(/^\| {2}\| worker \| {2}\| {2}\| {2}\| \*\*/m);
    expect(md).toContain("<b>dev/worker</b>");
    expect(md.length).toBeLessThan(65_536);
  });

  it("JSON: images per service and env/serviceKey per target, valid against the plan schema", () => {
    const json = expectValid("plan", planToJsonText(twoServicePlan(false)));
    expect(Object.keys(json.images as object)).toEqual(["api", "worker"]);
  });

  it("a one-service plan has no Service column and one image line", () => {
    const plan = twoServicePlan();
    delete plan.images;
    plan.targets = plan.targets
      .filter((t) => t.target.serviceKey === "api")
      .map((t) => ({ ...t, target: { ...t.target, name: t.target.env } }));
    const md = formatPlanMarkdown(plan);
    expect(md).toContain("| Target | Stage | Account | Region | Change | Checks |");
    expect(formatPlanText(plan, { color: false }).split("\n")[0]).toMatch(/^Plan for shop {2}image /);
  });
});

function report(): RunReport {
  const base = {
    checks: [],
    imageRef: "x",
    startedAt: "2025-03-01T12:00:00.000Z",
    finishedAt: "2025-03-01T12:01:00.000Z",
    durationMs: 60_000,
  };
  const unit = (name: string, env: string, serviceKey: string, rest: Partial<TargetResult>): TargetResult => ({
    ...base,
    target: targetSummary(
      makeTarget({ name, env, serviceKey, account: env === "dev" ? "111111111111" : "333333333333", stage: env }),
      ROOT,
    ),
    outcome: "deployed",
    ...rest,
  });
  return {
    runId: "r1",
    command: "rollout",
    service: "shop",
    image: image(DIGEST_B),
    images: { api: image(DIGEST_B), worker: { repository: WORKER_REPO, digest: DIGEST_A } },
    startedAt: "2025-03-01T12:00:00.000Z",
    finishedAt: "2025-03-01T12:02:00.000Z",
    ok: false,
    interrupted: false,
    targets: [
      unit("dev/api", "dev", "api", {
        tasks: [
          {
            name: "migrate",
            container: "app",
            outcome: "succeeded",
            exitCode: 0,
            stopCode: "EssentialContainerExited",
            stoppedReason: "Essential container in task exited",
            logGroup: "/ecs/shop",
            logStream: "migrate/app/abc123",
            durationMs: 20_000,
          },
        ],
      }),
      unit("dev/worker", "dev", "worker", {}),
      unit("staging/api", "staging", "api", {
        outcome: "failed",
        tasks: [
          {
            name: "migrate",
            container: "app",
            outcome: "failed",
            exitCode: 1,
            stopCode: "EssentialContainerExited",
            stoppedReason: "Essential container in task exited",
            logGroup: "/ecs/shop",
            logStream: "migrate/app/def456",
          },
        ],
        error: { code: "DEPLOYMENT_FAILED", message: "one-off task migrate exited 1 (container app)", hint: "read its log stream" },
      }),
      unit("staging/worker", "staging", "worker", { outcome: "not-started" }),
    ],
  };
}

describe("run report with several services and one-off tasks", () => {
  it("text: ENV once, SERVICE per row, TASKS with the failed task's exit code on its row; task details with logs", () => {
    const lines = formatRunReportText(report(), { color: false }).split("\n");
    expect(lines[2]).toMatch(/^ENV\s+SERVICE\s+STAGE\s+ACCOUNT\s+OUTCOME\s+TASKS\s+TASK DEFINITION\s+DURATION\s+ROLLBACK$/);
    expect(lines[3]).toMatch(/^dev\s+api\s+dev\s+111111111111\s+deployed\s+migrate ✓/);
    expect(lines[4]).toMatch(/^\s+worker\s+deployed\s+—/);
    expect(lines[5]).toMatch(/^staging\s+api\s+staging\s+333333333333\s+failed\s+migrate ✗ exit 1/);
    const text = lines.join("\n");
    expect(text).toContain("One-off tasks\n  dev/api  migrate  succeeded (exit 0)");
    expect(text).toContain(
      "  staging/api  migrate  failed (exit 1)\n    container app\n    stopped: EssentialContainerExited: Essential container in task exited",
    );
    expect(text).toContain("    logs: /ecs/shop migrate/app/def456");
    expect(text).toMatch(/error DEPLOYMENT_FAILED \[staging\/api 333333333333\] one-off task migrate exited 1/);
    expect(lines[0]).toContain("image api ");
  });

  it("Markdown: Service and Tasks columns, the tasks section; JSON: tasks and images, valid", () => {
    const md = formatRunReportMarkdown(report());
    expect(md).toContain("| Env | Service | Stage | Account | Outcome | Tasks | Task definition | Duration | Rollback |");
    expect(md).toMatch(/^\| {2}\| worker \| {2}\| {2}\| ✅ deployed \| — \|/m);
    expect(md).toContain("- ❌ **staging/api** `migrate` failed \\(exit 1\\)\n  - container app");
    const json = expectValid("run-report", runReportToJsonText(report()));
    expect((json.targets as Array<{ tasks?: unknown[] }>)[0]!.tasks).toHaveLength(1);
    expect(Object.keys(json.images as object)).toEqual(["api", "worker"]);
  });

  it("a one-service run without tasks keeps its columns", () => {
    const r = report();
    delete r.images;
    r.targets = r.targets
      .filter((t) => t.target.serviceKey === "api")
      .map(({ tasks: _tasks, ...t }) => ({ ...t, target: { ...t.target, name: t.target.env } }));
    expect(formatRunReportText(r, { color: false }).split("\n")[2]).toMatch(/^TARGET\s+STAGE\s+ACCOUNT\s+OUTCOME\s+TASK DEFINITION/);
    expect(formatRunReportMarkdown(r)).toContain("| Target | Stage | Account | Outcome | Task definition | Duration | Rollback |");
  });
});
