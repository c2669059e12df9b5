import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/apply/apply.js";
import type { RunEvent } from "../../../src/apply/types.js";
import { createPlainProgress, formatPlainEvent } from "../../../src/report/progress-plain.js";
import { createListrProgress } from "../../../src/report/progress-listr.js";
import { DIGEST_BAD, fleet } from "../apply/fixture.js";

const POLL = { initialMs: 2_000, maxMs: 15_000, factor: 1.5 };

function twoStageFleet() {
  return fleet(
    [{ name: "dev" }, { name: "prod" }],
    [
      { name: "dev-ok", stage: "dev", account: "100000000001" },
      { name: "dev-bad", stage: "dev", account: "100000000002", digest: DIGEST_BAD, circuitBreaker: { enable: true, rollback: true } },
      { name: "prod-eu", stage: "prod", account: "200000000001" },
    ],
  );
}

describe("createPlainProgress", () => {
  it("writes one timestamped line per event", async () => {
    const f = twoStageFleet();
    const lines: string[] = [];
    const events: RunEvent[] = [];
    const plain = createPlainProgress((l) => lines.push(l));
    await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: (e) => (events.push(e), plain(e)) });
    expect(lines).toHaveLength(events.length);
    for (const [i, l] of lines.entries()) expect(l.startsWith(`${events[i]!.at} `)).toBe(true);
    expect(lines[0]).toBe("2025-03-01T09:00:00.000Z stage dev: starting 2 targets (dev-ok, dev-bad)");
    expect(lines).toContainEqual(expect.stringMatching(/^\S+ \[dev-ok\] ✔ deployed shop-api:2$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\S+ \[dev-bad\] ✖ failed: deployment ecs-svc\/\d+ of shop-api:2 failed on api-dev-bad: .*; rolled back by ecs \(circuit breaker\) to shop-api:1$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\S+ \[dev-bad\] ecs: \(service api-dev-bad\) \(deployment ecs-svc\/\d+\) deployment failed: tasks failed to start\.$/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^\S+ \[dev-ok\] running 1\/2, pending 1 \(IN_PROGRESS\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\S+ \[prod-eu\] - not started: stage dev failed$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\S+ stage dev: FAILED$/));
  });

  it("formats warnings with and without a target", () => {
    expect(formatPlainEvent({ type: "warning", at: "T", message: "m" })).toBe("T warning: m");
    expect(formatPlainEvent({ type: "warning", at: "T", target: "x", message: "m" })).toBe("T [x] warning: m");
  });
});

function capture(): { stream: NodeJS.WriteStream; text(): string } {
  let out = "";
  const w = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  return {
    stream: Object.assign(w, { isTTY: false, columns: 120 }) as unknown as NodeJS.WriteStream,
    text: () => out.replace(/\x1b\[[0-9;]*m/g, ""),
  };
}

describe("createListrProgress", () => {
  it("shows each target's row end as its outcome, driven by the run's events", async () => {
    const f = twoStageFleet();
    const out = capture();
    const progress = createListrProgress(
      [
        { stage: "dev", targets: ["dev-ok", "dev-bad"] },
        { stage: "prod", targets: ["prod-eu"] },
      ],
      { renderer: "simple", stream: out.stream },
    );
    await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: progress.sink });
    await progress.done();
    const text = out.text();
    expect(text).toContain("stage dev");
    expect(text).toMatch(/dev-ok {2}deployed shop-api:2/);
    expect(text).toMatch(/dev-bad {2}failed \[FAILED: deployment ecs-svc\/\d+ of shop-api:2 failed/);
    expect(text).toMatch(/prod-eu {2}not started: stage dev failed/);
    // Progress reaches the rows as their output.
    expect(text).toMatch(/› running 1\/2, pending 1 \(IN_PROGRESS\)/);
    expect(text).toMatch(/stage dev {2}FAILED/);
    // Output is not repeated when only a title changes: one COMPLETED line per target.
    expect(text.split("\n").filter((l) => l === "› running 2/2, pending 0 (COMPLETED)")).toHaveLength(2);
  });

  it("a failed row keeps the stopped task's reason in its final line, after later events replaced it", async () => {
    const out = capture();
    const progress = createListrProgress([{ stage: "dev", targets: ["a"] }], { renderer: "simple", stream: out.stream });
    progress.sink({ type: "target-start", at: "T", target: "a" });
    progress.sink({
      type: "service-event",
      at: "T",
      target: "a",
      message: "(service api) has stopped 1 running tasks: (task 0a1b2c3d). Reason: Essential container in task exited",
    });
    progress.sink({
      type: "progress",
      at: "T",
      target: "a",
      message: "running 0/1, pending 0 (FAILED)",
      running: 0,
      pending: 0,
      desired: 1,
    });
    progress.sink({
      type: "service-event",
      at: "T",
      target: "a",
      message: "(service api) (deployment ecs-svc/1) deployment failed: tasks failed to start.",
    });
    progress.sink({ type: "target-done", at: "T", target: "a", outcome: "failed", message: "deployment ecs-svc/1 failed" });
    await progress.done();
    expect(out.text()).toMatch(
      /a {2}failed \[FAILED: deployment ecs-svc\/1 failed \(ecs: stopped task: Essential container in task exited\)\]/,
    );
  });

  it("done() ends rows that never got an event, and resolves", async () => {
    const out = capture();
    const progress = createListrProgress(
      [
        { stage: "dev", targets: ["a"] },
        { stage: "prod", targets: ["b"] },
      ],
      { renderer: "simple", stream: out.stream },
    );
    progress.sink({ type: "target-start", at: "T", target: "a" });
    progress.sink({ type: "step", at: "T", target: "a", step: "update-service", message: "updating api-a" });
    await progress.done();
    expect(out.text()).toMatch(/a {2}not started/);
    expect(out.text()).toMatch(/b {2}not started/);
  });
});
