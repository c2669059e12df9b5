import { describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/apply/apply.js";
import type { RunReport } from "../../../src/apply/types.js";
import { formatRunReportText } from "../../../src/report/run-text.js";
import { formatRunReportMarkdown } from "../../../src/report/run-markdown.js";
import { runReportToJson } from "../../../src/report/run-json.js";
import { formatDuration } from "../../../src/report/run-summary.js";
import { DIGEST_BAD, fleet } from "../apply/fixture.js";

const POLL = { initialMs: 2_000, maxMs: 15_000, factor: 1.5 };

/** A real run: dev deploys, staging-1 fails (ECS rolls back), staging-2 is unchanged, prod never starts. */
async function failedRun(): Promise<RunReport> {
  const f = fleet(
    [{ name: "dev" }, { name: "staging" }, { name: "prod" }],
    [
      { name: "dev", stage: "dev", account: "100000000001" },
      {
        name: "staging-1",
        stage: "staging",
        account: "200000000001",
        digest: DIGEST_BAD,
        circuitBreaker: { enable: true, rollback: true },
      },
      { name: "staging-2", stage: "staging", account: "200000000002", action: "noop" },
      { name: "prod", stage: "prod", account: "300000000001" },
    ],
  );
  return applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL });
}

async function successfulRun(): Promise<RunReport> {
  const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001" }]);
  return applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL });
}

function row(text: string, target: string): string[] {
  const line = text.split("\n").find((l) => l.startsWith(`${target} `));
  expect(line, `row of ${target}`).toBeDefined();
  return line!.split(/\s{2,}/);
}

describe("formatRunReportText", () => {
  it("prints one row per target with stage, account, outcome, revision, duration and rollback", async () => {
    const report = await failedRun();
    const text = formatRunReportText(report, { color: false });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^rollout of shop-api failed {2}image .*shop\/api:3f2a9c1 \(sha256:bbbbbbbbbbbb\) · run r1 · \d+m\d\ds$/);
    expect(lines[2]).toMatch(/^TARGET\s+STAGE\s+ACCOUNT\s+OUTCOME\s+TASK DEFINITION\s+DURATION\s+ROLLBACK$/);
    expect(row(text, "dev")).toEqual([
      "dev",
      "dev",
      "100000000001",
      "deployed",
      "shop-api:1 → :2",
      formatDuration(report.targets[0]!.durationMs!),
      "—",
    ]);
    expect(row(text, "staging-1")).toEqual([
      "staging-1",
      "staging",
      "200000000001",
      "failed",
      "shop-api:1 → :2",
      formatDuration(report.targets[1]!.durationMs!),
      "ecs (circuit breaker) → shop-api:1",
    ]);
    expect(row(text, "staging-2")).toEqual(["staging-2", "staging", "200000000002", "unchanged", "shop-api:1", "—", "—"]);
    expect(row(text, "prod")).toEqual(["prod", "prod", "300000000001", "not started", "shop-api:1", "—", "—"]);
    expect(text).toContain("1 deployed, 1 unchanged, 1 failed, 1 not started");
  });

  it("lists every error with target, account, AWS action, what AWS said and the hint", async () => {
    const text = formatRunReportText(await failedRun(), { color: false });
    const errors = text.split("\n").filter((l) => l.startsWith("error ") || l.startsWith("  "));
    expect(errors[0]).toMatch(
      /^error DEPLOYMENT_FAILED \[staging-1 200000000001\] deployment ecs-svc\/\d+ of shop-api:2 failed on api-staging-1: ECS deployment circuit breaker/,
    );
    expect(errors[1]).toBe("  aws: ecs:UpdateService on arn:aws:ecs:eu-west-1:200000000001:service/main/api-staging-1");
    expect(errors[2]).toBe("  aws said: FAILED: ECS deployment circuit breaker: tasks failed to start.");
    expect(errors[3]).toMatch(/^ {2}hint: the deployment circuit breaker stopped it/);
    expect(text).toMatch(/error DEPLOYMENT_FAILED staging-1 failed in stage staging; later stages not started \(prod\)/);
  });

  it("colours outcomes only when asked", async () => {
    const report = await failedRun();
    expect(formatRunReportText(report, { color: false })).not.toMatch(/\x1b\[/);
    const coloured = formatRunReportText(report, { color: true });
    expect(coloured).toContain("\x1b[31mfailed");
    expect(coloured).toContain("\x1b[32mdeployed");
  });

  it("has no error section for a successful run", async () => {
    const text = formatRunReportText(await successfulRun(), { color: false });
    expect(text.split("\n")[0]).toMatch(/^rollout of shop-api succeeded/);
    expect(text).not.toMatch(/^error /m);
    expect(text.trimEnd().split("\n").at(-1)).toBe("1 deployed");
  });
});

describe("formatRunReportMarkdown", () => {
  it("renders the heading, a table row per target and the errors", async () => {
    const md = formatRunReportMarkdown(await failedRun());
    const lines = md.split("\n");
    expect(lines[0]).toBe("### ❌ Rollout of `shop-api` failed");
    expect(md).toContain("| Target | Stage | Account | Outcome | Task definition | Duration | Rollback |\n|---|---|---|---|---|---|---|");
    expect(lines.find((l) => l.startsWith("| staging-1 |"))).toMatch(
      /^\| staging-1 \| staging \| 200000000001 \| ❌ failed \| shop-api:1 → :2 \| \d+m\d\ds \| ecs \\\(circuit breaker\\\) → shop-api:1 \|$/,
    );
    expect(lines.find((l) => l.startsWith("| prod |"))).toBe("| prod | prod | 300000000001 | ⏸️ not started | shop-api:1 | — | — |");
    expect(md).toContain("#### Errors (2)");
    expect(md).toMatch(/- \*\*staging-1\*\* \(200000000001\) `DEPLOYMENT_FAILED` deployment ecs-svc\/\d+ of shop-api:2 failed/);
    expect(md).toContain("  - AWS: `ecs:UpdateService` on `arn:aws:ecs:eu-west-1:200000000001:service/main/api-staging-1`");
    expect(md).toContain("  - Hint: the deployment circuit breaker stopped it");
  });

  it("keeps table cells in their column whatever the text holds", async () => {
    const report = await successfulRun();
    report.targets[0]!.target = { ...report.targets[0]!.target, name: "a|b<script>", stage: "dev\nprod" };
    const line = formatRunReportMarkdown(report)
      .split("\n")
      .find((l) => l.startsWith("| a"))!;
    // HTML as entities, the line break shown as `\n` (its backslash escaped for Markdown).
    expect(line.startsWith("| a\\|b&lt;script&gt; | dev\\\\nprod |")).toBe(true);
    expect(line.split(/(?<!\\)\|/)).toHaveLength(9);
  });
});

describe("runReportToJson", () => {
  it("adds the format version, duration and counts, and is a JSON-safe copy", async () => {
    const report = await failedRun();
    const json = runReportToJson(report);
    expect(json.formatVersion).toBe(1);
    expect(json.summary).toEqual({
      targets: 4,
      deployed: 1,
      unchanged: 1,
      "rolled-back": 0,
      failed: 1,
      unknown: 0,
      interrupted: 0,
      "not-started": 1,
    });
    expect(json.durationMs).toBe(Date.parse(report.finishedAt) - Date.parse(report.startedAt));
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.targets[1]).toMatchObject({ outcome: "failed", error: { code: "DEPLOYMENT_FAILED" }, rollback: { by: "ecs", ok: true } });
    json.targets[0]!.outcome = "failed";
    expect(report.targets[0]!.outcome).toBe("deployed");
  });
});
