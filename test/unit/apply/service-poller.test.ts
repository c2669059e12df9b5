import { describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/apply/apply.js";
import { ServicePoller } from "../../../src/apply/service-poller.js";
import { FakeClock, FakeEcs, type FakeCall } from "../../helpers/fake-aws.js";
import { fleet, taskDefinition, DIGEST_OLD } from "./fixture.js";

const POLL = { initialMs: 2_000, maxMs: 15_000, factor: 1.5 };

function rounds(calls: FakeCall[]): Map<number, FakeCall[]> {
  const byTime = new Map<number, FakeCall[]>();
  for (const c of calls.filter((x) => x.action === "DescribeServices")) byTime.set(c.at, [...(byTime.get(c.at) ?? []), c]);
  return byTime;
}

describe("polling while waiting", () => {
  it("batches the services of one account and cluster: ≤ 10 per call, each service once per poll", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, "0")}`);
    const f = fleet(
      [{ name: "prod" }],
      names.map((name) => ({ name, stage: "prod", account: "100000000001" })),
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL });
    expect(report.ok).toBe(true);

    const fake = f.ecsOf("t00");
    const polls = rounds(fake.calls);
    expect(polls.size).toBeGreaterThan(3);
    for (const [, calls] of polls) {
      expect(calls.map((c) => c.services!.length).sort()).toEqual([10, 2].sort());
      const described = calls.flatMap((c) => c.services!);
      expect(described.sort()).toEqual(names.map((n) => `api-${n}`).sort());
    }
    expect(fake.count("DescribeServices")).toBe(2 * polls.size);
  });

  it("polls each account's services separately (one session per account)", async () => {
    const f = fleet(
      [{ name: "prod" }],
      ["a", "b", "c"].map((name, i) => ({ name, stage: "prod", account: `10000000000${i}` })),
    );
    await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL });
    for (const name of ["a", "b", "c"]) {
      const calls = f.ecsOf(name).calls.filter((c) => c.action === "DescribeServices");
      expect(calls.length).toBeGreaterThan(0);
      for (const c of calls) expect(c.services).toEqual([`api-${name}`]);
    }
  });

  it("grows the interval by the factor up to the bound", async () => {
    const clock = new FakeClock();
    const ecs = new FakeEcs({ clock, script: () => ({ kind: "stuck" }) });
    ecs.addService({ service: "api", taskDefinition: taskDefinition(DIGEST_OLD) });
    const poller = new ServicePoller(clock, POLL);
    const watch = poller.watch(ecs, "main", "api");
    const t0 = clock.now();
    for (let i = 0; i < 8; i++) {
      const o = await watch.next();
      expect(o.type).toBe("snapshot");
    }
    const times = ecs.calls.map((c) => c.at - t0);
    const gaps = times.map((t, i) => t - (i === 0 ? 0 : times[i - 1]!));
    expect(gaps).toEqual([2_000, 3_000, 4_500, 6_750, 10_125, 15_000, 15_000, 15_000]);
  });

  it("lets a waiter due shortly after another ride along in the same call", async () => {
    const clock = new FakeClock();
    const ecs = new FakeEcs({ clock });
    ecs.addService({ service: "a", taskDefinition: taskDefinition(DIGEST_OLD) });
    ecs.addService({ service: "b", taskDefinition: taskDefinition(DIGEST_OLD) });
    const poller = new ServicePoller(clock, POLL);
    const a = poller.watch(ecs, "main", "a");
    const first = a.next();
    await clock.sleep(500);
    const b = poller.watch(ecs, "main", "b");
    const [oa, ob] = await Promise.all([first, b.next()]);
    expect(oa).toMatchObject({ type: "snapshot", service: { name: "a" } });
    expect(ob).toMatchObject({ type: "snapshot", service: { name: "b" } });
    expect(ecs.calls).toEqual([expect.objectContaining({ action: "DescribeServices", services: ["a", "b"] })]);
  });

  it("answers an aborted waiter at once and does not poll for it", async () => {
    const clock = new FakeClock();
    const ecs = new FakeEcs({ clock });
    ecs.addService({ service: "a", taskDefinition: taskDefinition(DIGEST_OLD) });
    const poller = new ServicePoller(clock, POLL);
    const ctl = new AbortController();
    const pending = poller.watch(ecs, "main", "a").next(ctl.signal);
    ctl.abort();
    expect(await pending).toEqual({ type: "aborted" });
    await clock.sleep(10_000);
    expect(ecs.count("DescribeServices")).toBe(0);
  });

  it("refuses a nonsensical interval", () => {
    expect(() => new ServicePoller(new FakeClock(), { initialMs: 0, maxMs: 10, factor: 2 })).toThrow(RangeError);
    expect(() => new ServicePoller(new FakeClock(), { initialMs: 10, maxMs: 5, factor: 2 })).toThrow(RangeError);
  });
});
