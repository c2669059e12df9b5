// Issue 17's new config-derived strings (the service key, the environment, a one-off task's name and
// container, its stop reason and log stream) through every view that shows them, each sink read as its
// consumer reads it (test/helpers/hostile.ts): terminal and CI log, Markdown, JSON. The end-to-end
// hostile-configuration suite (test/reliability/hostile-config.test.ts) covers the loader's refusals.
import { describe, expect, it } from "vitest";
import type { RunReport, TargetResult } from "../../../src/apply/types.js";
import type { FleetStatus, DriftReport } from "../../../src/fleet/types.js";
import type { Plan } from "../../../src/plan/types.js";
import { buildPlan, targetSummary } from "../../../src/plan/build.js";
import { formatPlanText } from "../../../src/report/plan-text.js";
import { formatPlanMarkdown } from "../../../src/report/plan-markdown.js";
import { planToJsonText } from "../../../src/report/plan-json.js";
import { formatRunReportText } from "../../../src/report/run-text.js";
import { formatRunReportMarkdown } from "../../../src/report/run-markdown.js";
import { runReportToJsonText } from "../../../src/report/run-json.js";
import { formatStatusText } from "../../../src/report/status-text.js";
import { formatStatusMarkdown } from "../../../src/report/status-markdown.js";
import { statusToJsonText } from "../../../src/report/status-json.js";
import { formatDriftText } from "../../../src/report/drift-text.js";
import { formatDriftMarkdown } from "../../../src/report/drift-markdown.js";
import { driftToJsonText } from "../../../src/report/drift-json.js";
import { DIGEST_B, ROOT, desired, image, makeTarget, observed, planInput } from "../../helpers/factories.js";
import { HOSTILE, violations, type Sink } from "../../helpers/hostile.js";

const KEY = `svc${HOSTILE}`;
const ENV = `env${HOSTILE}`;
const units = () => [
  makeTarget({ name: `${ENV}/api`, env: ENV, serviceKey: "api" }),
  makeTarget({ name: `${ENV}/${KEY}`, env: ENV, serviceKey: KEY, service: "worker-dev" }),
];

function plan(): Plan {
  // Rendered for clean targets (a hostile key is no template value here), then shown as the hostile units.
  const clean = [
    makeTarget({ name: "dev/api", env: "dev", serviceKey: "api" }),
    makeTarget({ name: "dev/w", env: "dev", serviceKey: "w" }),
  ];
  const p = buildPlan(planInput(clean.map((t) => ({ desired: desired(t, image(DIGEST_B)), observed: observed(t, undefined) }))));
  units().forEach((t, i) => (p.targets[i]!.target = targetSummary(t, ROOT)));
  p.images = { api: image(DIGEST_B), [KEY]: image() };
  p.targets[1]!.steps.unshift({
    kind: "run-task",
    name: `migrate${HOSTILE}`,
    container: `c${HOSTILE}`,
    command: [`x${HOSTILE}`],
    timeoutSeconds: 60,
  } as never);
  return p;
}

function report(): RunReport {
  const [api, worker] = units().map((t) => targetSummary(t, ROOT));
  const result = (target: typeof api, rest: Partial<TargetResult> = {}): TargetResult => ({
    target: target!,
    outcome: "failed",
    imageRef: "x",
    checks: [],
    ...rest,
  });
  return {
    runId: "r1",
    command: "rollout",
    service: "shop",
    image: image(DIGEST_B),
    images: { api: image(DIGEST_B), [KEY]: image() },
    startedAt: "2025-03-01T12:00:00.000Z",
    finishedAt: "2025-03-01T12:01:00.000Z",
    ok: false,
    interrupted: false,
    targets: [
      result(api),
      result(worker, {
        tasks: [
          {
            name: `migrate${HOSTILE}`,
            container: `c${HOSTILE}`,
            outcome: "failed",
            exitCode: 1,
            stopCode: "EssentialContainerExited",
            stoppedReason: `reason${HOSTILE}`,
            containerReason: `why${HOSTILE}`,
            logGroup: `/ecs/${HOSTILE}`,
            logStream: `s/${HOSTILE}`,
            error: { code: "DEPLOYMENT_FAILED", message: `task failed${HOSTILE}` },
          },
        ],
      }),
    ],
  };
}

function status(): FleetStatus {
  const rows = units().map((t) => ({ target: targetSummary(t, ROOT), ok: true, promotion: { state: "first-stage" as const } }));
  return {
    service: "shop",
    createdAt: "2025-03-01T12:00:00.000Z",
    stages: ["dev"],
    rows,
    summary: { targets: 2, stable: 0, inProgress: 0, failed: 0, degraded: 2, scaledToZero: 0, errors: 0 },
  };
}

function drift(): DriftReport {
  const targets = units().map((t) => ({ target: targetSummary(t, ROOT), status: "in-sync" as const, changes: [], notes: [] }));
  return {
    service: "shop",
    createdAt: "2025-03-01T12:00:00.000Z",
    targets,
    stages: [
      {
        stage: "dev",
        serviceKey: KEY,
        compared: [`${ENV}/${KEY}`, "b"],
        reference: "b",
        differences: [{ target: `${ENV}/${KEY}`, changes: [] }],
        maskedFields: [],
      },
    ],
    summary: { targets: 2, inSync: 2, drifted: 0, errors: 0, inconsistentStages: 1 },
  };
}

describe("hostile service keys, environments and task fields reach no sink raw", () => {
  const outputs: Array<[string, () => string, Sink]> = [
    ["plan text", () => formatPlanText(plan(), { color: false }), "terminal"],
    ["plan markdown", () => formatPlanMarkdown(plan()), "markdown"],
    ["plan json", () => planToJsonText(plan()), "json"],
    ["run text", () => formatRunReportText(report(), { color: false }), "terminal"],
    ["run markdown", () => formatRunReportMarkdown(report()), "markdown"],
    ["run json", () => runReportToJsonText(report()), "json"],
    ["status text", () => formatStatusText(status(), { color: false }), "terminal"],
    ["status markdown", () => formatStatusMarkdown(status()), "markdown"],
    ["status json", () => statusToJsonText(status()), "json"],
    ["drift text", () => formatDriftText(drift(), { color: false }), "terminal"],
    ["drift markdown", () => formatDriftMarkdown(drift()), "markdown"],
    ["drift json", () => driftToJsonText(drift()), "json"],
  ];
  it.each(outputs)("%s", (name, make, sink) => {
    const text = make();
    expect(text).toContain("INJ-command");
    expect(violations(name, text, sink)).toEqual([]);
  });
});
