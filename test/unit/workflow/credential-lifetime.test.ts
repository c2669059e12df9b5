// The lifetime check: base credentials that cannot be refreshed and expire before the rollout's
// worst case (stage after stage, batches of maxParallel targets, each waiting up to its timeout).
import { describe, expect, it } from "vitest";
import { credentialLifetimeCheck, worstCaseSeconds } from "../../../src/workflow/credential-lifetime.js";
import type { Plan, TargetPlan } from "../../../src/plan/types.js";

const NOW = Date.parse("2026-01-01T12:00:00Z");

function t(name: string, stage: string, action: TargetPlan["action"], timeoutSeconds = 900): TargetPlan {
  const steps =
    action === "update"
      ? [
          { kind: "update-service" as const, cluster: "c", service: "s" },
          { kind: "wait-stable" as const, timeoutSeconds },
        ]
      : [];
  return { target: { name, stage }, action, steps } as unknown as TargetPlan;
}
function plan(stages: Plan["stages"], targets: TargetPlan[]): Plan {
  return { stages, targets } as unknown as Plan;
}
const expiring = (minutes: number, refreshable = false) => ({
  expiresAt: new Date(NOW + minutes * 60_000),
  refreshable,
  source: "environment variables",
  fix: "set role-duration-seconds",
});

describe("worstCaseSeconds", () => {
  it("adds the stages, each in batches of maxParallel, counting only targets to update", () => {
    const p = plan(
      [{ name: "dev" }, { name: "prod", maxParallel: 2 }, { name: "idle" }],
      [
        t("d1", "dev", "update"),
        t("d2", "dev", "update", 600),
        t("p1", "prod", "update"),
        t("p2", "prod", "update"),
        t("p3", "prod", "update"),
        t("i1", "idle", "noop"),
      ],
    );
    expect(worstCaseSeconds(p)).toEqual({ seconds: 900 + 2 * 900, stages: 2 });
  });
});

describe("credentialLifetimeCheck", () => {
  const oneStage = plan([{ name: "dev" }], [t("dev", "dev", "update"), t("other", "dev", "noop")]);

  it("expiring in 10 minutes with a 15-minute timeout: an unverified check (a warning; --strict fails) naming the fix", () => {
    const make = credentialLifetimeCheck(oneStage, expiring(10), NOW);
    const c = make!("dev");
    expect(c).toMatchObject({ id: "credentials-lifetime", target: "dev", verdict: "unverified", hint: "set role-duration-seconds" });
    expect(c.message).toContain("expire at 2026-01-01T12:10:00.000Z (in 10m)");
    expect(c.message).toContain("worst case of 15m");
  });

  it("nothing to say when they outlive the worst case, refresh themselves, have no known expiry, or nothing waits", () => {
    expect(credentialLifetimeCheck(oneStage, expiring(16), NOW)).toBeUndefined();
    expect(credentialLifetimeCheck(oneStage, expiring(10, true), NOW)).toBeUndefined();
    expect(credentialLifetimeCheck(oneStage, { refreshable: false, source: "x", fix: "y" }, NOW)).toBeUndefined();
    expect(credentialLifetimeCheck(plan([{ name: "dev" }], [t("dev", "dev", "noop")]), expiring(1), NOW)).toBeUndefined();
    expect(credentialLifetimeCheck(oneStage, undefined, NOW)).toBeUndefined();
  });
});
