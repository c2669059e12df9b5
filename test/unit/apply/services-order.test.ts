// Issue 17: the services of one environment are updated in dependsOn order, those independent of each
// other at once; a service whose dependency failed is not started.
import { describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/apply/apply.js";
import type { RunEvent } from "../../../src/apply/types.js";
import { DIGEST_BAD, DIGEST_NEW, fleet } from "./fixture.js";

const POLL = { initialMs: 2_000, maxMs: 15_000, factor: 1.5 };

/** One environment "dev" with api, worker (dependsOn api) and cron (independent), api's digest `apiDigest`. */
function environment(apiDigest: string) {
  const f = fleet(
    [{ name: "dev" }],
    ["api", "worker", "cron"].map((s) => ({
      name: `dev/${s}`,
      stage: "dev",
      account: "200000000001",
      digest: s === "api" ? apiDigest : DIGEST_NEW,
    })),
  );
  for (const t of f.plan.targets) {
    t.target.env = "dev";
    t.target.serviceKey = t.target.name.slice(4);
    if (t.target.serviceKey === "worker") t.dependsOn = ["api"];
  }
  return f;
}

const at = (events: RunEvent[], target: string, step: string) =>
  events.findIndex((e) => e.type === "step" && e.target === target && e.step === step && !e.message.startsWith("waiting"));
const doneAt = (events: RunEvent[], target: string) => events.findIndex((e) => e.type === "target-done" && e.target === target);

describe("services of one environment (issue 17)", () => {
  it("updates a dependent service after its dependency is deployed, an independent one at once", async () => {
    const f = environment(DIGEST_NEW);
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    expect(report.targets.map((t) => [t.target.name, t.outcome])).toEqual([
      ["dev/api", "deployed"],
      ["dev/worker", "deployed"],
      ["dev/cron", "deployed"],
    ]);
    const e = f.events;
    // worker's UpdateService comes after api is done; cron's before it (it waits for nobody).
    expect(at(e, "dev/worker", "update-service")).toBeGreaterThan(doneAt(e, "dev/api"));
    expect(at(e, "dev/cron", "update-service")).toBeLessThan(doneAt(e, "dev/api"));
    // Every definition is registered before any service is updated.
    const lastRegister = Math.max(...["api", "worker", "cron"].map((s) => at(e, `dev/${s}`, "register-task-definition")));
    const firstUpdate = Math.min(...["api", "worker", "cron"].map((s) => at(e, `dev/${s}`, "update-service")));
    expect(lastRegister).toBeLessThan(firstUpdate);
  });

  it("a failed dependency: the dependent service is not started, the independent one still deploys", async () => {
    const f = environment(DIGEST_BAD);
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    expect(report.targets.map((t) => [t.target.name, t.outcome])).toEqual([
      ["dev/api", "failed"],
      ["dev/worker", "not-started"],
      ["dev/cron", "deployed"],
    ]);
    expect(at(f.events, "dev/worker", "update-service")).toBe(-1);
    expect(report.ok).toBe(false);
  });
});
