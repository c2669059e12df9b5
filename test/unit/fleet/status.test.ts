import { beforeEach, describe, expect, it } from "vitest";
import type { Project } from "../../../src/config/types.js";
import { fleetStatus } from "../../../src/fleet/status.js";
import { formatStatusText } from "../../../src/report/status-text.js";
import { formatStatusMarkdown } from "../../../src/report/status-markdown.js";
import { DIGEST_A, DIGEST_B, FakeFleet, loadExample } from "./fleet-fakes.js";

let project: Project;
let fleet: FakeFleet;
beforeEach(async () => {
  project = await loadExample();
  fleet = new FakeFleet(project);
  // dev runs B (newer); staging and prod run A.
  fleet.runs("dev", DIGEST_B);
  for (const t of ["staging", "prod-eu", "prod-us"]) fleet.runs(t, DIGEST_A);
});

const now = () => new Date("2025-03-01T12:00:00.000Z");

describe("fleetStatus", () => {
  it("one row per target with what it runs, who deployed it, and promotion readiness", async () => {
    const status = await fleetStatus(fleet.run(), { now });
    expect(status.rows.map((r) => r.target.name)).toEqual(["dev", "staging", "prod-eu", "prod-us"]);
    const staging = status.rows[1]!;
    expect(staging).toMatchObject({
      ok: true,
      target: {
        stage: "staging",
        account: "333333333333",
        region: "eu-west-1",
        cluster: "shop-staging",
        service: "api",
        file: "environments/staging.yaml",
      },
      taskDefinition: { family: "shop-api-staging", revision: 3, registeredAt: "2025-03-01T08:00:00.000Z" },
      image: { digest: DIGEST_A, tag: "9c1e4b7", gitSha: "9c1e4b7" },
      running: 2,
      desired: 2,
      rolloutState: "COMPLETED",
      health: { state: "stable" },
      lastDeployedAt: "2025-03-01T08:10:00.000Z",
      lastDeployedBy: "github:octocat arn:aws:sts::111111111111:assumed-role/gha/x",
    });
    expect(status.rows.map((r) => r.promotion)).toEqual([
      { state: "first-stage" },
      { state: "promotable", fromStage: "dev", digest: DIGEST_B },
      { state: "in-sync", fromStage: "staging", digest: DIGEST_A },
      { state: "in-sync", fromStage: "staging", digest: DIGEST_A },
    ]);
    expect(status.summary).toEqual({ targets: 4, stable: 4, scaledToZero: 0, inProgress: 0, failed: 0, degraded: 0, errors: 0 });
  });

  it("an account that denies AssumeRole is an error row; the rest of the fleet is still read", async () => {
    fleet.deny("prod-us");
    const status = await fleetStatus(fleet.run(), { now });
    const row = status.rows.find((r) => r.target.name === "prod-us")!;
    expect(row.ok).toBe(false);
    expect(row.error).toMatchObject({
      code: "ASSUME_ROLE_DENIED",
      target: "prod-us",
      account: "555555555555",
      action: "sts:AssumeRole",
      awsCode: "AccessDenied",
    });
    expect(row.promotion).toEqual({ state: "unknown", fromStage: "staging" });
    expect(status.rows.filter((r) => r.ok).map((r) => r.target.name)).toEqual(["dev", "staging", "prod-eu"]);
    expect(status.summary.errors).toBe(1);

    const text = formatStatusText(status, { color: false });
    expect(text).toMatch(/^prod-us\s+prod\s+555555555555\s+us-east-1\s+shop-prod-us\/api\s+error ASSUME_ROLE_DENIED/m);
    expect(text).toContain(
      "error ASSUME_ROLE_DENIED [prod-us 555555555555] Cannot assume arn:aws:iam::555555555555:role/deployer-viewer: access denied",
    );
    expect(text).toContain("hint: check the trust policy");
    expect(formatStatusMarkdown(status)).toContain(
      "| prod-us | prod | 555555555555 | us-east-1 | shop-prod-us/api | ❌ ASSUME\\_ROLE\\_DENIED |",
    );
  });

  it("readiness of a shown stage reads the stage before it even when that one is not shown", async () => {
    fleet.runs("staging", DIGEST_A, "in-progress");
    const status = await fleetStatus(fleet.run(["prod-eu", "prod-us"]), { now });
    expect(status.rows.map((r) => r.target.name)).toEqual(["prod-eu", "prod-us"]);
    expect(status.stages).toEqual(["prod"]);
    const p = status.rows[0]!.promotion;
    expect(p.state).toBe("source-not-ready");
    expect(p.state === "source-not-ready" && p.reasons[0]).toMatch(/^staging: mid-deployment: deployment ecs-svc\/2/);
    expect(fleet.calls).toContain("DescribeServices staging");
  });

  it("a stage split across digests is not a source; the states of deployments show", async () => {
    fleet.runs("prod-us", DIGEST_B, "failed-rolling-back");
    fleet.runs("prod-eu", DIGEST_A, "degraded");
    const status = await fleetStatus(fleet.run(), { now });
    const byName = new Map(status.rows.map((r) => [r.target.name, r]));
    expect(byName.get("prod-us")!.health?.state).toBe("failed");
    expect(byName.get("prod-eu")!.health).toEqual({ state: "degraded", reason: "1 of 2 tasks running" });
    expect(status.summary).toMatchObject({ stable: 2, failed: 1, degraded: 1 });
    const text = formatStatusText(status, { color: false });
    expect(text).toMatch(/^prod-us .* FAILED /m);
    expect(text).toContain("4 targets: 2 stable, 1 failed, 1 degraded");
  });

  it("never writes", async () => {
    await fleetStatus(fleet.run(), { now });
    expect(fleet.calls.filter((c) => /Register|Update/.test(c))).toEqual([]);
  });
});
